-- A manifest's annotations can be as large as the manifest (manifest.max-bytes, 4 MiB by default, up to 64 MiB);
-- varchar(1000000) made such pushes fail with a 500 after the bytes were stored. Unbounded varchar on H2 and PostgreSQL.
alter table manifests alter column annotations set data type varchar;
