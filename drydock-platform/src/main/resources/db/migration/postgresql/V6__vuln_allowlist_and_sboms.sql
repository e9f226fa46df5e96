-- PostgreSQL's version of h2/V6__vuln_allowlist_and_sboms.sql: build_sboms.sbom is text (PostgreSQL caps varchar at 10485760).
-- Per-organization vulnerability allowlist (org admins; audited): a CVE (or advisory id) accepted until a date,
-- with a reason. The vulnerabilities check marks covered findings as allowlisted instead of failing on them.
create table vuln_allowlist (
    org_id      bigint        not null references orgs(id),
    cve_id      varchar(200)  not null,
    -- the last UTC day the entry applies
    expires     date          not null,
    reason      varchar(2000) not null,
    created_by  varchar(320)  not null,
    created_at  timestamp with time zone not null,
    primary key (org_id, cve_id)
);

-- The CycloneDX JSON SBOM of each tested build (replaced by a retest), served at /api/v1/builds/{id}/sbom.
create table build_sboms (
    build_id    varchar(36)       primary key references builds(id) on delete cascade,
    sbom        text not null,
    created_at  timestamp with time zone not null
);
