package dev.drydock.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./drydock doctor}: each finding with its fix; exit 0 with a usable runtime, 1 without, 2 on bad configuration. */
class DoctorCommandTest {
    @TempDir
    Path data;

    record Run(int code, String out, String err) {}

    private Run doctor(String properties) throws IOException {
        Files.writeString(data.resolve("drydock.properties"), properties);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("doctor", "--data", data.toString());
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void disabledSandboxIsNotUsable() throws IOException {
        Run r = doctor("sandbox.engine=none\n");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("[!!] sandbox: disabled (sandbox.engine=none)").contains("fix: set sandbox.engine=auto");
    }

    @Test
    void aMissingSocketNamesTheFix() throws IOException {
        Run r = doctor("sandbox.engine=unix://" + data.resolve("nothing.sock") + "\n");
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("[!!] engine.socket: " + data.resolve("nothing.sock") + " does not exist")
                .contains("fix: start an engine there");
    }

    @Test
    void anInvalidEngineIsAConfigurationError() throws IOException {
        Run r = doctor("sandbox.engine=docker\n");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("sandbox.engine must be auto, podman, none");
    }

    /** What serve would do on this machine: start its own Podman service (here in a temporary directory) and examine it. */
    @Test
    void itsOwnPodmanServiceIsUsable() throws IOException {
        SandboxE2ETest.require();
        Run r = doctor("sandbox.engine=podman\n");
        assertThat(r.out()).contains("serve starts its own Podman service").contains("[ok] engine.ping: Podman ")
                .contains("[ok] engine.network: Podman with its netavark backend")
                .containsPattern("\\[ok] sandbox.network: an internal run network gets subnet 10\\.213\\.\\d+\\.0/24 and gateway 10\\.213\\.\\d+\\.1")
                .contains("[ok] sandbox.fence").contains("usable: builds will be run in the sandbox");
        assertThat(r.code()).as(r.out()).isZero();
    }
}
