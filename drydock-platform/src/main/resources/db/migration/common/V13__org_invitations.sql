-- Pending invitations to join an organization. Adding someone to an organization never makes them a member by
-- itself: the invited account accepts (or declines) first, so an org admin can neither enrol an existing account
-- without its owner's consent nor learn from the answer whether the e-mail has an account. One pending invitation
-- per organization and e-mail; an accepted, declined or revoked one is deleted, an expired one stays (the admin sees
-- it as expired) until it is revoked or replaced by a new invitation.
create table invitations (
    id          uuid                     primary key,
    org_id      bigint                   not null references orgs (id),
    email       varchar(320)             not null,
    role        varchar(20)              not null,
    invited_by  varchar(320)             not null,
    created_at  timestamp with time zone not null,
    expires_at  timestamp with time zone not null,
    unique (org_id, email)
);
create index invitations_email on invitations (email);
