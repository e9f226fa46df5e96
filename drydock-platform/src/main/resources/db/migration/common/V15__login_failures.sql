-- Failed sign-ins, shared by every node (LoginThrottle), so the limits hold however a load balancer spreads the
-- attempts: one row per account (its e-mail in lower case) and per client address that failed lately, with its
-- backoff. A key without a failure for twice its longest backoff counts as none; its row is pruned (by
-- last_failure), and so are the least recently failed ones beyond a maximum count, so a spray of random e-mails
-- cannot grow the table without bound.
create table login_failures (
    scope          varchar(8)    not null,
    subject        varchar(320)  not null,
    failures       integer       not null,
    streak_start   timestamp with time zone not null,
    last_failure   timestamp with time zone not null,
    blocked_until  timestamp with time zone,
    primary key (scope, subject)
);
create index login_failures_by_age on login_failures (scope, last_failure);
