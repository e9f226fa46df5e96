package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.adapters.Adapter;
import dev.drydock.platform.adapters.Adapter.AdapterState;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.builds.BuildAction;
import dev.drydock.platform.builds.BuildLifecycle;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.identity.Principal;
import dev.drydock.platform.vulns.VulnerabilityService;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The JSON shapes of adapters and builds, shared by the resources that answer with them. */
final class ApiViews {
    private final AdapterService adapters;
    private final BuildService builds;
    private final VulnerabilityService vulns;
    private final Challenge challenge;

    ApiViews(AdapterService adapters, BuildService builds, VulnerabilityService vulns, Challenge challenge) {
        this.adapters = adapters;
        this.builds = builds;
        this.vulns = vulns;
        this.challenge = challenge;
    }

    /** The registry's host as clients write it in image references, e.g. {@code registry.example.com}. */
    private String registryHost(Context ctx) {
        return challenge.baseUrl(ctx).replaceFirst("^https?://", "");
    }

    /** An adapter as {@code principal} sees it (the actions it may take on it). */
    Map<String, Object> adapter(Context ctx, Principal principal, Adapter a) {
        String host = registryHost(ctx);
        String target = host + "/" + a.repository();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("engineId", a.engineId());
        v.put("orgId", a.orgId());
        v.put("name", a.name());
        v.put("category", a.category());
        v.put("engineMode", a.engineMode());
        v.put("deploymentModel", a.deploymentModel());
        v.put("state", a.state());
        v.put("repository", a.repository());
        v.put("image", target);
        Map<String, String> commands = new LinkedHashMap<>();
        commands.put("build", "docker build -t " + a.name() + " .");
        commands.put("login", "docker login " + host);
        commands.put("tag", "docker tag " + a.name() + " " + target + ":<tag>");
        commands.put("push", "docker push " + target + ":<tag>");
        v.put("commands", commands);
        v.put("allowedActions", adapters.allowedActions(principal, a).stream().map(Enum::name).toList());
        v.put("createdBy", a.createdBy());
        v.put("created", a.created());
        return v;
    }

    /** A build as {@code principal} sees it; {@code detail} adds its checks and history. */
    Map<String, Object> build(Context ctx, Principal principal, Build b, boolean detail) {
        return build(ctx, b, builds.allowedActions(principal, b), Extras.of(List.of(b), builds, vulns), detail);
    }

    /** Builds of one adapter (in state {@code adapterState}) as {@code principal} sees them, in a fixed number of queries. */
    List<Map<String, Object>> builds(Context ctx, Principal principal, List<Build> list, AdapterState adapterState) {
        Extras extras = Extras.of(list, builds, vulns);
        return list.stream().map(b -> build(ctx, b, builds.allowedActions(principal, b, adapterState), extras, false)).toList();
    }

    /** Builds of any adapters (the review queue) as {@code principal} sees them. */
    List<Map<String, Object>> builds(Context ctx, Principal principal, List<Build> list) {
        Extras extras = Extras.of(list, builds, vulns);
        return list.stream().map(b -> build(ctx, b, builds.allowedActions(principal, b), extras, false)).toList();
    }

    /** What a build's view adds from other tables, read for a whole list at once: test durations, stored SBOMs. */
    private record Extras(Map<String, Long> testDurations, Set<String> sboms,
                          Map<String, VulnerabilityService.Vulnerable> vulnerable) {
        static Extras of(List<Build> list, BuildService builds, VulnerabilityService vulns) {
            List<String> ids = list.stream().map(Build::id).toList();
            return new Extras(builds.testDurations(list), vulns.sbomsStored(ids), vulns.vulnerable(ids));
        }
    }

    private Map<String, Object> build(Context ctx, Build b, Set<BuildAction> allowed, Extras extras, boolean detail) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", b.id());
        v.put("engineId", b.engineId());
        v.put("state", b.state());
        v.put("image", registryHost(ctx) + "/" + b.imagePath());
        v.put("digest", b.digest().toString());
        v.put("tag", b.tag());
        v.put("uploadTime", b.uploadTime());
        v.put("user", b.user());
        v.put("allowedActions", allowed.stream().map(Enum::name).toList());
        boolean reportAvailable = BuildLifecycle.reportDownloadable(b.state());
        v.put("reportAvailable", reportAvailable);
        // the SBOM comes from the vulnerability scan: a build that failed before it has a report but no SBOM
        v.put("sbomAvailable", reportAvailable && extras.sboms().contains(b.id()));
        v.put("testDuration", extras.testDurations().get(b.id()));
        // what vulnerability monitoring found after the build was tested (advisories imported since)
        VulnerabilityService.Vulnerable vulnerable = extras.vulnerable().get(b.id());
        Map<String, Object> monitored = null;
        if (vulnerable != null) {
            monitored = new LinkedHashMap<>();
            monitored.put("since", vulnerable.since());
            monitored.put("findings", vulnerable.findings());
            if (detail) monitored.put("details", vulns.monitoredFindings(b.id()));
        }
        v.put("vulnerable", monitored);
        if (detail) {
            v.put("checks", checks(b));
            v.put("history", builds.history(b.id()));
        }
        return v;
    }

    private List<Object> checks(Build b) {
        return builds.report(b.id()).map(json -> {
            try {
                JsonNode checks = Json.MAPPER.readTree(json).get("checks");
                return checks == null ? List.<Object>of() : List.<Object>of(Json.MAPPER.treeToValue(checks, Object[].class));
            } catch (java.io.IOException e) {
                return List.<Object>of();
            }
        }).orElse(List.of());
    }
}
