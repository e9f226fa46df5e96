-- Vulnerability data for the scanner (drydock-scanner's AdvisoryStore): advisories imported from OSV files,
-- the packages each affects (for lookups and counts), and one row per import source with its age.
create table vuln_advisories (
    id              varchar(200)     primary key,
    -- the import source that last wrote it (vuln_sources.name)
    source          varchar(200)     not null,
    modified        timestamp with time zone    not null,
    withdrawn       boolean          not null,
    -- SHA-256 of the stored record: a re-import of the same content is "unchanged"
    content_sha256  varchar(64)      not null,
    -- the record as OSV JSON (the fields Drydock uses)
    record          varchar(1000000) not null,
    imported_at     timestamp with time zone    not null
);
create index vuln_advisories_source on vuln_advisories (source);

create table vuln_affected (
    advisory_id  varchar(200)  not null references vuln_advisories(id) on delete cascade,
    ecosystem    varchar(100)  not null,
    package      varchar(500)  not null
);
create index vuln_affected_advisory on vuln_affected (advisory_id);
create index vuln_affected_package on vuln_affected (ecosystem, package);

create table vuln_sources (
    name           varchar(200)  primary key,
    kind           varchar(32)   not null,
    location       varchar(2000) not null,
    imported_at    timestamp with time zone not null,
    -- records read in the last import, and how many failed
    records        integer       not null,
    failed         integer       not null,
    -- the newest 'modified' among its advisories: the data version the scan report names
    newest_record  timestamp with time zone
);
