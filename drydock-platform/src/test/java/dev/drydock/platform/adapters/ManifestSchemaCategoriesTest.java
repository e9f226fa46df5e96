package dev.drydock.platform.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.compliance.ManifestCategories;
import dev.drydock.compliance.ShippedSchema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registration categories live here (what the API accepts) and in drydock-compliance (what a manifest's category
 * is compared with, and Veritone's names for each); the served manifest schema lists them as the category's examples.
 * A category added here but not there would make every manifest of that category an "unknown category".
 */
class ManifestSchemaCategoriesTest {

    @Test
    void complianceComparesWithExactlyTheRegistrationCategories() {
        assertThat(ManifestCategories.REGISTERED).containsExactlyElementsOf(Categories.ALL);
        assertThat(ManifestCategories.ADAPTERS).containsExactlyInAnyOrderElementsOf(Categories.ADAPTERS);
        assertThat(ManifestCategories.NAMES.values()).allSatisfy(id -> assertThat(Categories.isKnown(id)).as(id).isTrue());
    }

    @Test
    void manifestSchemaListsTheRegistrationCategories() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(ShippedSchema.MANIFEST.text());
        List<String> categories = new ArrayList<>();
        schema.at("/properties/category/examples").forEach(c -> categories.add(c.asText()));
        assertThat(categories).containsExactlyElementsOf(Categories.ALL);
        List<String> adapters = new ArrayList<>();
        schema.at("/if/properties/category/enum").forEach(c -> adapters.add(c.asText()));
        assertThat(adapters).containsExactlyInAnyOrderElementsOf(Categories.ADAPTERS);
    }
}
