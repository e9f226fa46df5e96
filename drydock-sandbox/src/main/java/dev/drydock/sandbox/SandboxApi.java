package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLContext;
import graphql.GraphQLError;
import graphql.execution.CoercedVariables;
import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.EnumValue;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The platform API as one sandbox run sees it: an HTTP server (JDK {@code com.sun.net.httpserver}: one small
 * server per run, bound to the run network's gateway address, with no Jetty in this module) answering
 * {@code POST /v3/graphql} with the subset adapters call ({@code updateTask, createTDO, createAsset,
 * createStructuredData, temporalDataObject, uploadEngineResult}, JSON or multipart with a {@code file} part) and
 * {@code GET /media/<assetId>?sig=…} for the assets' {@code signedUri}s.
 *
 * <p>Every request is recorded as an {@link ApiCall} (operation, arguments with secrets replaced by {@code ***},
 * bytes, time). A GraphQL request without {@code Authorization: Bearer <the run's token>} is answered 401 and
 * recorded too.
 */
public final class SandboxApi implements AutoCloseable {
    public static final String GRAPHQL_PATH = "/v3/graphql";
    static final long MAX_REQUEST_BYTES = 32L << 20;
    static final long MAX_STORED_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(token|password|passwd|secret|authorization|api[-_]?key|credential|signature).*");

    private final String token;
    private final TaskPayloads.Ids ids;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final GraphQL graphql;
    private final List<ApiCall> calls = new CopyOnWriteArrayList<>();
    private final List<CreatedObject> created = new CopyOnWriteArrayList<>();
    private final Map<String, Map<String, Object>> tdos = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> assets = new ConcurrentHashMap<>();
    private final Map<String, byte[]> assetBytes = new ConcurrentHashMap<>();
    private final Map<String, String> signatures = new ConcurrentHashMap<>();
    private final List<String> statusHistory = new CopyOnWriteArrayList<>();
    private volatile String taskStatus;
    private volatile JsonNode taskOutput;
    private volatile String failureReason;
    private long storedBytes;
    private long bytesIn;
    private long bytesOut;
    private long requests;
    private final String sampleAssetId;

    /**
     * @param bind   the address to listen on (the run network's gateway), port 0 for any
     * @param token  the run's bearer token
     * @param sample the media the recording's primary asset holds
     */
    public SandboxApi(InetSocketAddress bind, String token, TaskPayloads.Ids ids, SampleMedia sample) throws IOException {
        this.token = token;
        this.ids = ids;
        this.server = HttpServer.create(bind, 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        this.graphql = GraphQL.newGraphQL(schema()).build();
        Map<String, Object> recording = new LinkedHashMap<>();
        recording.put("id", ids.recordingId());
        recording.put("name", "Drydock sandbox recording");
        recording.put("details", Map.of("sandbox", true));
        tdos.put(ids.recordingId(), recording);
        this.sampleAssetId = UUID.randomUUID().toString();
        storeAsset(sampleAssetId, ids.recordingId(), "media", sample.contentType(), sample.fileName(), null, sample.bytes(), null);
        server.start();
    }

    /** {@code http://<gateway>:<port>}: the payload's {@code veritoneApiBaseUrl}. */
    public String baseUrl() {
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String sampleAssetId() {
        return sampleAssetId;
    }

    public String signedUri(String assetId) {
        return baseUrl() + "/media/" + assetId + "?sig=" + signatures.get(assetId);
    }

    public List<ApiCall> calls() {
        return List.copyOf(calls);
    }

    public List<CreatedObject> created() {
        return List.copyOf(created);
    }

    public TaskReport task() {
        return statusHistory.isEmpty() && taskOutput == null ? TaskReport.NEVER_UPDATED
                : new TaskReport(taskStatus, statusHistory, taskOutput, failureReason);
    }

    /** The sandbox API as one destination of the run's network usage. */
    public synchronized NetworkUsage.Destination destination() {
        InetSocketAddress a = server.getAddress();
        return new NetworkUsage.Destination(a.getAddress().getHostAddress(), a.getPort(), "sandbox-api", requests, bytesIn,
                bytesOut, true, null);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange ex) throws IOException {
        long started = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        try (ex) {
            if (ex.getRequestMethod().equals("GET") && path.startsWith("/media/")) {
                media(ex, path.substring("/media/".length()), started);
            } else if (path.equals(GRAPHQL_PATH) || path.equals(GRAPHQL_PATH + "/")) {
                if (!ex.getRequestMethod().equals("POST")) {
                    respond(ex, 405, error("use POST " + GRAPHQL_PATH), ex.getRequestMethod() + " " + path, null, 0, started);
                } else {
                    graphqlRequest(ex, started);
                }
            } else {
                long in = drain(ex.getRequestBody());
                respond(ex, 404, error("the sandbox serves only POST " + GRAPHQL_PATH + " and signed media URIs"),
                        ex.getRequestMethod() + " " + path, null, in, started);
            }
        } catch (RuntimeException e) {
            respond(ex, 500, error("sandbox error: " + e.getMessage()), "error", null, 0, started);
        }
    }

    private void media(HttpExchange ex, String assetId, long started) throws IOException {
        String query = ex.getRequestURI().getRawQuery();
        String sig = query != null && query.startsWith("sig=") ? query.substring(4) : null;
        String expected = signatures.get(assetId);
        byte[] bytes = assetBytes.get(assetId);
        if (expected == null || bytes == null || sig == null || !constantEquals(sig, expected)) {
            respond(ex, 403, error("unknown asset or bad signature"), "GET /media", JSON.createObjectNode().put("assetId", assetId),
                    0, started);
            return;
        }
        Object type = assets.get(assetId).get("contentType");
        ex.getResponseHeaders().set("Content-Type", type == null ? "application/octet-stream" : type.toString());
        record(new ApiCall(Instant.now(), "GET /media", JSON.createObjectNode().put("assetId", assetId), 200, 0, bytes.length,
                millis(started), null));
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void graphqlRequest(HttpExchange ex, long started) throws IOException {
        byte[] body = ex.getRequestBody().readNBytes((int) MAX_REQUEST_BYTES + 1);
        long in = body.length + drain(ex.getRequestBody());
        if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
            respond(ex, 401, error("missing or invalid token: send the payload's token as 'Authorization: Bearer <token>'"),
                    "unauthorized", null, in, started);
            return;
        }
        if (in > MAX_REQUEST_BYTES) {
            respond(ex, 413, error("request larger than " + (MAX_REQUEST_BYTES >> 20) + " MiB"), "too large", null, in, started);
            return;
        }
        String query;
        Map<String, Object> variables = Map.of();
        Upload upload = null;
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        try {
            if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
                String boundary = Multipart.boundary(contentType);
                if (boundary == null) throw new IllegalArgumentException("multipart request without a boundary");
                Map<String, Multipart.Part> parts = new HashMap<>();
                for (Multipart.Part p : Multipart.parse(body, boundary)) {
                    if (p.name() != null) parts.put(p.name(), p);
                }
                JsonNode operations = parts.containsKey("operations") ? JSON.readTree(parts.get("operations").body()) : null;
                query = operations != null ? operations.path("query").asText(null)
                        : parts.containsKey("query") ? parts.get("query").text() : null;
                JsonNode vars = operations != null ? operations.get("variables")
                        : parts.containsKey("variables") ? JSON.readTree(parts.get("variables").body()) : null;
                variables = toMap(vars);
                Multipart.Part file = parts.values().stream().filter(p -> p.fileName() != null).findFirst()
                        .orElse(parts.get("file"));
                if (file != null) {
                    String fileName = parts.containsKey("filename") ? parts.get("filename").text() : file.fileName();
                    upload = new Upload(fileName, file.contentType(), file.body());
                }
            } else {
                JsonNode json = JSON.readTree(body);
                query = json.path("query").asText(null);
                variables = toMap(json.get("variables"));
            }
        } catch (IOException | IllegalArgumentException e) {
            respond(ex, 400, error("could not read the request: " + e.getMessage()), "unreadable", null, in, started);
            return;
        }
        if (query == null || query.isBlank()) {
            respond(ex, 400, error("'query' is required"), "unreadable", null, in, started);
            return;
        }
        Map<String, Object> fieldArgs = new LinkedHashMap<>();
        Map<Object, Object> context = new HashMap<>();
        context.put("args", fieldArgs);
        if (upload != null) context.put(Upload.class, upload);
        ExecutionResult result = graphql.execute(ExecutionInput.newExecutionInput().query(query).variables(variables)
                .graphQLContext(context).build());
        Map<String, Object> spec = result.toSpecification();
        String operation = fieldArgs.isEmpty() ? "invalid" : String.join(",", fieldArgs.keySet());
        ObjectNode recorded = (ObjectNode) redact(JSON.valueToTree(fieldArgs));
        if (upload != null) recorded.put("uploadedFileBytes", upload.bytes().length);
        String errors = result.getErrors().isEmpty() ? null
                : String.join("; ", result.getErrors().stream().map(GraphQLError::getMessage).toList());
        respond(ex, 200, JSON.valueToTree(spec), operation, recorded, in, started, errors);
    }

    private boolean authorized(String header) {
        if (header == null) return false;
        String h = header.trim();
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) h = h.substring(7).trim();
        return constantEquals(h, token);
    }

    private static boolean constantEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private void respond(HttpExchange ex, int status, JsonNode body, String operation, JsonNode variables, long in, long started)
            throws IOException {
        respond(ex, status, body, operation, variables, in, started, status >= 400 ? body.path("errors").path(0).path("message").asText(null) : null);
    }

    private void respond(HttpExchange ex, int status, JsonNode body, String operation, JsonNode variables, long in, long started,
                         String error) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        // recorded before answering, so a run that ends right after the answer has it
        record(new ApiCall(Instant.now(), operation, variables, status, in, bytes.length, millis(started), error));
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private synchronized void record(ApiCall call) {
        calls.add(call);
        requests++;
        bytesIn += call.requestBytes();
        bytesOut += call.responseBytes();
    }

    private static long millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static long drain(InputStream in) throws IOException {
        long n = 0;
        byte[] buf = new byte[8192];
        for (int r; (r = in.read(buf)) > 0; ) n += r;
        return n;
    }

    private static ObjectNode error(String message) {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("errors").addObject().put("message", message);
        return root;
    }

    private static Map<String, Object> toMap(JsonNode vars) {
        if (vars == null || vars.isNull() || !vars.isObject()) return Map.of();
        return JSON.convertValue(vars, JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
    }

    /** A copy with every value under a secret-looking key replaced by {@code ***}. */
    static JsonNode redact(JsonNode node) {
        if (node == null) return null;
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            node.properties().forEach(e -> copy.set(e.getKey(),
                    SECRET_KEY.matcher(e.getKey()).matches() ? JSON.getNodeFactory().textNode("***") : redact(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JSON.createArrayNode();
            node.forEach(n -> copy.add(redact(n)));
            return copy;
        }
        return node;
    }

    // ---------------------------------------------------------------- GraphQL

    record Upload(String fileName, String contentType, byte[] bytes) {
    }

    private GraphQLSchema schema() {
        String sdl;
        try (InputStream in = SandboxApi.class.getResourceAsStream("sandbox.graphqls")) {
            if (in == null) throw new IllegalStateException("sandbox.graphqls is missing from the classpath");
            sdl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
                .scalar(jsonScalar("JSONData"))
                .scalar(jsonScalar("DateTime"))
                .type("Query", t -> t
                        .dataFetcher("temporalDataObject", recorded("temporalDataObject", env -> tdos.get(env.<String>getArgument("id"))))
                        .dataFetcher("task", recorded("task", this::taskQuery)))
                .type("Mutation", t -> t
                        .dataFetcher("updateTask", recorded("updateTask", this::updateTask))
                        .dataFetcher("createTDO", recorded("createTDO", this::createTdo))
                        .dataFetcher("createAsset", recorded("createAsset", this::createAsset))
                        .dataFetcher("createStructuredData", recorded("createStructuredData", this::createStructuredData))
                        .dataFetcher("uploadEngineResult", recorded("uploadEngineResult", this::uploadEngineResult)))
                .type("TemporalDataObject", t -> t
                        .dataFetcher("assets", this::tdoAssets)
                        .dataFetcher("primaryAsset", env -> {
                            String type = env.getArgument("assetType");
                            return assetsOf(env.<Map<String, Object>>getSource().get("id").toString()).stream()
                                    .filter(a -> type.equals(a.get("assetType"))).findFirst().orElse(null);
                        }))
                .type("Asset", t -> t.dataFetcher("signedUri", env -> {
                    String id = env.<Map<String, Object>>getSource().get("id").toString();
                    return assetBytes.containsKey(id) ? signedUri(id) : null;
                }))
                .build();
        return new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring);
    }

    /** Wraps a root field's fetcher so its arguments are recorded for the call (before it runs, so failures count). */
    private static DataFetcher<Object> recorded(String field, DataFetcher<Object> fetcher) {
        return env -> {
            Map<String, Object> args = env.getGraphQlContext().get("args");
            synchronized (args) {
                args.put(args.containsKey(field) ? field + "#" + args.size() : field, env.getArguments());
            }
            return fetcher.get(env);
        };
    }

    private Object taskQuery(DataFetchingEnvironment env) {
        requireTask(env.getArgument("id"));
        return taskMap();
    }

    private void requireTask(String id) {
        if (!ids.taskId().equals(id)) {
            throw new IllegalArgumentException("unknown task id '" + id + "': use the payload's taskId");
        }
    }

    private Map<String, Object> taskMap() {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("id", ids.taskId());
        task.put("status", taskStatus);
        task.put("output", taskOutput == null ? null : JSON.convertValue(taskOutput, Object.class));
        return task;
    }

    private Object updateTask(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        requireTask(String.valueOf(input.get("id")));
        synchronized (this) {
            Object status = input.get("status");
            if (status != null) {
                taskStatus = status.toString();
                statusHistory.add(taskStatus);
            }
            if (input.get("output") != null) {
                taskOutput = asJson(input.get("output"));
            } else if (input.get("outputString") != null) {
                taskOutput = asJson(input.get("outputString"));
            }
            Object reason = input.get("failureReason") != null ? input.get("failureReason") : input.get("failureMessage");
            if (reason != null) failureReason = reason.toString();
            if (input.get("failureReason") != null && input.get("failureMessage") != null) {
                failureReason = input.get("failureReason") + ": " + input.get("failureMessage");
            }
        }
        return taskMap();
    }

    /** A JSON value from a GraphQL JSONData argument: objects and arrays as they are, a string parsed if it is JSON. */
    private static JsonNode asJson(Object value) {
        if (value instanceof String s) {
            try {
                return JSON.readTree(s);
            } catch (IOException e) {
                return JSON.getNodeFactory().textNode(s);
            }
        }
        return JSON.valueToTree(value);
    }

    private Object createTdo(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input") == null ? Map.of() : env.getArgument("input");
        String id = UUID.randomUUID().toString();
        Map<String, Object> tdo = new LinkedHashMap<>(input);
        tdo.put("id", id);
        tdos.put(id, tdo);
        created.add(new CreatedObject(CreatedObject.Kind.tdo, id, null, null, 0, redact(JSON.valueToTree(input))));
        return tdo;
    }

    private Object createAsset(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        String containerId = String.valueOf(input.get("containerId"));
        if (!tdos.containsKey(containerId)) {
            throw new IllegalArgumentException("unknown containerId '" + containerId + "': create the TDO first (createTDO) or use the payload's recordingId");
        }
        Upload upload = env.getGraphQlContext().get(Upload.class);
        byte[] bytes = upload == null ? null : upload.bytes();
        String contentType = str(input.get("contentType"), upload == null ? null : upload.contentType());
        String id = UUID.randomUUID().toString();
        Map<String, Object> asset = storeAsset(id, containerId, str(input.get("assetType"), "media"), contentType,
                str(input.get("name"), upload == null ? null : upload.fileName()), str(input.get("uri"), null), bytes,
                input.get("details"));
        ObjectNode details = (ObjectNode) redact(JSON.valueToTree(withoutFile(input)));
        created.add(new CreatedObject(CreatedObject.Kind.asset, id, containerId, contentType, bytes == null ? 0 : bytes.length, details));
        return asset;
    }

    private Object createStructuredData(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        JsonNode data = input.get("data") != null ? asJson(input.get("data"))
                : input.get("dataString") != null ? asJson(input.get("dataString")) : JSON.nullNode();
        String id = UUID.randomUUID().toString();
        ObjectNode details = JSON.createObjectNode();
        details.put("schemaId", String.valueOf(input.get("schemaId")));
        details.set("data", redact(data));
        created.add(new CreatedObject(CreatedObject.Kind.structuredData, id, null, "application/json",
                data.toString().length(), details));
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("id", id);
        sd.put("schemaId", input.get("schemaId"));
        sd.put("data", JSON.convertValue(data, Object.class));
        return sd;
    }

    private Object uploadEngineResult(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        requireTask(String.valueOf(input.get("taskId")));
        Upload upload = env.getGraphQlContext().get(Upload.class);
        byte[] bytes;
        if (upload != null) bytes = upload.bytes();
        else if (input.get("outputJson") != null) bytes = JSON.valueToTree(input.get("outputJson")).toString().getBytes(StandardCharsets.UTF_8);
        else if (input.get("outputString") != null) bytes = input.get("outputString").toString().getBytes(StandardCharsets.UTF_8);
        else throw new IllegalArgumentException("uploadEngineResult needs a file part, outputJson or outputString");
        String contentType = str(input.get("contentType"), upload != null && upload.contentType() != null ? upload.contentType()
                : input.get("outputJson") != null ? "application/json" : "text/plain");
        String id = UUID.randomUUID().toString();
        Map<String, Object> asset = storeAsset(id, ids.recordingId(), str(input.get("assetType"), "vtn-standard"), contentType,
                upload == null ? null : upload.fileName(), null, bytes, null);
        ObjectNode details = (ObjectNode) redact(JSON.valueToTree(withoutFile(input)));
        details.put("valid", validFor(contentType, bytes));
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json") && bytes.length <= (1 << 20)) {
            try {
                details.set("content", JSON.readTree(bytes));
            } catch (IOException ignored) {
                // recorded as invalid above
            }
        }
        created.add(new CreatedObject(CreatedObject.Kind.engineResult, id, ids.recordingId(), contentType, bytes.length, details));
        if (Boolean.TRUE.equals(input.get("completeTask"))) {
            synchronized (this) {
                taskStatus = "complete";
                statusHistory.add(taskStatus);
            }
        }
        return asset;
    }

    /** False when the content type says JSON and the bytes do not parse as JSON. */
    static boolean validFor(String contentType, byte[] bytes) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).contains("json")) return true;
        try {
            JSON.readTree(bytes);
            return bytes.length > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, Object> withoutFile(Map<String, Object> input) {
        Map<String, Object> copy = new LinkedHashMap<>(input);
        copy.remove("file");
        return copy;
    }

    private static String str(Object value, String fallback) {
        return value == null ? fallback : value.toString();
    }

    private synchronized Map<String, Object> storeAsset(String id, String containerId, String assetType, String contentType,
                                                        String name, String uri, byte[] bytes, Object details) {
        if (bytes != null) {
            if (storedBytes + bytes.length > MAX_STORED_BYTES) {
                throw new IllegalArgumentException("the sandbox keeps at most " + (MAX_STORED_BYTES >> 20) + " MiB of uploads per run");
            }
            storedBytes += bytes.length;
            assetBytes.put(id, bytes);
            byte[] sig = new byte[18];
            new java.security.SecureRandom().nextBytes(sig);
            signatures.put(id, java.util.HexFormat.of().formatHex(sig));
        }
        Map<String, Object> asset = new LinkedHashMap<>();
        asset.put("id", id);
        asset.put("containerId", containerId);
        asset.put("assetType", assetType);
        asset.put("contentType", contentType);
        asset.put("name", name);
        asset.put("uri", uri != null ? uri : bytes != null ? signedUriLazy(id) : null);
        asset.put("fileSize", bytes == null ? null : bytes.length);
        asset.put("details", details);
        assets.put(id, asset);
        return asset;
    }

    private String signedUriLazy(String id) {
        return server.getAddress() == null ? null : signedUri(id);
    }

    private List<Map<String, Object>> assetsOf(String tdoId) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> a : assets.values()) {
            if (tdoId.equals(a.get("containerId"))) out.add(a);
        }
        return out;
    }

    private Object tdoAssets(DataFetchingEnvironment env) {
        String type = env.getArgument("assetType");
        List<Map<String, Object>> records = assetsOf(env.<Map<String, Object>>getSource().get("id").toString()).stream()
                .filter(a -> type == null || type.equals(a.get("assetType"))).toList();
        Integer limit = env.getArgument("limit");
        if (limit != null && limit >= 0 && records.size() > limit) records = records.subList(0, limit);
        return Map.of("records", records, "count", records.size());
    }

    /** A scalar carrying any JSON value (object, array, string, number, boolean). */
    private static GraphQLScalarType jsonScalar(String name) {
        return GraphQLScalarType.newScalar().name(name).description("any JSON value").coercing(new Coercing<Object, Object>() {
            @Override
            public Object serialize(Object dataFetcherResult, GraphQLContext context, Locale locale) {
                return dataFetcherResult instanceof JsonNode n ? JSON.convertValue(n, Object.class) : dataFetcherResult;
            }

            @Override
            public Object parseValue(Object input, GraphQLContext context, Locale locale) {
                return input;
            }

            @Override
            public Object parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                return literal(input, variables);
            }
        }).build();
    }

    private static Object literal(Value<?> v, CoercedVariables variables) {
        return switch (v) {
            case StringValue s -> s.getValue();
            case BooleanValue b -> b.isValue();
            case IntValue i -> i.getValue();
            case FloatValue f -> f.getValue();
            case EnumValue e -> e.getName();
            case NullValue n -> null;
            case ArrayValue a -> a.getValues().stream().map(x -> literal(x, variables)).toList();
            case ObjectValue o -> {
                Map<String, Object> m = new LinkedHashMap<>();
                o.getObjectFields().forEach(f -> m.put(f.getName(), literal(f.getValue(), variables)));
                yield m;
            }
            case VariableReference r -> variables.get(r.getName());
            default -> throw new CoercingParseLiteralException("unsupported literal " + v);
        };
    }
}
