package dev.drydock.server.builds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.BuildFixture.Party;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The adapter view's allowedActions: what the adapter's state offers, to members of its organization only. */
class AdapterAllowedActionsTest {
    private static BuildFixture w;

    @BeforeAll
    static void start() {
        w = BuildFixture.withParties();
    }

    @AfterAll
    static void stop() {
        if (w != null) w.close();
    }

    private static List<String> allowed(Party party, String engineId) {
        JsonNode adapter = w.d.api("GET", "/api/v1/adapters/" + engineId, w.auth(party), null, 200);
        List<String> actions = new ArrayList<>();
        adapter.get("allowedActions").forEach(a -> actions.add(a.asText()));
        return actions;
    }

    @Test
    void eachStateOffersItsActionsToMembersAndNoneToOthers() {
        String engineId = w.build(w.prepare("offers", "deployed")).get("engineId").asText();
        assertThat(allowed(Party.developer, engineId)).containsExactly("disable", "delete");
        assertThat(allowed(Party.robot, engineId)).containsExactly("disable", "delete");
        assertThat(allowed(Party.reviewer, engineId)).isEmpty();
        assertThat(allowed(Party.platformAdmin, engineId)).isEmpty();

        w.adapterAction(w.dev(), engineId, "disable", 200);
        assertThat(allowed(Party.orgAdmin, engineId)).containsExactly("enable", "delete");

        String fresh = w.register("offers-pending");
        assertThat(allowed(Party.developer, fresh)).containsExactly("delete");
        // what the view offers is what the action takes: enabling a pending adapter is refused
        assertThat(w.adapterAction(w.dev(), fresh, "enable", 409).get("error").get("code").asText())
                .isEqualTo("ADAPTER_ACTION_NOT_ALLOWED");
        w.adapterAction(w.dev(), fresh, "delete", 200);
    }
}
