package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Engines that answer what no engine on our machines can be made to answer: a network created without a subnet, a
 * create refused. A <b>stand-in engine</b> (a JDK HTTP server speaking the few Docker Engine API calls a run makes up
 * to the network) is the boundary mock here; the real engines are tested in {@link SandboxEngineTest}.
 */
class MisbehavingEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private volatile String networkIpam;
    private volatile int createStatus = 201;
    private volatile String createAnswer = "{\"Id\":\"n1\",\"Warning\":\"\"}";
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath().replaceFirst("^/v[0-9.]+/", "/");
        requests.add(method + " " + path);
        ex.getRequestBody().readAllBytes();
        int status = 200;
        String body;
        if (path.equals("/_ping")) body = "OK";
        else if (path.equals("/version")) {
            body = "{\"Version\":\"4.3.1\",\"ApiVersion\":\"1.41\",\"Components\":[{\"Name\":\"Podman Engine\",\"Version\":\"4.3.1\"}]}";
        } else if (path.equals("/info")) body = "{\"OperatingSystem\":\"debian\",\"Driver\":\"vfs\"}";
        else if (path.equals("/libpod/info")) body = "{\"host\":{\"networkBackend\":\"cni\"}}";
        else if (path.equals("/images/create")) body = "{\"status\":\"Downloaded newer image\"}";
        else if (path.startsWith("/images/") && path.endsWith("/json")) body = "{\"Id\":\"sha256:" + "a".repeat(64) + "\"}";
        else if (path.equals("/networks") && method.equals("GET")) body = "[]";
        else if (path.equals("/networks/create")) {
            status = createStatus;
            body = createAnswer;
        } else if (path.startsWith("/networks/") && method.equals("GET")) {
            body = "{\"Name\":\"" + path.substring("/networks/".length()) + "\",\"Driver\":\"bridge\",\"IPAM\":" + networkIpam + ",\"Options\":{}}";
        } else if (method.equals("DELETE")) {
            status = 204;
            body = "";
        } else {
            status = 404;
            body = "{\"message\":\"not served by this stand-in: " + path + "\"}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("{") || body.startsWith("[") ? "application/json" : "text/plain");
        ex.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
        if (status != 204) ex.getResponseBody().write(bytes);
        ex.close();
    }

    private String endpoint() {
        return "tcp://127.0.0.1:" + server.getAddress().getPort();
    }

    private SandboxResult run() throws IOException {
        try (Sandbox sandbox = Sandbox.open(SandboxConfig.defaults(endpoint()))) {
            return sandbox.run(SandboxRequest.of("127.0.0.1:5000/17532/a:1", JSON.readTree(Adapters.manifest("pull", null)),
                    DeploymentModel.FullyNetworkIsolated));
        }
    }

    /** The run could not be done ({@code ERROR}, which compliance judges {@code error}): why, as the result says. */
    private static String runError(SandboxResult r) {
        assertThat(r.outcome()).isEqualTo(SandboxResult.Outcome.ERROR);
        return r.error();
    }

    @Test
    void aNetworkWithoutSubnetNamesTheEngineAndTheFix() throws IOException {
        networkIpam = "{\"Driver\":\"default\",\"Config\":[{\"Subnet\":\"<nil>\",\"Gateway\":\"<nil>\"}]}";
        String message = runError(run());
        assertThat(message).startsWith("Podman 4.3.1 at " + endpoint() + " created the run network ddsb-")
                .contains("without an IPv4 subnet (Drydock asked for 10.213.")
                .contains("apt-get install -y netavark aardvark-dns")
                .contains("network_backend = \"netavark\"")
                .doesNotContain("Exception");
        // the half-made network is removed again
        assertThat(requests).anyMatch(r -> r.startsWith("DELETE /networks/ddsb-"));
    }

    @Test
    void doctorSaysWhenARunNetworkGetsNoSubnetAndNamesTheFix() {
        networkIpam = "{\"Driver\":\"default\",\"Config\":[{\"Subnet\":\"<nil>\",\"Gateway\":\"<nil>\"}]}";
        List<SandboxDoctor.Finding> findings = SandboxDoctor.diagnose(SandboxConfig.defaults(endpoint()));
        SandboxDoctor.Finding backend = findings.stream().filter(f -> f.name().equals("engine.network")).findFirst().orElseThrow();
        assertThat(backend.detail()).startsWith("Podman with its CNI backend");
        SandboxDoctor.Finding probe = findings.stream().filter(f -> f.name().equals("sandbox.network")).findFirst().orElseThrow();
        assertThat(probe.ok()).isFalse();
        assertThat(probe.detail()).contains("without an IPv4 subnet").doesNotContain("<nil>");
        assertThat(probe.fix()).contains("apt-get install -y netavark aardvark-dns").contains("network_backend = \"netavark\"");
    }

    @Test
    void anEmptyIpamIsNoSubnetEither() throws IOException {
        networkIpam = "{\"Driver\":\"default\",\"Config\":[]}";
        assertThat(runError(run())).contains("without an IPv4 subnet").doesNotContain("<nil>");
    }

    @Test
    void aNilGatewayIsDerivedFromTheSubnet() {
        networkIpam = "{\"Driver\":\"default\",\"Config\":[{\"Subnet\":\"10.213.40.0/24\",\"Gateway\":\"<nil>\"}]}";
        try (DockerEngineRunner runner = DockerEngineRunner.connect(endpoint())) {
            ContainerRunner.RunNetwork net = runner.createNetwork("ddsb-x", true, "ddsbx", new SubnetPool.Subnet("10.213.40.0/24", "10.213.40.1"),
                    Map.of());
            assertThat(net.subnet()).isEqualTo("10.213.40.0/24");
            assertThat(net.gateway()).isEqualTo("10.213.40.1");
            assertThat(net.bridge()).isEqualTo("ddsbx");
        }
    }

    @Test
    void aRefusedCreateNamesTheEngineAndTheEnginesReason() throws IOException {
        createStatus = 500;
        createAnswer = "{\"cause\":\"plugin\",\"message\":\"failed to find plugin \\\"bridge\\\" in path [/usr/lib/cni]\",\"response\":500}";
        String message = runError(run());
        assertThat(message).startsWith("Podman 4.3.1 at " + endpoint() + " could not create the run network ddsb-")
                .contains("failed to find plugin")
                .contains("./drydock doctor");
    }

    @Test
    void anOverlappingSubnetIsReportedForARetry() {
        createStatus = 409;
        createAnswer = "{\"message\":\"subnet 10.213.40.0/24 is already used on the host or by another config\"}";
        try (DockerEngineRunner runner = DockerEngineRunner.connect(endpoint())) {
            assertThatThrownBy(() -> runner.createNetwork("ddsb-x", true, "ddsbx", new SubnetPool.Subnet("10.213.40.0/24", "10.213.40.1"), Map.of()))
                    .isInstanceOf(ContainerRunner.SubnetTakenException.class);
        }
        // a run tries other subnets, then gives up naming the setting
        String[] message = new String[1];
        try {
            message[0] = runError(run());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(message[0]).contains("the engine refused 5 subnets of sandbox.subnet-pool").contains("choose another private range");
        assertThat(requests.stream().filter(r -> r.equals("POST /networks/create")).count()).isEqualTo(6);
    }
}
