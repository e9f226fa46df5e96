package dev.drydock.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.adapters.Adapter;
import dev.drydock.platform.adapters.Adapter.AdapterState;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.builds.BuildAction;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.BuildState;
import dev.drydock.platform.identity.Principal;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLContext;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.CoercedVariables;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerParameters;
import graphql.execution.DataFetcherExceptionHandlerResult;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLEnumValueDefinition;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.NaturalEnumValuesProvider;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /graphql}: engines (adapters) and their builds, Veritone-shaped, over the same services and
 * authentication as the REST API. The schema is {@code graphql/schema.graphqls}; its build enums are the
 * platform's ({@link PlatformBuildStatus}, {@link PlatformBuildAction}), the others spell the domain's enums,
 * and each must hold exactly the values of its Java enum (checked at start-up). Domain errors become GraphQL errors with
 * {@code extensions.code} set to the {@link ApiErrorCode}; only a failed authentication or an unreadable
 * request is an HTTP error (401, 400, 413), with the same {@code errors[]} body.
 */
public final class GraphqlRoutes {
    private static final Logger log = LoggerFactory.getLogger(GraphqlRoutes.class);
    public static final String PATH = "/graphql";
    public static final String SCHEMA_RESOURCE = "graphql/schema.graphqls";
    private static final String HOST = "drydock.host";

    private final AdapterService adapters;
    private final BuildService builds;
    private final Challenge challenge;
    private final GraphQL graphql;

    GraphqlRoutes(AdapterService adapters, BuildService builds, Challenge challenge) {
        this.adapters = adapters;
        this.builds = builds;
        this.challenge = challenge;
        this.graphql = GraphQL.newGraphQL(schema())
                .defaultDataFetcherExceptionHandler(new ErrorHandler())
                .instrumentation(new ChainedInstrumentation(
                        new MaxQueryDepthInstrumentation(12), new MaxQueryComplexityInstrumentation(2000)))
                .build();
    }

    /** Authentication and request errors, in the GraphQL response shape rather than the REST one. */
    void writeError(Context ctx, ApiException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", e.getMessage());
        error.put("extensions", extensions(e.code(), e.detail()));
        Json.write(ctx, e.code().status, Map.of("errors", List.of(error)));
    }

    void execute(Context ctx, Caller caller) {
        execute(ctx, caller.principal());
    }

