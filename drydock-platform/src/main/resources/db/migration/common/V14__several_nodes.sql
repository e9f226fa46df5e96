-- Several nodes on one database.
-- The node that made each build change (BuildEvents.node()): every node's event feed reads the changes of the
-- others from here and skips its own, which it published as they committed. Null on rows written before.
alter table build_history add column node varchar(64);

-- Periodic maintenance that one node of several runs at a time (ClusterTasks): one row per task, leased like the job
-- queue (LeaseQueue); after a run the row is due again one interval later, for whichever node looks first.
create table maintenance_tasks (
    id                bigint        primary key,
    name              varchar(64)   not null unique,
    state             varchar(16)   not null,
    attempts          integer       not null,
    lease_owner       varchar(100),
    lease_expires_at  timestamp with time zone,
    run_after         timestamp with time zone not null,
    last_error        varchar(2000),
    updated_at        timestamp with time zone not null
);
insert into maintenance_tasks (id, name, state, attempts, run_after, updated_at)
    values (1, 'gc', 'waiting', 0, current_timestamp, current_timestamp);
insert into maintenance_tasks (id, name, state, attempts, run_after, updated_at)
    values (2, 'vulndb-update', 'waiting', 0, current_timestamp, current_timestamp);
