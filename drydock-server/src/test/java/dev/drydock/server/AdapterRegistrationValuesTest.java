package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.compliance.ManifestCategories;
import dev.drydock.platform.adapters.Adapter.DeploymentModel;
import dev.drydock.platform.adapters.Adapter.EngineMode;
import dev.drydock.server.http.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registration form's selects read their values from the OpenAPI document's AdapterCreate schema: it must list
 * exactly what adapter registration accepts, in its order.
 */
class AdapterRegistrationValuesTest {
    @Test
    void theDocumentedValuesAreTheAcceptedOnes() throws IOException {
        JsonNode properties;
        try (InputStream in = AdapterRegistrationValuesTest.class.getResourceAsStream("/api/openapi.json")) {
            properties = Json.MAPPER.readTree(in).at("/components/schemas/AdapterCreate/properties");
        }
        assertThat(values(properties.get("category"))).containsExactlyElementsOf(ManifestCategories.REGISTERED);
        assertThat(values(properties.get("engineMode")))
                .containsExactlyElementsOf(Arrays.stream(EngineMode.values()).map(Enum::name).toList());
        assertThat(values(properties.get("deploymentModel")))
                .containsExactlyElementsOf(Arrays.stream(DeploymentModel.values()).map(Enum::name).toList());
    }

    private static List<String> values(JsonNode property) {
        List<String> values = new ArrayList<>();
        property.get("enum").forEach(v -> values.add(v.asText()));
        return values;
    }
}
