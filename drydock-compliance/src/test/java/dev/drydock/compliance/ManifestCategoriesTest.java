package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ManifestCategories#REGISTERED} is the one list of categories: drydock-platform registers adapters in these
 * ids, {@code manifest.matches} resolves Veritone's names to them, and the served manifest schema lists them as the
 * category's examples.
 */
class ManifestCategoriesTest {

    @Test
    void theListHoldsEachIdOnceWithTheAdaptersAndEveryNameResolvingToIt() {
        assertThat(new HashSet<>(ManifestCategories.REGISTERED)).hasSameSizeAs(ManifestCategories.REGISTERED);
        assertThat(ManifestCategories.REGISTERED).startsWith("pull", "push").contains("transcription", "transcode");
        assertThat(ManifestCategories.REGISTERED).containsAll(ManifestCategories.ADAPTERS);
        assertThat(ManifestCategories.ADAPTERS).containsExactlyInAnyOrder("pull", "push");
        assertThat(ManifestCategories.NAMES.values()).allSatisfy(id -> assertThat(ManifestCategories.isRegistered(id)).as(id).isTrue());
        assertThat(ManifestCategories.REGISTERED).allSatisfy(id -> assertThat(ManifestCategories.resolve(id)).contains(id));
        assertThat(ManifestCategories.isRegistered("Object Detection")).isFalse(); // registration takes the id exactly
        assertThat(ManifestCategories.isRegistered(null)).isFalse();
        assertThat(ManifestCategories.isAdapter("pull")).isTrue();
        assertThat(ManifestCategories.isAdapter("transcription")).isFalse();
    }

    @Test
    void manifestSchemaListsTheRegistrationCategories() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(ShippedSchema.MANIFEST.text());
        List<String> categories = new ArrayList<>();
        schema.at("/properties/category/examples").forEach(c -> categories.add(c.asText()));
        assertThat(categories).containsExactlyElementsOf(ManifestCategories.REGISTERED);
        List<String> adapters = new ArrayList<>();
        schema.at("/if/properties/category/enum").forEach(c -> adapters.add(c.asText()));
        assertThat(adapters).containsExactlyInAnyOrderElementsOf(ManifestCategories.ADAPTERS);
    }
}
