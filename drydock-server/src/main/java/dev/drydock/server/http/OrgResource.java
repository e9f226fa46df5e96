package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.vulns.VulnerabilityService;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/** Organizations: {@code /api/v1/orgs} and {@code /api/v1/orgs/{orgId}}, and the org's settings (PATCH). */
final class OrgResource {
    /** The settings {@code PATCH /api/v1/orgs/{orgId}} changes. */
    static final String INVALIDATE_VULNERABLE_BUILDS = "invalidateVulnerableBuilds";

    private final IdentityService identity;
    private final VulnerabilityService vulns;

    OrgResource(IdentityService identity, VulnerabilityService vulns) {
        this.identity = identity;
        this.vulns = vulns;
    }

    void list(Context ctx, Caller caller) {
        Json.write(ctx, 200, identity.orgs(caller.principal()));
    }

    void create(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        Json.write(ctx, 201, identity.createOrg(caller.principal(), Json.number(body, "id"), Json.text(body, "name")));
    }

    void get(Context ctx, Caller caller) {
        Json.write(ctx, 200, view(identity.org(caller.principal(), caller.org())));
    }

    /** Changes the org's settings (its admins): today whether monitoring invalidates its vulnerable released builds. */
    void update(Context ctx, Caller caller) {
        JsonNode body = Json.readObject(ctx);
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals(INVALIDATE_VULNERABLE_BUILDS)) {
                throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "'" + name + "' is not a setting that can be changed; "
                        + "settings: " + INVALIDATE_VULNERABLE_BUILDS, Map.of("field", name));
            }
        }
        JsonNode value = body.get(INVALIDATE_VULNERABLE_BUILDS);
        if (value == null || !value.isBoolean()) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "'" + INVALIDATE_VULNERABLE_BUILDS + "' must be true or false",
                    Map.of("field", INVALIDATE_VULNERABLE_BUILDS));
        }
        vulns.setInvalidatesVulnerableBuilds(caller.principal(), caller.org(), value.booleanValue());
        Json.write(ctx, 200, view(identity.org(caller.principal(), caller.org())));
    }

    private Map<String, Object> view(IdentityService.Org org) {
        Map<String, Object> v = new LinkedHashMap<>(Json.MAPPER.convertValue(org, Json.MAPPER.getTypeFactory()
                .constructMapType(LinkedHashMap.class, String.class, Object.class)));
        v.put(INVALIDATE_VULNERABLE_BUILDS, vulns.invalidatesVulnerableBuilds(org.id()));
        return v;
    }
}
