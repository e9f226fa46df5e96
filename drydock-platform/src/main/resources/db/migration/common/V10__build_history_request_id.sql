-- The HTTP request that made a move (its X-Request-Id), so a build's history leads to that request's log lines.
-- Null for moves Drydock makes itself (testing) and for moves made before this column existed.
alter table build_history add column request_id varchar(64);
