package dev.drydock.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.TestDrydock;
import dev.drydock.server.registry.Manifests.Desc;
import dev.drydock.server.registry.RegistryClient.Resp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.drydock.server.registry.DistributionSpecTest.strings;
import static dev.drydock.server.registry.Manifests.OCI_CONFIG;
import static dev.drydock.server.registry.Manifests.OCI_LAYER;
import static dev.drydock.server.registry.Manifests.OCI_MANIFEST;
import static dev.drydock.server.registry.RegistryClient.OCTET;
import static dev.drydock.server.registry.RegistryClient.all;
import static dev.drydock.server.registry.RegistryClient.bearer;
import static dev.drydock.server.registry.RegistryClient.jwtPayload;
import static dev.drydock.server.registry.RegistryClient.randomBytes;
import static dev.drydock.server.registry.RegistryClient.sha256;
import static dev.drydock.server.registry.RegistryClient.utf8;
import static dev.drydock.server.registry.RegistryClient.withDigest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Organization isolation on every {@code /v2} endpoint: a member and a robot of organization A, with Basic
 * credentials or with tokens, get 403/401 on organization B's repositories, with the same response whether the
 * repository exists or not; the catalog shows only A; anonymous callers get a Bearer challenge naming the scope;
 * the token endpoint grants nothing in B.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrgIsolationTest {
    static final long A = 17532;
    static final long B = 20001;
    static final String DEV = "dev@acme.test";
    static final String ADMIN_A = "owner@acme.test";
    static final String OWNER_B = "owner@globex.test";
    static final String EXISTING = B + "/app";
    static final String MISSING = B + "/ghost";
    static final String NO_ORG = "99999/nothing"; // an organization that does not exist at all

    TestDrydock d;
    String robotToken;
    RegistryClient ownerB;

    byte[] config = utf8("{\"os\":\"linux\"}");
    byte[] layer = randomBytes(20_000, 1);
    byte[] manifest;
    String manifestDigest;
    byte[] referrer;
    String uploadB;          // an upload session of B in progress (Location)
    String uploadId;

    @BeforeAll
    void start() {
        d = TestDrydock.start();
        d.createOrg(A);
        d.createOrg(B);
        d.addMember(A, DEV, "developer");
        d.addMember(A, ADMIN_A, "admin");
        d.addMember(B, OWNER_B, "admin");
        robotToken = d.createRobot(A, "ci");

        ownerB = new RegistryClient(d, bearer(d, OWNER_B, TestDrydock.PASSWORD, all(EXISTING), all(MISSING)));
        ownerB.pushBlob(EXISTING, config);
        ownerB.pushBlob(EXISTING, layer);
        manifest = Manifests.oci(Desc.of(OCI_CONFIG, config), Desc.of(OCI_LAYER, layer));
        manifestDigest = ownerB.pushManifest(EXISTING, "v1", OCI_MANIFEST, manifest);
        referrer = Manifests.artifact(Desc.of(OCI_CONFIG, config), new Desc(OCI_MANIFEST, manifestDigest, manifest.length),
                "application/vnd.example.sig", "{\"k\":\"v\"}");
        ownerB.pushManifest(EXISTING, sha256(referrer), OCI_MANIFEST, referrer);
        uploadB = ownerB.startUpload(EXISTING);
        assertThat(ownerB.patch(uploadB, utf8("hello"), "Content-Type", OCTET).status()).isEqualTo(202);
        uploadId = uploadB.substring(uploadB.lastIndexOf('/') + 1);

        // A has content of its own.
        RegistryClient adminA = new RegistryClient(d, bearer(d, ADMIN_A, TestDrydock.PASSWORD, all(A + "/x"), all(A + "/y")));
        for (String repo : List.of(A + "/x", A + "/y")) {
            adminA.pushBlob(repo, config);
            adminA.pushBlob(repo, layer);
            adminA.pushManifest(repo, "v1", OCI_MANIFEST, manifest);
        }
    }

    @AfterAll
    void stop() {
        d.close();
    }

    /** One request against a repository of B: method, path (with {repo}), body, the scope actions it needs. */
    record Call(String name, String method, String path, byte[] body, String actions, String... headers) {
        String path(String repo) {
            return path.replace("{repo}", repo);
        }
    }

    List<Call> calls() {
        String blob = sha256(layer);
        String newBlob = sha256(utf8("new content"));
        byte[] otherManifest = Manifests.oci(Desc.of(OCI_CONFIG, config));
        List<Call> calls = new ArrayList<>();
        calls.add(new Call("blob GET", "GET", "/v2/{repo}/blobs/" + blob, null, "pull"));
        calls.add(new Call("blob HEAD", "HEAD", "/v2/{repo}/blobs/" + blob, null, "pull"));
        calls.add(new Call("blob GET range", "GET", "/v2/{repo}/blobs/" + blob, null, "pull", "Range", "bytes=0-9"));
        calls.add(new Call("blob DELETE", "DELETE", "/v2/{repo}/blobs/" + blob, null, "delete"));
        calls.add(new Call("upload POST", "POST", "/v2/{repo}/blobs/uploads/", new byte[0], "pull,push"));
        calls.add(new Call("upload POST ?digest", "POST", "/v2/{repo}/blobs/uploads/?digest=" + newBlob,
                utf8("new content"), "pull,push", "Content-Type", OCTET));
        calls.add(new Call("mount POST", "POST", "/v2/{repo}/blobs/uploads/?mount=" + blob + "&from=" + EXISTING,
                new byte[0], "pull,push"));
        calls.add(new Call("upload PATCH", "PATCH", "/v2/{repo}/blobs/uploads/" + uploadId, utf8("evil"), "pull,push",
                "Content-Type", OCTET, "Content-Range", "5-8"));
        calls.add(new Call("upload PUT", "PUT", withDigest("/v2/{repo}/blobs/uploads/" + uploadId, sha256(utf8("helloevil"))),
                utf8("evil"), "pull,push", "Content-Type", OCTET));
        calls.add(new Call("upload GET", "GET", "/v2/{repo}/blobs/uploads/" + uploadId, null, "pull,push"));
        calls.add(new Call("upload DELETE", "DELETE", "/v2/{repo}/blobs/uploads/" + uploadId, null, "pull,push"));
        calls.add(new Call("manifest GET tag", "GET", "/v2/{repo}/manifests/v1", null, "pull", "Accept", OCI_MANIFEST));
        calls.add(new Call("manifest GET digest", "GET", "/v2/{repo}/manifests/" + manifestDigest, null, "pull"));
        calls.add(new Call("manifest HEAD", "HEAD", "/v2/{repo}/manifests/v1", null, "pull"));
        calls.add(new Call("manifest PUT tag", "PUT", "/v2/{repo}/manifests/v1", otherManifest, "push", "Content-Type", OCI_MANIFEST));
        calls.add(new Call("manifest PUT digest", "PUT", "/v2/{repo}/manifests/" + sha256(otherManifest), otherManifest, "push",
                "Content-Type", OCI_MANIFEST));
        calls.add(new Call("manifest DELETE tag", "DELETE", "/v2/{repo}/manifests/v1", null, "delete"));
        calls.add(new Call("manifest DELETE digest", "DELETE", "/v2/{repo}/manifests/" + manifestDigest, null, "delete"));
        calls.add(new Call("tags list", "GET", "/v2/{repo}/tags/list", null, "pull"));
        calls.add(new Call("tags list paged", "GET", "/v2/{repo}/tags/list?n=1&last=a", null, "pull"));
        calls.add(new Call("referrers", "GET", "/v2/{repo}/referrers/" + manifestDigest, null, "pull"));
        calls.add(new Call("referrers filtered", "GET", "/v2/{repo}/referrers/" + manifestDigest + "?artifactType=application/vnd.example.sig",
                null, "pull"));
        return calls;
    }

    static Resp send(RegistryClient c, Call call, String repo) {
        HttpRequest.BodyPublisher body = call.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(call.body());
        return c.send(call.method(), call.path(repo), body, call.headers());
    }

    /** The response with the repository name masked: what must not differ between existing and missing. */
    static String shape(Resp r, String repo) {
        return r.status() + " | " + mask(r.header("WWW-Authenticate"), repo) + " | " + r.header("Content-Type")
                + " | " + mask(r.text(), repo);
    }

    static String mask(String s, String repo) {
        return s == null ? null : s.replace(repo, "<repo>");
    }

    private void assertIsolated(String who, RegistryClient c, int status, String code, String challengeError) {
        Map<String, String> shapes = new LinkedHashMap<>();
        for (Call call : calls()) {
            for (String repo : List.of(EXISTING, MISSING, NO_ORG)) {
                Resp r = send(c, call, repo);
                String what = who + " " + call.name() + " on " + repo + ": " + r;
                assertThat(r.status()).as(what).isEqualTo(status);
                if (!call.method().equals("HEAD")) assertThat(r.errorCode()).as(what).isEqualTo(code);
                for (String leak : List.of("Location", "Docker-Content-Digest", "Range", "Docker-Upload-UUID", "Content-Range",
                        "OCI-Subject", "OCI-Filters-Applied", "Link", "ETag")) {
                    assertThat(r.header(leak)).as(what).isNull();
                }
                assertThat(r.text()).as(what).doesNotContain(manifestDigest.substring(7)).doesNotContain("schemaVersion");
                if (challengeError == null) {
                    assertThat(r.header("WWW-Authenticate")).as(what).isNull();
                } else {
                    assertThat(r.header("WWW-Authenticate")).as(what).isEqualTo("Bearer realm=\"" + d.url()
                            + "/auth/token\",service=\"drydock\",scope=\"repository:" + repo + ":" + call.actions() + "\""
                            + (challengeError.isEmpty() ? "" : ",error=\"" + challengeError + "\""));
                }
                String shape = shape(r, repo);
                String first = shapes.putIfAbsent(call.name(), shape);
                if (first != null) {
                    assertThat(shape).as(who + " " + call.name() + ": same answer for existing and missing repositories").isEqualTo(first);
                }
            }
        }
    }

    @Test
    void memberWithBasicCredentialsIsDeniedEverywhereInB() {
        assertIsolated("member/basic", new RegistryClient(d, TestDrydock.basic(DEV, TestDrydock.PASSWORD)), 403, "DENIED", null);
        assertBUntouched();
    }

    @Test
    void robotWithBasicCredentialsIsDeniedEverywhereInB() {
        assertIsolated("robot/basic", new RegistryClient(d, TestDrydock.basic(A + "+ci", robotToken)), 403, "DENIED", null);
        assertBUntouched();
    }

    @Test
    void memberTokenIsInsufficientEverywhereInB() {
        String token = bearer(d, DEV, TestDrydock.PASSWORD, all(EXISTING), all(MISSING), all(NO_ORG), all(A + "/x"));
        assertIsolated("member/token", new RegistryClient(d, token), 401, "UNAUTHORIZED", "insufficient_scope");
        assertBUntouched();
    }

    @Test
    void robotTokenIsInsufficientEverywhereInB() {
        String token = bearer(d, A + "+ci", robotToken, all(EXISTING), all(MISSING), all(NO_ORG), all(A + "/x"));
        assertIsolated("robot/token", new RegistryClient(d, token), 401, "UNAUTHORIZED", "insufficient_scope");
        assertBUntouched();
    }

    @Test
    void anonymousGetsABearerChallengeNamingTheScope() {
        RegistryClient anonymous = new RegistryClient(d, null);
        assertIsolated("anonymous", anonymous, 401, "UNAUTHORIZED", "");
        // Also on A's own repositories, the base endpoint and the catalog.
        Resp own = anonymous.get("/v2/" + A + "/x/manifests/v1");
        assertThat(own.status()).isEqualTo(401);
        assertThat(own.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"" + d.url()
                + "/auth/token\",service=\"drydock\",scope=\"repository:" + A + "/x:pull\"");
        Resp base = anonymous.get("/v2/");
        assertThat(base.status()).isEqualTo(401);
        assertThat(base.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"" + d.url() + "/auth/token\",service=\"drydock\"");
        Resp catalog = anonymous.get("/v2/_catalog");
        assertThat(catalog.status()).isEqualTo(401);
        assertThat(catalog.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"" + d.url()
                + "/auth/token\",service=\"drydock\",scope=\"registry:catalog:*\"");
        assertBUntouched();
    }

    @Test
    void positiveControlOwnerOfBReachesTheSameEndpoints() {
        // The requests above are well-formed: B's owner gets real answers from them.
        assertThat(ownerB.get("/v2/" + EXISTING + "/blobs/" + sha256(layer)).status()).isEqualTo(200);
        assertThat(ownerB.get("/v2/" + EXISTING + "/manifests/v1").status()).isEqualTo(200);
        assertThat(ownerB.get("/v2/" + EXISTING + "/tags/list").status()).isEqualTo(200);
        assertThat(ownerB.get(uploadB).status()).isEqualTo(204);
        Resp refs = ownerB.get("/v2/" + EXISTING + "/referrers/" + manifestDigest);
        assertThat(refs.json().get("manifests")).hasSize(1);
        assertThat(ownerB.get("/v2/" + MISSING + "/manifests/v1").status()).isEqualTo(404);
        assertThat(ownerB.get("/v2/" + MISSING + "/tags/list").status()).isEqualTo(404);
    }

    @Test
    void mountingFromBIntoAFallsBackToAnUploadAndCopiesNothing() {
        String target = A + "/x";
        for (RegistryClient c : List.of(
                new RegistryClient(d, TestDrydock.basic(DEV, TestDrydock.PASSWORD)),
                new RegistryClient(d, TestDrydock.basic(A + "+ci", robotToken)),
                new RegistryClient(d, bearer(d, DEV, TestDrydock.PASSWORD, all(target), all(EXISTING), all(MISSING))),
                new RegistryClient(d, bearer(d, A + "+ci", robotToken, all(target), all(EXISTING), all(MISSING))))) {
            String secret = sha256(referrer); // a blob (the referrer manifest's bytes) that only B has
            Map<String, String> shapes = new LinkedHashMap<>();
            for (String from : List.of(EXISTING, MISSING)) {
                Resp r = c.post("/v2/" + target + "/blobs/uploads/?mount=" + secret + "&from=" + from, new byte[0]);
                assertThat(r.status()).as("%s", r).isEqualTo(202);
                assertThat(r.header("Location")).startsWith("/v2/" + target + "/blobs/uploads/");
                shapes.put(from, r.status() + " " + r.header("Range") + " " + r.text());
                assertThat(c.delete(r.header("Location")).status()).isEqualTo(204);
            }
            assertThat(shapes.get(EXISTING)).isEqualTo(shapes.get(MISSING));
            assertThat(c.head("/v2/" + target + "/blobs/" + secret).status()).isEqualTo(404);
        }
    }

    @Test
    void catalogListsOnlyTheCallersOrganization() {
        List<String> onlyA = List.of(A + "/x", A + "/y");
        for (RegistryClient c : List.of(
                new RegistryClient(d, TestDrydock.basic(DEV, TestDrydock.PASSWORD)),
                new RegistryClient(d, TestDrydock.basic(A + "+ci", robotToken)),
                new RegistryClient(d, bearer(d, DEV, TestDrydock.PASSWORD, "registry:catalog:*")),
                new RegistryClient(d, bearer(d, A + "+ci", robotToken, "registry:catalog:*")))) {
            Resp r = c.get("/v2/_catalog");
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(strings(r.json().get("repositories"))).containsExactlyElementsOf(onlyA);
            // Paging does not step into B either.
            Resp page = c.get("/v2/_catalog?n=1&last=" + A + "/x");
            assertThat(strings(page.json().get("repositories"))).containsExactly(A + "/y");
            assertThat(page.header("Link")).isNull();
            Resp past = c.get("/v2/_catalog?n=5&last=" + A + "/y");
            assertThat(strings(past.json().get("repositories"))).isEmpty();
            // The base endpoint is open to any authenticated caller.
            assertThat(c.get("/v2/").status()).isEqualTo(200);
        }
        // A token without the catalog scope is not enough to list.
        Resp noScope = new RegistryClient(d, bearer(d, DEV, TestDrydock.PASSWORD)).get("/v2/_catalog");
        assertThat(noScope.status()).isEqualTo(401);
        assertThat(noScope.header("WWW-Authenticate")).contains("scope=\"registry:catalog:*\"").contains("error=\"insufficient_scope\"");
        // Positive control: the platform admin sees both organizations.
        Resp admin = new RegistryClient(d, bearer(d, TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD, "registry:catalog:*"))
                .get("/v2/_catalog");
        assertThat(strings(admin.json().get("repositories"))).containsExactly(A + "/x", A + "/y", EXISTING);
    }

    @Test
    void tokenEndpointGrantsNothingInB() {
        List<String[]> logins = List.of(new String[]{DEV, TestDrydock.PASSWORD}, new String[]{A + "+ci", robotToken},
                new String[]{ADMIN_A, TestDrydock.PASSWORD});
        for (String[] login : logins) {
            JsonNode onlyB = jwtPayload(d.token(login[0], login[1], all(EXISTING), all(MISSING),
                    "repository:" + B + "/app:*", "repository:" + EXISTING + ":pull"));
            assertThat(onlyB.get("access")).as("%s asking for B", login[0]).isEmpty();
            assertThat(onlyB.get("sub").asText()).isEqualTo(login[0]);

            JsonNode mixed = jwtPayload(d.token(login[0], login[1], all(A + "/x") + " " + all(EXISTING), all(MISSING)));
            assertThat(mixed.get("access")).as("%s asking for A and B", login[0]).hasSize(1);
            JsonNode granted = mixed.get("access").get(0);
            assertThat(granted.get("type").asText()).isEqualTo("repository");
            assertThat(granted.get("name").asText()).isEqualTo(A + "/x");
            assertThat(strings(granted.get("actions"))).doesNotContain("*");
            for (JsonNode a : mixed.get("access")) assertThat(a.get("name").asText()).doesNotStartWith(B + "/");

            // The OAuth2 form of the endpoint says the same in its scope field.
            Resp form = new RegistryClient(d, null).send("POST", "/auth/token", HttpRequest.BodyPublishers.ofString(
                    "grant_type=password&service=drydock&username=" + enc(login[0]) + "&password=" + enc(login[1])
                            + "&scope=" + enc(all(EXISTING) + " " + all(MISSING))),
                    "Content-Type", "application/x-www-form-urlencoded");
            assertThat(form.status()).as("%s", form).isEqualTo(200);
            assertThat(form.json().get("scope").asText()).isEmpty();
            assertThat(jwtPayload(form.json().get("access_token").asText()).get("access")).isEmpty();
        }
        // Positive control: B's owner does get B.
        JsonNode owner = jwtPayload(d.token(OWNER_B, TestDrydock.PASSWORD, all(EXISTING)));
        assertThat(owner.get("access")).hasSize(1);
        assertThat(strings(owner.get("access").get(0).get("actions"))).containsExactly("delete", "pull", "push");
    }

    @Test
    void withinTheirOwnOrganizationDevelopersAndRobotsMayNotDelete() {
        String repo = A + "/y";
        String blob = "/v2/" + repo + "/blobs/" + sha256(layer);
        Resp devBasic = new RegistryClient(d, TestDrydock.basic(DEV, TestDrydock.PASSWORD)).delete(blob);
        assertThat(devBasic.status()).isEqualTo(403);
        assertThat(devBasic.errorCode()).isEqualTo("DENIED");
        Resp robotBasic = new RegistryClient(d, TestDrydock.basic(A + "+ci", robotToken)).delete("/v2/" + repo + "/manifests/v1");
        assertThat(robotBasic.status()).isEqualTo(403);
        assertThat(robotBasic.errorCode()).isEqualTo("DENIED");
        String devToken = bearer(d, DEV, TestDrydock.PASSWORD, all(repo));
        assertThat(strings(jwtPayload(devToken).get("access").get(0).get("actions"))).containsExactly("pull", "push");
        Resp devBearer = new RegistryClient(d, devToken).delete("/v2/" + repo + "/manifests/v1");
        assertThat(devBearer.status()).isEqualTo(401);
        assertThat(devBearer.header("WWW-Authenticate")).contains("scope=\"repository:" + repo + ":delete\"")
                .contains("error=\"insufficient_scope\"");
        // They may pull and push there, and the org admin may delete.
        RegistryClient robot = new RegistryClient(d, bearer(d, A + "+ci", robotToken, all(repo)));
        assertThat(robot.get("/v2/" + repo + "/manifests/v1").status()).isEqualTo(200);
        robot.pushManifest(repo, "robot", OCI_MANIFEST, manifest);
        RegistryClient admin = new RegistryClient(d, bearer(d, ADMIN_A, TestDrydock.PASSWORD, all(repo)));
        assertThat(admin.delete("/v2/" + repo + "/manifests/robot").status()).isEqualTo(202);
        assertThat(admin.get("/v2/" + repo + "/manifests/v1").body()).isEqualTo(manifest);
    }

    private void assertBUntouched() {
        assertThat(ownerB.get("/v2/" + EXISTING + "/manifests/v1").body()).isEqualTo(manifest);
        assertThat(ownerB.get("/v2/" + EXISTING + "/manifests/" + manifestDigest).status()).isEqualTo(200);
        assertThat(ownerB.get("/v2/" + EXISTING + "/blobs/" + sha256(layer)).body()).isEqualTo(layer);
        assertThat(strings(ownerB.get("/v2/" + EXISTING + "/tags/list").json().get("tags"))).containsExactly("v1");
        assertThat(ownerB.get("/v2/" + EXISTING + "/referrers/" + manifestDigest).json().get("manifests")).hasSize(1);
        Resp upload = ownerB.get(uploadB);
        assertThat(upload.status()).isEqualTo(204);
        assertThat(upload.header("Range")).isEqualTo("0-4");
        assertThat(ownerB.get("/v2/" + MISSING + "/tags/list").status()).isEqualTo(404);
        assertThat(ownerB.head("/v2/" + EXISTING + "/blobs/" + sha256(utf8("new content"))).status()).isEqualTo(404);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
