-- Continuous vulnerability monitoring: after every advisory import, released builds (approved, deployed, paused)
-- are matched again from their stored SBOM. Each finding reported (at or above vulnerabilities.fail-at, not
-- allowlisted) is remembered here, so it is raised once; it is removed when it no longer matches (the advisory was
-- withdrawn or fixed upstream, or the org allowlisted it).
create table build_vuln_findings (
    build_id         varchar(36)   not null references builds(id) on delete cascade,
    -- SHA-256 hex of the finding's identity: CVE id, package name, version and file (as the scanner de-duplicates)
    finding_key      varchar(64)   not null,
    advisory_id      varchar(200)  not null,
    cve_id           varchar(200)  not null,
    severity         varchar(16)   not null,
    package_name     varchar(1000) not null,
    package_version  varchar(1000) not null,
    purl             varchar(2000),
    fixed_by         varchar(1000),
    path             varchar(4000) not null,
    found_at         timestamp with time zone not null,
    primary key (build_id, finding_key)
);

-- The advisory data version last re-matched (SHA-256 of the import sources and their import times): the node that
-- changes it first does the re-match, and a restart does not repeat one already done.
create table vuln_monitor_state (
    id            integer     primary key,
    data_version  varchar(64) not null,
    matched_at    timestamp with time zone
);
insert into vuln_monitor_state (id, data_version, matched_at) values (1, '', null);

-- An organization's choice (its admins'): invalidate its released builds when monitoring finds a new vulnerability.
-- Off by default: findings are only reported.
alter table orgs add column invalidate_vulnerable_builds boolean default false not null;
