-- The scheduled advisory update's memory per feed URL (VulnDbUpdater): the validators of the last imported download,
-- sent back as If-None-Match / If-Modified-Since so an unchanged feed costs a 304 and no import, and the last
-- outcome for the status page.
create table vuln_feed_state (
    url            varchar(2000) primary key,
    -- the import source it writes (vuln_sources.name)
    source         varchar(200)  not null,
    -- validators of the last download that was imported (null: none given, or never imported)
    etag           varchar(1000),
    last_modified  varchar(100),
    -- the last fetch that worked (imported, or 304 Not Modified), and the last one that brought new content
    last_checked   timestamp with time zone,
    last_changed   timestamp with time zone,
    -- the last failed fetch and why (cleared by the next success)
    last_failure   timestamp with time zone,
    last_error     varchar(2000)
);
