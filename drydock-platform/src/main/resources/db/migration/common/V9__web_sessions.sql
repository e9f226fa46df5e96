-- Signed-in browser sessions of the Developer App. The cookie carries a random id; only its SHA-256 is stored, so a
-- copy of the database signs nobody in. A session ends at logout, after idle-timeout without a request, or at expires_at.
create table web_sessions (
    id_hash      char(64)                 primary key,
    user_id      bigint                   not null references users (id) on delete cascade,
    csrf_token   varchar(64)              not null,
    created_at   timestamp with time zone not null,
    last_seen_at timestamp with time zone not null,
    expires_at   timestamp with time zone not null
);
create index web_sessions_user on web_sessions (user_id);
create index web_sessions_expires on web_sessions (expires_at);
