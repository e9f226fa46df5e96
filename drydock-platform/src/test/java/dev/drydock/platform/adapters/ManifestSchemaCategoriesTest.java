package dev.drydock.platform.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.compliance.ShippedSchema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifest schema (drydock-compliance) spells out the categories an adapter can be registered in; a
 * category added here but not there would make every manifest of that category invalid.
 */
class ManifestSchemaCategoriesTest {

    @Test
    void manifestSchemaAcceptsExactlyTheRegistrationCategories() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(ShippedSchema.MANIFEST.text());
        List<String> categories = new ArrayList<>();
        schema.at("/properties/category/enum").forEach(c -> categories.add(c.asText()));
        assertThat(categories).containsExactlyElementsOf(Categories.ALL);
        List<String> adapters = new ArrayList<>();
        schema.at("/if/properties/category/enum").forEach(c -> adapters.add(c.asText()));
        assertThat(adapters).containsExactlyInAnyOrderElementsOf(Categories.ADAPTERS);
    }
}