    private void execute(Context ctx, Principal principal) {
        JsonNode body = Json.readObject(ctx);
        String query = Json.text(body, "query");
        if (query == null || query.isBlank()) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "'query' is required: send {\"query\": \"{ engine(id: ...) { name } }\"}",
                    Map.of("field", "query"));
        }
        JsonNode vars = body.get("variables");
        Map<String, Object> variables;
        if (vars == null || vars.isNull()) {
            variables = Map.of();
        } else if (vars.isObject()) {
            variables = Json.MAPPER.convertValue(vars, Json.MAPPER.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
        } else {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "'variables' must be a JSON object", Map.of("field", "variables"));
        }
        String host = challenge.baseUrl(ctx).replaceFirst("^https?://", "");
        ExecutionInput input = ExecutionInput.newExecutionInput()
                .query(query)
                .operationName(Json.text(body, "operationName"))
                .variables(variables)
                .graphQLContext(Map.<Object, Object>of(Principal.class, principal, HOST, host))
                .build();
        ExecutionResult result = graphql.execute(input);
        Map<String, Object> response = result.toSpecification();
        addCodes(response);
        Json.write(ctx, 200, response);
    }

    // ---------------------------------------------------------------- schema and resolvers

    private GraphQLSchema schema() {
        String sdl;
        try (InputStream in = GraphqlRoutes.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) throw new IllegalStateException(SCHEMA_RESOURCE + " is missing from the classpath");
            sdl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
                .scalar(DATE_TIME)
                .type("BuildStatus", t -> t.enumValues(new NaturalEnumValuesProvider<>(PlatformBuildStatus.class)))
                .type("BuildUpdateAction", t -> t.enumValues(new NaturalEnumValuesProvider<>(PlatformBuildAction.class)))
                .type("DrydockBuildState", t -> t.enumValues(new NaturalEnumValuesProvider<>(BuildState.class)))
                .type("EngineState", t -> t.enumValues(new NaturalEnumValuesProvider<>(AdapterState.class)))
                .type("Query", t -> t
                        .dataFetcher("engine", env -> adapters.get(principal(env), env.getArgument("id")))
                        .dataFetcher("engineBuild", env -> builds.get(principal(env), env.getArgument("id"))))
                .type("Mutation", t -> t
                        .dataFetcher("updateEngineBuild", this::updateEngineBuild)
                        .dataFetcher("deleteEngineBuild", this::deleteEngineBuild))
                .type("Engine", t -> t
                        .dataFetcher("id", env -> this.<Adapter>source(env).engineId())
                        .dataFetcher("name", env -> this.<Adapter>source(env).name())
                        .dataFetcher("state", env -> this.<Adapter>source(env).state())
                        .dataFetcher("category", env -> this.<Adapter>source(env).category())
                        .dataFetcher("builds", this::engineBuilds))
                .type("BuildList", t -> t
                        .dataFetcher("records", env -> this.<BuildPage>source(env).records())
                        .dataFetcher("offset", env -> this.<BuildPage>source(env).offset())
                        .dataFetcher("limit", env -> this.<BuildPage>source(env).limit())
                        .dataFetcher("count", env -> this.<BuildPage>source(env).records().size()))
                .type("Build", t -> t
                        .dataFetcher("id", env -> this.<Build>source(env).id())
                        .dataFetcher("engineId", env -> this.<Build>source(env).engineId())
                        .dataFetcher("status", env -> PlatformBuildStatus.of(this.<Build>source(env).state()))
                        .dataFetcher("state", env -> this.<Build>source(env).state())
                        .dataFetcher("dockerImage", env -> env.getGraphQlContext().get(HOST) + "/" + this.<Build>source(env).imagePath())
                        .dataFetcher("createdDateTime", env -> this.<Build>source(env).created())
                        .dataFetcher("modifiedDateTime", env -> this.<Build>source(env).updated())
                        .dataFetcher("digest", env -> this.<Build>source(env).digest().toString())
                        .dataFetcher("tag", env -> this.<Build>source(env).tag())
                        .dataFetcher("uploadTime", env -> Instant.ofEpochMilli(this.<Build>source(env).uploadTime()))
                        .dataFetcher("user", env -> this.<Build>source(env).user())
                        .dataFetcher("validStateActions", this::allowedActions)
                        .dataFetcher("allowedActions", this::allowedActions))
                .type("DeletePayload", t -> t
                        .dataFetcher("id", env -> this.<Map<String, Object>>source(env).get("id"))
                        .dataFetcher("message", env -> this.<Map<String, Object>>source(env).get("message")))
                .build();
        GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring);
        requireSameValues(schema, "BuildStatus", PlatformBuildStatus.class);
        requireSameValues(schema, "BuildUpdateAction", PlatformBuildAction.class);
        requireSameValues(schema, "DrydockBuildState", BuildState.class);
        requireSameValues(schema, "EngineState", AdapterState.class);
        return schema;
    }

    /** Fails start-up when a schema enum and its domain enum drift apart (a value either side lacks). */
    private static void requireSameValues(GraphQLSchema schema, String typeName, Class<? extends Enum<?>> domain) {
        GraphQLEnumType type = (GraphQLEnumType) schema.getType(typeName);
        List<String> inSchema = type.getValues().stream().map(GraphQLEnumValueDefinition::getName).sorted().toList();
        List<String> inDomain = Arrays.stream(domain.getEnumConstants()).map(Enum::name).sorted().toList();
        if (!inSchema.equals(inDomain)) {
            throw new IllegalStateException("GraphQL enum " + typeName + " " + inSchema + " differs from " + domain.getSimpleName()
                    + " " + inDomain + ": update " + SCHEMA_RESOURCE);
        }
    }

    /** One page of an engine's builds: the records, where the page starts and its size. */
    record BuildPage(List<Build> records, int offset, int limit) {}

    static final int MAX_PAGE = 1000;

    /**
     * {@code Engine.builds}: the platform's statuses (and their string form, {@code status}) name the Drydock
     * states they cover; a filter that names only statuses Drydock never produces finds nothing.
     */
    private BuildPage engineBuilds(DataFetchingEnvironment env) {
        Adapter adapter = source(env);
        Integer offsetArg = env.getArgument("offset"); // null when the client sends an explicit null
        Integer limitArg = env.getArgument("limit");
        int offset = offsetArg == null ? 0 : offsetArg;
        int limit = limitArg == null ? 30 : limitArg;
        if (offset < 0) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "offset must be 0 or more", Map.of("field", "offset"));
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "limit must be between 1 and " + MAX_PAGE, Map.of("field", "limit"));
        }
        Set<PlatformBuildStatus> wanted = EnumSet.noneOf(PlatformBuildStatus.class);
        List<PlatformBuildStatus> byEnum = env.getArgument("buildStatus");
        if (byEnum != null) wanted.addAll(byEnum);
        List<String> byName = env.getArgument("status");
        if (byName != null) {
            for (String name : byName) wanted.add(statusNamed(name));
        }
        List<Build> all;
        if (wanted.isEmpty()) {
            all = builds.list(adapter.engineId(), EnumSet.noneOf(BuildState.class)); // all but deleted
        } else {
            Set<BuildState> states = EnumSet.noneOf(BuildState.class);
            wanted.forEach(s -> states.addAll(s.states()));
            all = states.isEmpty() ? List.of() : builds.list(adapter.engineId(), states);
        }
        String id = env.getArgument("id");
        if (id != null) all = all.stream().filter(b -> b.id().equals(id)).toList();
        List<Build> page = offset >= all.size() ? List.of() : all.subList(offset, Math.min(all.size(), offset + limit));
        return new BuildPage(page, offset, limit);
    }

    private static PlatformBuildStatus statusNamed(String name) {
        for (PlatformBuildStatus s : PlatformBuildStatus.values()) {
            if (s.name().equals(name)) return s;
        }
        throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "unknown build status '" + name + "'; one of "
                + String.join(", ", Arrays.stream(PlatformBuildStatus.values()).map(Enum::name).toList()), Map.of("field", "status"));
    }

    private List<PlatformBuildAction> allowedActions(DataFetchingEnvironment env) {
        return builds.allowedActions(principal(env), source(env)).stream().map(PlatformBuildAction::of).toList();
    }

    private Build updateEngineBuild(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        Principal principal = principal(env);
        Build build = ownBuild(principal, (String) input.get("id"), (String) input.get("engineId"));
        PlatformBuildAction requested = (PlatformBuildAction) input.get("action");
        BuildAction action = requested.action().orElseThrow(() -> noUpload(principal, build));
        if (input.get("dockerImage") != null) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "dockerImage is for upload, which Drydock does not offer: "
                    + "leave it out (a build's image is the one pushed)", Map.of("field", "dockerImage"));
        }
        return builds.act(principal, build.id(), action, (String) input.get("reason"));
    }

    /** upload: Drydock's builds come from pushes, so no state offers it. */
    private ApiException noUpload(Principal principal, Build build) {
        List<String> allowed = builds.allowedActions(principal, build).stream().map(a -> PlatformBuildAction.of(a).name()).toList();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("state", build.state().name());
        detail.put("action", PlatformBuildAction.upload.name());
        detail.put("allowedActions", allowed);
        return new ApiException(ApiErrorCode.BUILD_ACTION_NOT_ALLOWED, "Drydock has no upload action: a build is created by "
                + "pushing its image (docker push HOST/ORG/NAME:TAG); allowed now: " + (allowed.isEmpty() ? "none" : String.join(", ", allowed)),
                detail);
    }

    private Map<String, Object> deleteEngineBuild(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        Principal principal = principal(env);
        Build build = ownBuild(principal, (String) input.get("id"), (String) input.get("engineId"));
        builds.act(principal, build.id(), BuildAction.delete, null);
        return Map.of("id", build.id(), "message", "build " + build.id() + " deleted");
    }

    /** The build, when visible and of that engine; a build of another engine is not found, as in the REST API. */
    private Build ownBuild(Principal principal, String buildId, String engineId) {
        Build build = builds.get(principal, buildId);
        if (!build.engineId().equals(engineId)) {
            throw new ApiException(ApiErrorCode.BUILD_NOT_FOUND, "build " + buildId + " of engine " + engineId
                    + " does not exist or is not visible to you", Map.of("buildId", buildId, "engineId", String.valueOf(engineId)));
        }
        return build;
    }

    private static Principal principal(DataFetchingEnvironment env) {
        return env.getGraphQlContext().get(Principal.class);
    }

    @SuppressWarnings("unchecked")
    private <T> T source(DataFetchingEnvironment env) {
        return (T) env.getSource();
    }

    // ---------------------------------------------------------------- errors

    /** Domain errors keep their code; anything else is logged and becomes INTERNAL_ERROR. */
    private static final class ErrorHandler implements DataFetcherExceptionHandler {
        @Override
        public CompletableFuture<DataFetcherExceptionHandlerResult> handleException(DataFetcherExceptionHandlerParameters params) {
            Throwable e = params.getException();
            while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
            String message;
            Map<String, Object> extensions;
            if (e instanceof ApiException a) {
                message = a.getMessage();
                extensions = extensions(a.code(), a.detail());
            } else {
                log.error("GraphQL resolver {} failed", params.getPath(), e);
                message = "internal error; it has been logged";
                extensions = extensions(ApiErrorCode.INTERNAL_ERROR, Map.of());
            }
            GraphQLError error = GraphqlErrorBuilder.newError()
                    .message(message)
                    .path(params.getPath())
                    .location(params.getSourceLocation())
                    .extensions(extensions)
                    .build();
            return CompletableFuture.completedFuture(DataFetcherExceptionHandlerResult.newResult(error).build());
        }
    }

    private static Map<String, Object> extensions(ApiErrorCode code, Map<String, Object> detail) {
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("code", code.name());
        if (detail != null && !detail.isEmpty()) extensions.put("detail", detail);
        return extensions;
    }

    /**
     * Gives graphql-java's own errors (syntax, validation, variable coercion, limits) a code too: they are the
     * client's, so VALIDATION_FAILED, except a null in a non-null field, which is ours.
     */
    @SuppressWarnings("unchecked")
    private static void addCodes(Map<String, Object> response) {
        Object errors = response.get("errors");
        if (!(errors instanceof List<?> list)) return;
        List<Object> fixed = new ArrayList<>();
        for (Object o : list) {
            Map<String, Object> error = new LinkedHashMap<>((Map<String, Object>) o);
            Map<String, Object> ext = error.get("extensions") instanceof Map<?, ?> m
                    ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
            if (!ext.containsKey("code")) {
                ext.put("code", "NullValueInNonNullableField".equals(ext.get("classification"))
                        ? ApiErrorCode.INTERNAL_ERROR.name() : ApiErrorCode.VALIDATION_FAILED.name());
            }
            error.put("extensions", ext);
            fixed.add(error);
        }
        response.put("errors", fixed);
    }

    // ---------------------------------------------------------------- DateTime scalar

    static final GraphQLScalarType DATE_TIME = GraphQLScalarType.newScalar()
            .name("DateTime")
            .description("An instant as an ISO-8601 UTC string")
            .coercing(new Coercing<Instant, String>() {
                @Override
                public String serialize(Object value, GraphQLContext context, Locale locale) {
                    if (value instanceof Instant i) return i.toString();
                    throw new CoercingSerializeException("not an Instant: " + value);
                }

                @Override
                public Instant parseValue(Object input, GraphQLContext context, Locale locale) {
                    try {
                        return Instant.parse(String.valueOf(input));
                    } catch (DateTimeParseException e) {
                        throw new CoercingParseValueException("DateTime must be ISO-8601, e.g. 2026-01-31T12:00:00Z");
                    }
                }

                @Override
                public Instant parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                    if (input instanceof StringValue s) {
                        try {
                            return Instant.parse(s.getValue());
                        } catch (DateTimeParseException e) {
                            // fall through
                        }
                    }
                    throw new CoercingParseLiteralException("DateTime must be an ISO-8601 string, e.g. \"2026-01-31T12:00:00Z\"");
                }
            })
            .build();
}
