package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.image.TestTar;
import dev.drydock.compliance.ShippedSchema;
import dev.drydock.testkit.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.drydock.server.TestImages.GOOD_MANIFEST;
import static dev.drydock.server.TestImages.adapterLayer;
import static dev.drydock.server.TestImages.image;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code drydock check IMAGE}: the same checks as a push, on OCI layout directories written by test code and on
 * archives written by {@code podman save} from images built with buildah; the report printed, its exit code.
 */
class CheckCommandTest {
    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {
        JsonNode report() {
            assertThat(ShippedSchema.REPORT.violations(out)).as("report schema violations of\n" + out).isEmpty();
            return BuildFixture.parse(out);
        }

        String verdict(String checkId) {
            for (JsonNode c : report().get("checks")) if (c.get("id").asText().equals(checkId)) return c.get("verdict").asText();
            throw new AssertionError("no check " + checkId + " in " + out);
        }
    }

    private static Run drydock(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path layout(String name, TestImages.Built image) throws IOException {
        return TestImages.writeLayout(image, tmp.resolve(name));
    }

    @Test
    void goodLayoutPassesAndManifestMatchesNeedsTheAdaptersCategory() throws IOException {
        Path good = layout("good", image().layer(adapterLayer(GOOD_MANIFEST, "x"), "COPY . /").build());
        Run alone = drydock("check", good.toString());
        assertThat(alone.exitCode()).as(alone.err()).isZero();
        assertThat(alone.report().get("success").asBoolean()).isTrue();
        assertThat(alone.verdict("manifest.matches")).isEqualTo("skipped");
        assertThat(alone.report().at("/inspect/0/Os").asText()).isEqualTo("linux");

        Run matching = drydock("check", good.toString(), "--category", "pull", "--engine-mode", "batch",
                "--deployment-model", "FullyNetworkIsolated");
        assertThat(matching.exitCode()).isZero();
        assertThat(matching.verdict("manifest.matches")).isEqualTo("passed");

        Run otherCategory = drydock("check", good.toString(), "--category", "push");
        assertThat(otherCategory.exitCode()).isEqualTo(1);
        assertThat(otherCategory.report().get("errors").get(0).asText()).contains("registered as push");
    }

    @Test
    void badLayoutExitsOneAndTheTableNamesTheFix() throws IOException {
        Path noManifest = layout("bad", image().layer(new TestTar().dir("app").file("app/adapter", "x"), "COPY . /").build());
        Run json = drydock("check", noManifest.toString());
        assertThat(json.exitCode()).isEqualTo(1);
        assertThat(json.report().get("errors").get(0).asText()).startsWith("Missing /var/manifest.json");
        Run table = drydock("check", "--format", "table", noManifest.toString());
        assertThat(table.exitCode()).isEqualTo(1);
        assertThat(table.out()).containsPattern("manifest.present\\s+failed\\s+Missing /var/manifest.json")
                .containsPattern("manifest.valid\\s+skipped\\s+not checked: manifest.present did not pass")
                .contains("FAILED, 1 error", "  - Missing /var/manifest.json");
    }

    @Test
    void usageErrorsExitTwoSayingWhatToDo() throws IOException {
        Path good = layout("usage", image().layer(adapterLayer(GOOD_MANIFEST, "x"), "COPY . /").build());
        Run missing = drydock("check", tmp.resolve("nope.tar").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file or directory").contains("docker save");
        Run category = drydock("check", good.toString(), "--category", "wizardry");
        assertThat(category.exitCode()).isEqualTo(2);
        assertThat(category.err()).contains("unknown --category wizardry; one of pull, push");
        assertThat(drydock("check", good.toString(), "--engine-id", "not-a-uuid").err()).contains("a UUID like");
        assertThat(drydock("check").exitCode()).isEqualTo(2);
        assertThat(drydock("check", good.toString(), "--engine-mode", "sometimes").exitCode()).isEqualTo(2);
        Path notAnImage = Files.writeString(tmp.resolve("notes.txt"), "hello");
        Run unreadable = drydock("check", notAnImage.toString());
        assertThat(unreadable.exitCode()).isEqualTo(2);
        assertThat(unreadable.err()).startsWith("drydock check: cannot read " + notAnImage + ": ");
    }

    @Test
    void podmanSavedArchivesOfImagesBuiltWithBuildah() throws IOException {
        Prerequisites.requireTools("buildah", "podman");
        Tools tools = ContainerStore.tools(tmp);
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        Path context = store.commitGoodAdapter(tools, tmp.resolve("context"), "localhost/drydock-test/good:1");
        tools.ok(store.buildah("from", "--name", "cmd", "scratch"));
        tools.ok(store.buildah("copy", "cmd", context.resolve("adapter").toString(), "/app/adapter"));
        tools.ok(store.buildah("config", "--cmd", "[\"/app/adapter\"]", "cmd"));
        tools.ok(store.buildah("commit", "--rm", "cmd", "localhost/drydock-test/cmd-only:1"));

        Path goodTar = tmp.resolve("good.tar");
        Path badTar = tmp.resolve("cmd-only.tar");
        tools.ok(store.podman("save", "--format", "docker-archive", "-o", goodTar.toString(), "localhost/drydock-test/good:1"));
        tools.ok(store.podman("save", "--format", "oci-archive", "-o", badTar.toString(), "localhost/drydock-test/cmd-only:1"));

        Run good = drydock("check", goodTar.toString(), "--category", "pull", "--engine-mode", "batch");
        assertThat(good.exitCode()).as(good.out() + good.err()).isZero();
        assertThat(good.report().get("image").asText()).isEqualTo("localhost/drydock-test/good:1");
        assertThat(good.report().at("/inspect/0/RepoTags/0").asText()).isEqualTo("localhost/drydock-test/good:1");
        assertThat(good.verdict("manifest.matches")).isEqualTo("passed");

        Run bad = drydock("check", badTar.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.report().get("errors").valueStream().map(JsonNode::asText)).containsExactly(
                "Missing /var/manifest.json: copy your manifest to /var/manifest.json in the Dockerfile, e.g. COPY manifest.json /var/manifest.json",
                "The image sets only CMD [/app/adapter], no ENTRYPOINT: use ENTRYPOINT in exec form, e.g. ENTRYPOINT [\"/app/adapter\"]");
    }
}
