package dev.drydock.platform.db;

import dev.drydock.oci.Digest;
import dev.drydock.registry.RegistryIndex;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The registry index in the shared SQL database (H2 embedded, PostgreSQL at scale). */
public final class JdbcRegistryIndex implements RegistryIndex {
    private static final RowMapper<ManifestRecord> MANIFEST = (rs, ctx) -> new ManifestRecord(
            Digest.parse(rs.getString("digest")),
            rs.getString("media_type"),
            rs.getLong("size"),
            rs.getString("subject") == null ? null : Digest.parse(rs.getString("subject")),
            rs.getString("artifact_type"),
            rs.getString("annotations"),
            rs.getTimestamp("created_at").toInstant());

    private static final RowMapper<UploadSession> UPLOAD = (rs, ctx) -> new UploadSession(
            rs.getString("id"), rs.getString("repository"), rs.getString("principal"),
            rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("last_active_at").toInstant());

    private final Jdbi jdbi;

    public JdbcRegistryIndex(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void linkBlob(String repository, Digest digest, long size) {
        jdbi.useHandle(h -> link(h, repository, digest, size));
    }

    /** Inserts the link unless it exists, in one statement (the duplicate-key case is a concurrent push's insert). */
    private static final String LINK_IF_ABSENT = "insert into blob_links (repository, digest, size) select ?, ?, ?"
            + " where not exists (select 1 from blob_links where repository = ? and digest = ?)";

    private static void insertLink(Handle h, String repository, Digest digest, long size) {
        h.execute(LINK_IF_ABSENT, repository, digest.toString(), size, repository, digest.toString());
    }

    private static void link(Handle h, String repository, Digest digest, long size) {
        // Inside a transaction a failed insert would poison it on PostgreSQL: fence it with a savepoint.
        boolean inTransaction = h.isInTransaction();
        if (inTransaction) h.savepoint("link_blob");
        try {
            insertLink(h, repository, digest, size);
        } catch (RuntimeException e) {
            if (!Database.isDuplicateKey(e)) throw e; // a concurrent push linked it first: same content
            if (inTransaction) h.rollbackToSavepoint("link_blob");
        } finally {
            if (inTransaction) h.releaseSavepoint("link_blob");
        }
    }

    @Override
    public Optional<Long> linkedBlob(String repository, Digest digest) {
        return jdbi.withHandle(h -> h.createQuery("select size from blob_links where repository = ? and digest = ?")
                .bind(0, repository).bind(1, digest.toString()).mapTo(Long.class).findOne());
    }

    @Override
    public boolean unlinkBlob(String repository, Digest digest) {
        return jdbi.withHandle(h -> h.execute("delete from blob_links where repository = ? and digest = ?",
                repository, digest.toString()) > 0);
    }

    @Override
    public void putManifest(String repository, ManifestRecord m, String tag) {
        Retry.onDuplicateKey(() -> jdbi.useTransaction(h -> {
            boolean exists = h.createQuery("select 1 from manifests where repository = ? and digest = ?")
                    .bind(0, repository).bind(1, m.digest().toString()).mapTo(Integer.class).findOne().isPresent();
            if (!exists) {
                h.createUpdate("""
                                insert into manifests (repository, digest, media_type, size, subject, artifact_type, annotations, created_at)
                                values (:repository, :digest, :mediaType, :size, :subject, :artifactType, :annotations, :created)""")
                        .bind("repository", repository)
                        .bind("digest", m.digest().toString())
                        .bind("mediaType", m.mediaType())
                        .bind("size", m.size())
                        .bind("subject", m.subject() == null ? null : m.subject().toString())
                        .bind("artifactType", m.artifactType())
                        .bind("annotations", m.annotationsJson())
                        .bind("created", m.created())
                        .execute();
            }
            link(h, repository, m.digest(), m.size());
            if (tag != null) {
                int updated = h.execute("update tags set digest = ?, updated_at = ? where repository = ? and tag = ?",
                        m.digest().toString(), m.created(), repository, tag);
                if (updated == 0) {
                    h.execute("insert into tags (repository, tag, digest, updated_at) values (?, ?, ?, ?)",
                            repository, tag, m.digest().toString(), m.created());
                }
            }
        }));
    }

    @Override
    public Optional<ManifestRecord> manifest(String repository, Digest digest) {
        return jdbi.withHandle(h -> h.createQuery("select * from manifests where repository = ? and digest = ?")
                .bind(0, repository).bind(1, digest.toString()).map(MANIFEST).findOne());
    }

    @Override
    public Optional<Digest> resolveTag(String repository, String tag) {
        return jdbi.withHandle(h -> h.createQuery("select digest from tags where repository = ? and tag = ?")
                .bind(0, repository).bind(1, tag).mapTo(String.class).findOne().map(Digest::parse));
    }

    @Override
    public boolean deleteTag(String repository, String tag) {
        return jdbi.withHandle(h -> h.execute("delete from tags where repository = ? and tag = ?", repository, tag) > 0);
    }

    @Override
    public boolean deleteManifest(String repository, Digest digest) {
        return jdbi.inTransaction(h -> {
            int deleted = h.execute("delete from manifests where repository = ? and digest = ?", repository, digest.toString());
            if (deleted == 0) return false;
            h.execute("delete from tags where repository = ? and digest = ?", repository, digest.toString());
            h.execute("delete from blob_links where repository = ? and digest = ?", repository, digest.toString());
            return true;
        });
    }

    @Override
    public List<String> tags(String repository, String last, int limit) {
        return jdbi.withHandle(h -> h.createQuery(
                        "select tag from tags where repository = :repository and (:last is null or tag > :last) order by tag limit :limit")
                .bind("repository", repository).bind("last", last).bind("limit", limit)
                .mapTo(String.class).list());
    }

    @Override
    public boolean repositoryExists(String repository) {
        return jdbi.withHandle(h -> h.createQuery("select 1 from manifests where repository = ? limit 1")
                .bind(0, repository).mapTo(Integer.class).findOne().isPresent());
    }

    @Override
    public List<ManifestRecord> referrers(String repository, Digest subject, String artifactType) {
        return jdbi.withHandle(h -> h.createQuery("""
                        select * from manifests where repository = :repository and subject = :subject
                        and (:artifactType is null or artifact_type = :artifactType) order by digest""")
                .bind("repository", repository).bind("subject", subject.toString()).bind("artifactType", artifactType)
                .map(MANIFEST).list());
    }

    @Override
    public List<String> repositories(Set<Long> orgs, String last, int limit) {
        if (orgs != null && orgs.isEmpty()) return List.of();
        String orgFilter = orgs == null ? "" : " and (" + orgs.stream().map(o -> "repository like '" + o + "/%'")
                .collect(Collectors.joining(" or ")) + ")"; // org ids are numbers, safe to inline
        return jdbi.withHandle(h -> h.createQuery(
                        "select distinct repository from manifests where (:last is null or repository > :last)"
                                + orgFilter + " order by repository limit :limit")
                .bind("last", last).bind("limit", limit).mapTo(String.class).list());
    }

    @Override
    public void createUpload(UploadSession session) {
        jdbi.useHandle(h -> h.execute(
                "insert into uploads (id, repository, principal, started_at, last_active_at) values (?, ?, ?, ?, ?)",
                session.id(), session.repository(), session.principal(), session.started(), session.lastActive()));
    }

    @Override
    public Optional<UploadSession> upload(String id) {
        return jdbi.withHandle(h -> h.createQuery("select * from uploads where id = ?").bind(0, id)
                .map(UPLOAD)
                .findOne());
    }

    @Override
    public void deleteUpload(String id) {
        jdbi.useHandle(h -> h.execute("delete from uploads where id = ?", id));
    }

    @Override
    public void touchUpload(String id, Instant at) {
        jdbi.useHandle(h -> h.execute("update uploads set last_active_at = ? where id = ? and last_active_at < ?", at, id, at));
    }

    @Override
    public int uploadCountOfPrincipal(String principal) {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from uploads where principal = ?").bind(0, principal)
                .mapTo(Integer.class).one());
    }

