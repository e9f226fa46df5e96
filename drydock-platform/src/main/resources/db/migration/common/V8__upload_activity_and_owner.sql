-- Upload sessions expire by idleness (last activity), and are counted per principal and per repository to cap them.
alter table uploads add column principal varchar(320);
alter table uploads add column last_active_at timestamp with time zone;
update uploads set last_active_at = started_at;
alter table uploads alter column last_active_at set not null;
drop index uploads_started;
create index uploads_last_active on uploads (last_active_at);
create index uploads_principal on uploads (principal);
create index uploads_repository on uploads (repository);
