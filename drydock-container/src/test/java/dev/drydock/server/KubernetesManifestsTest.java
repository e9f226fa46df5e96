package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.drydock.server.config.DrydockConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kubernetes/drydock.yaml stays in step with the product (no cluster runs here): every Deployment's arguments
 * parse as Drydock's command line, its properties and environment are keys Drydock knows and together make a
 * configuration Drydock accepts, and its probes ask the routes that exist on the port the node listens on.
 */
class KubernetesManifestsTest {
    private static final Path MANIFEST = Path.of("..", "deploy", "kubernetes", "drydock.yaml");
    /** What the operator puts in the drydock-secrets Secret (the manifest's header says how). */
    private static final Map<String, String> SECRETS = Map.of(
            "DRYDOCK_DB_PASSWORD", "a-database-password",
            "DRYDOCK_STORAGE_S3_ACCESS_KEY", "an-access-key",
            "DRYDOCK_STORAGE_S3_SECRET_KEY", "a-secret-key",
            "DRYDOCK_METRICS_TOKEN", "0123456789abcdef0123456789abcdef",
            "DRYDOCK_ADMIN_EMAIL", "admin@example.com",
            "DRYDOCK_ADMIN_PASSWORD", "an-admin-password");

    @Test
    void everyDeploymentRunsAConfigurationDrydockAccepts() throws IOException {
        List<JsonNode> documents = documents();
        String properties = documents.stream().filter(d -> d.path("kind").asText().equals("ConfigMap"))
                .findFirst().orElseThrow().path("data").path("drydock.properties").asText();
        Path configFile = Files.createTempFile("drydock", ".properties");
        Files.writeString(configFile, properties);
        Map<String, String> knownEnv = DrydockConfig.KEYS.keySet().stream()
                .collect(Collectors.toMap(DrydockConfig::envName, k -> k));
        for (String key : SECRETS.keySet()) {
            assertThat(knownEnv.containsKey(key) || key.startsWith("DRYDOCK_ADMIN_")).as("secret " + key).isTrue();
        }
        for (String line : properties.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
            assertThat(DrydockConfig.KEYS).as("drydock.properties: " + line).containsKey(line.substring(0, line.indexOf('=')));
        }

        List<String> roles = new ArrayList<>();
        for (JsonNode deployment : documents.stream().filter(d -> d.path("kind").asText().equals("Deployment")).toList()) {
            String name = deployment.path("metadata").path("name").asText();
            JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
            Map<String, String> env = new HashMap<>(SECRETS);
            for (JsonNode e : container.path("env")) {
                assertThat(knownEnv).as(name + " env " + e.path("name").asText()).containsKey(e.path("name").asText());
                env.put(e.path("name").asText(), e.path("value").asText());
            }

            List<String> args = new ArrayList<>();
            container.path("args").forEach(a -> args.add(a.asText()));
            CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
            assertThat(parsed.subcommand().commandSpec().name()).as(name).isEqualTo("serve");
            roles.add(parsed.subcommand().matchedOptionValue("--role", "all"));
            assertThat(args).as(name + " reads the ConfigMap's file").containsSubsequence("--config", "/etc/drydock/drydock.properties");

            DrydockConfig config = DrydockConfig.load(configFile, env, new HashMap<>());
            int port = config.port();
            for (String probe : List.of("readinessProbe", "livenessProbe")) {
                JsonNode get = container.path(probe).path("httpGet");
                assertThat(get.path("path").asText()).as(name + " " + probe).isIn("/readyz", "/healthz");
                JsonNode probePort = get.path("port");
                int asked = probePort.isInt() ? probePort.asInt() : container.path("ports").findValues("containerPort").getFirst().asInt();
                assertThat(asked).as(name + " " + probe + " asks the port Drydock listens on").isEqualTo(port);
            }
        }
        assertThat(roles).containsExactlyInAnyOrder("api", "worker");
    }

    private static List<JsonNode> documents() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = yaml.getFactory().createParser(MANIFEST.toFile())) {
            yaml.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
        }
        return documents;
    }
}