    @Override
    public int uploadCountOfRepository(String repository) {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from uploads where repository = ?").bind(0, repository)
                .mapTo(Integer.class).one());
    }

    @Override
    public int[] uploadCounts(String principal, String repository) {
        return jdbi.withHandle(h -> h.createQuery("select (select count(*) from uploads where principal = ?),"
                        + " (select count(*) from uploads where repository = ?)")
                .bind(0, principal).bind(1, repository)
                .map((rs, ctx) -> new int[]{rs.getInt(1), rs.getInt(2)}).one());
    }

    @Override
    public void completeUpload(String uploadId, String repository, Digest digest, long size) {
        try {
            // One commit (one WAL flush on PostgreSQL) for the link and the session's end.
            jdbi.useTransaction(h -> {
                insertLink(h, repository, digest, size);
                h.execute("delete from uploads where id = ?", uploadId);
            });
        } catch (RuntimeException e) {
            if (!Database.isDuplicateKey(e)) throw e;
            deleteUpload(uploadId); // a concurrent push linked the same content first
        }
    }

    @Override
    public int uploadCount() {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from uploads").mapTo(Integer.class).one());
    }

    @Override
    public List<UploadSession> uploadsIdleSince(Instant cutoff) {
        return jdbi.withHandle(h -> h.createQuery("select * from uploads where last_active_at < ?").bind(0, cutoff)
                .map(UPLOAD)
                .list());
    }

    @Override
    public boolean isLinked(Digest digest) {
        return jdbi.withHandle(h -> h.createQuery("select 1 from blob_links where digest = ? limit 1")
                .bind(0, digest.toString()).mapTo(Integer.class).findOne().isPresent());
    }

    @Override
    public Set<Digest> linkedDigests() {
        // Manifests are linked as blobs when stored; counting their rows too keeps a manifest readable even if
        // its link went missing (e.g. a blob DELETE of a manifest's digest), rather than collecting its bytes.
        return jdbi.withHandle(h -> h.createQuery("select digest from blob_links union select digest from manifests").mapTo(String.class)
                .collect(Collectors.mapping(Digest::parse, Collectors.toCollection(HashSet::new))));
    }
}
