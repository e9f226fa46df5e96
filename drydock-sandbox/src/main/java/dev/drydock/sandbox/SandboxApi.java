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
import graphql.language.Document;
import graphql.language.EnumValue;
import graphql.language.Field;
import graphql.language.FloatValue;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectValue;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform API as one sandbox run sees it: an HTTP server (JDK {@code com.sun.net.httpserver}: one small
 * server per run, bound to the run network's gateway address, with no Jetty in this module) answering
 * {@code POST /v3/graphql} with the part of Veritone's schema that engines and adapters call during a task
 * ({@code sandbox.graphqls}: {@code temporalDataObject, asset, task, createTDO, createAsset, updateTask,
 * createStructuredData, uploadEngineResult}, plus introspection), JSON or multipart with a {@code file} part, and
 * {@code GET /media/<assetId>?sig=…} for the assets' {@code signedUri}s.
 *
 * <p>The task's recording ({@link TaskRecording}) exists from the start with its assets. A Veritone field the sandbox
 * does not serve is answered with an error naming it ("createJob is not served by the test sandbox …") and recorded in
 * {@link ApiCall#unserved()}; a field Veritone does not have either gets graphql-java's validation error.
 *
 * <p>Every request is recorded as an {@link ApiCall} (the root fields asked for, arguments with secrets replaced by
 * {@code ***}, bytes, time), and every engine result received as an {@link EngineOutput}. A GraphQL request without
 * {@code Authorization: Bearer <the run's token>} is answered 401 and recorded too.
 */
public final class SandboxApi implements AutoCloseable {
    public static final String GRAPHQL_PATH = "/v3/graphql";
    /** A webhook engine's {@code heartbeatWebhook} for one chunk: this path plus the chunk's id. */
    public static final String HEARTBEAT_PATH = "/webhooks/heartbeat/";
    /** A webhook engine's {@code resultWebhook} for one chunk: this path plus the chunk's id. */
    public static final String RESULT_PATH = "/webhooks/result/";
    static final long MAX_REQUEST_BYTES = 32L << 20;
    static final long MAX_STORED_BYTES = 64L << 20;
    private static final int MAX_RECORDED_QUERY_CHARS = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(token|password|passwd|secret|authorization|api[-_]?key|credential|signature).*");
    private static final Pattern SECRET_LITERAL = Pattern.compile("(?i)((?:token|password|passwd|secret|authorization|api[-_]?key|credential|signature)\\w*\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern FIELD_UNDEFINED = Pattern.compile("Field '([_A-Za-z][_0-9A-Za-z]*)' in type '([_A-Za-z][_0-9A-Za-z]*)' is undefined");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** {@code Type.field} for the Veritone fields of the root types and of the types served (veritone-fields.txt). */
    static final Set<String> VERITONE_FIELDS = loadVeritoneFields();

    private final String token;
    private final TaskPayloads.Ids ids;
    private final TaskRecording recording;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final GraphQL graphql;
    private final List<String> servedRootFields;
    private final List<ApiCall> calls = new CopyOnWriteArrayList<>();
    private final List<CreatedObject> created = new CopyOnWriteArrayList<>();
    private final List<EngineOutput> engineOutputs = new CopyOnWriteArrayList<>();
    private final Map<String, Map<String, Object>> tdos = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> assets = new ConcurrentHashMap<>();
    private final Map<String, byte[]> assetBytes = new ConcurrentHashMap<>();
    private final Map<String, String> signatures = new ConcurrentHashMap<>();
    /** Content types of the webhook chunks' own media (audio segments, frames), served like assets but not assets. */
    private final Map<String, String> chunkTypes = new ConcurrentHashMap<>();
    private final List<String> statusHistory = new CopyOnWriteArrayList<>();
    private final Map<String, String> heartbeats = new ConcurrentHashMap<>();
    private final Map<String, Integer> webhookResults = new ConcurrentHashMap<>();
    private final List<String> recordingAssetIds = new ArrayList<>();
    private final String createdAt = now();
    private volatile String taskStatus;
    private volatile JsonNode taskOutput;
    private volatile String failureReason;
    private volatile String advertisedBaseUrl;
    private volatile String modifiedAt = createdAt;
    private long storedBytes;
    private long bytesIn;
    private long bytesOut;
    private long requests;

    /** A recording holding one {@code media} asset, {@code sample} (no category). */
    public SandboxApi(InetSocketAddress bind, String token, TaskPayloads.Ids ids, SampleMedia sample) throws IOException {
        this(bind, token, ids, new TaskRecording(TaskRecording.Kind.other, List.of(new TaskRecording.Asset("media", sample))));
    }

    /**
     * @param bind      the address to listen on (the run network's gateway), port 0 for any
     * @param token     the run's bearer token
     * @param recording what the task's recording ({@code ids.recordingId()}) holds; its first asset is the task's source
     */
    public SandboxApi(InetSocketAddress bind, String token, TaskPayloads.Ids ids, TaskRecording recording) throws IOException {
        this.token = token;
        this.ids = ids;
        this.recording = recording;
        this.server = HttpServer.create(bind, 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        GraphQLSchema schema = schema();
        this.graphql = GraphQL.newGraphQL(schema).build();
        List<String> served = new ArrayList<>();
        schema.getQueryType().getFieldDefinitions().forEach(f -> served.add(f.getName()));
        schema.getMutationType().getFieldDefinitions().stream().map(GraphQLFieldDefinition::getName).forEach(served::add);
        this.servedRootFields = List.copyOf(served);
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        Map<String, Object> tdo = new LinkedHashMap<>();
        tdo.put("id", ids.recordingId());
        tdo.put("name", "Drydock sandbox recording");
        tdo.put("description", "the recording of this test task");
        tdo.put("createdDateTime", TIME.format(base.minusSeconds(60)));
        tdo.put("modifiedDateTime", TIME.format(base));
        tdo.put("startDateTime", TIME.format(base.minusSeconds(3600)));
        tdo.put("stopDateTime", TIME.format(base.minusSeconds(3600 - 60)));
        tdo.put("status", "recorded");
        tdo.put("applicationId", ids.applicationId());
        tdo.put("details", Map.of("sandbox", true));
        tdos.put(ids.recordingId(), tdo);
        int i = 0;
        for (TaskRecording.Asset a : recording.assets()) {
            String id = UUID.randomUUID().toString();
            SampleMedia m = a.media();
            storeAsset(id, ids.recordingId(), a.assetType(), m.contentType(), m.fileName(), null, m.bytes(), null, null,
                    TIME.format(base.plusSeconds(i++)));
            recordingAssetIds.add(id);
        }
        server.start();
    }

    /** {@code http://<bind address>:<port>}, or what {@link #advertise} set: the payload's {@code veritoneApiBaseUrl}. */
    public String baseUrl() {
        if (advertisedBaseUrl != null) return advertisedBaseUrl;
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /**
     * Sets the base URL the container reaches this API at (e.g. {@code http://<gateway>:<port>} when it listens on
     * {@code 0.0.0.0}); signed URIs are built on it.
     */
    public void advertise(String baseUrl) {
        this.advertisedBaseUrl = baseUrl;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The task's source asset: the recording's first. */
    public String sampleAssetId() {
        return recordingAssetIds.getFirst();
    }

    /** The recording's assets' ids, in {@link TaskRecording#assets()} order. */
    public List<String> recordingAssetIds() {
        return List.copyOf(recordingAssetIds);
    }

    public TaskRecording recording() {
        return recording;
    }

    /**
     * Serves one webhook chunk's media (an audio segment, a frame) under {@code id} like an asset's signed URI, without
     * making it an asset of the recording; returns its signed URI (a chunk's {@code cacheURI}).
     */
    public String chunkUri(String id, SampleMedia media) {
        byte[] sig = new byte[18];
        RANDOM.nextBytes(sig);
        chunkTypes.put(id, media.contentType());
        assetBytes.put(id, media.bytes());
        signatures.put(id, HexFormat.of().formatHex(sig));
        return signedUri(id);
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

    /** Every engine result received, in order (empty for ingest adapters). */
    public List<EngineOutput> engineOutputs() {
        return List.copyOf(engineOutputs);
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
            } else if (path.startsWith(HEARTBEAT_PATH) || path.startsWith(RESULT_PATH)) {
                webhook(ex, path, started);
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

    /**
     * A webhook engine's {@code POST} to a chunk's heartbeat webhook ({@code {"status": "running"|"complete"|"failed",
     * "infoMsg": …}}, recorded as {@code heartbeatWebhook}) or result webhook (a vtn-standard document, recorded as
     * {@code resultWebhook} and as an {@link EngineOutput}). Like the signed media URIs, they need no token: the toolkit
     * hands the engine the URLs.
     */
    private void webhook(HttpExchange ex, String path, long started) throws IOException {
        boolean heartbeat = path.startsWith(HEARTBEAT_PATH);
        String chunkId = path.substring((heartbeat ? HEARTBEAT_PATH : RESULT_PATH).length());
        String operation = heartbeat ? "heartbeatWebhook" : "resultWebhook";
        if (!ex.getRequestMethod().equals("POST")) {
            long in = drain(ex.getRequestBody());
            respond(ex, 405, error("use POST"), operation, null, in, started);
            return;
        }
        byte[] body = ex.getRequestBody().readNBytes((int) MAX_REQUEST_BYTES + 1);
        long in = body.length + drain(ex.getRequestBody());
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        JsonNode json = jsonContent(type, body);
        ObjectNode recorded = JSON.createObjectNode().put("chunkId", chunkId);
        if (heartbeat) {
            String status = json == null ? null : json.path("status").asText(null);
            if (status != null) heartbeats.put(chunkId, status);
            recorded.put("status", status);
            if (json != null && json.has("infoMsg")) recorded.set("infoMsg", json.get("infoMsg"));
        } else {
            webhookResults.merge(chunkId, 1, Integer::sum);
            engineOutput(EngineOutput.RESULT_WEBHOOK, type, json);
            recorded.put("contentType", type).put("bytes", body.length);
        }
        respond(ex, 200, JSON.createObjectNode().put("ok", true), operation, recorded, in, started);
    }

    /** The last {@code status} a webhook engine posted to the chunk's heartbeat webhook, or null. */
    public String heartbeatStatus(String chunkId) {
        return heartbeats.get(chunkId);
    }

    /** How many results a webhook engine posted to the chunk's result webhook. */
    public int webhookResults(String chunkId) {
        return webhookResults.getOrDefault(chunkId, 0);
    }

    /**
     * A webhook engine's 200 answer to a chunk: one {@link EngineOutput} {@code process}, in order with the others. An
     * empty answer (a batch or stream engine that delivers through resultWebhook) delivers nothing.
     */
    public void processAnswer(String contentType, byte[] body) {
        if (body == null || body.length == 0) return;
        engineOutput(EngineOutput.PROCESS, contentType, jsonContent(contentType, body));
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
        Object type = assets.containsKey(assetId) ? assets.get(assetId).get("contentType") : chunkTypes.get(assetId);
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
        GraphqlRequest request;
        try {
            request = readRequest(body, ex.getRequestHeaders().getFirst("Content-Type"));
        } catch (IOException | IllegalArgumentException e) {
            respond(ex, 400, error("could not read the request: " + e.getMessage()), "unreadable", null, in, started);
            return;
        }
        String query = request.query();
        String operationName = request.operationName();
        Map<String, Object> variables = request.variables();
        Upload upload = request.upload();
        if (query == null || query.isBlank()) {
            respond(ex, 400, error("'query' is required"), "unreadable", null, in, started);
            return;
        }
        Document document = document(query);
        List<String> rootFields = document == null ? List.of() : rootFields(document, operationName);
        Map<String, Object> fieldArgs = new LinkedHashMap<>();
        Map<Object, Object> context = new HashMap<>();
        context.put("args", fieldArgs);
        if (upload != null) context.put(Upload.class, upload);
        ExecutionInput.Builder input = ExecutionInput.newExecutionInput().query(query).variables(variables).graphQLContext(context);
        if (operationName != null) input.operationName(operationName);
        ExecutionResult result = graphql.execute(input.build());
        Map<String, Object> spec = new LinkedHashMap<>(result.toSpecification());
        List<String> unserved = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        if (!result.getErrors().isEmpty()) {
            List<Map<String, Object>> errors = new ArrayList<>();
            for (GraphQLError e : result.getErrors()) {
                Map<String, Object> m = new LinkedHashMap<>(e.toSpecification());
                String notServed = unservedField(e.getMessage());
                if (notServed != null) {
                    if (!unserved.contains(notServed)) unserved.add(notServed);
                    m.put("message", notServedMessage(notServed));
                }
                messages.add(String.valueOf(m.get("message")));
                errors.add(m);
            }
            spec.put("errors", errors);
        }
        String operation = document == null ? "unparseable" : rootFields.isEmpty() ? "(none)" : String.join(",", rootFields);
        ObjectNode recorded;
        if (!fieldArgs.isEmpty()) {
            recorded = (ObjectNode) redact(JSON.valueToTree(fieldArgs));
        } else {
            recorded = JSON.createObjectNode();
            if (!variables.isEmpty()) recorded.set("variables", redact(JSON.valueToTree(variables)));
            if (!messages.isEmpty()) recorded.put("query", recordableQuery(query));
        }
        if (upload != null) recorded.put("uploadedFileBytes", upload.bytes().length);
        String errors = messages.isEmpty() ? null : String.join("; ", new LinkedHashSet<>(messages));
        respond(ex, 200, JSON.valueToTree(spec), operation, recorded, in, started, errors, unserved);
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
        respond(ex, status, body, operation, variables, in, started, error, List.of());
    }

    private void respond(HttpExchange ex, int status, JsonNode body, String operation, JsonNode variables, long in, long started,
                         String error, List<String> unserved) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        // recorded before answering, so a run that ends right after the answer has it
        record(new ApiCall(Instant.now(), operation, variables, status, in, bytes.length, millis(started), error, unserved));
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

    // ---------------------------------------------------------------- requests

    /** A GraphQL request's parts as sent: JSON, or multipart/form-data (the GraphQL multipart request spec). */
    record GraphqlRequest(String query, String operationName, Map<String, Object> variables, Upload upload) {}

    /**
     * Reads a GraphQL request body. A body that cannot be read is an {@link IOException} (not JSON) or an
     * {@link IllegalArgumentException} (a malformed multipart body), answered 400; a missing query is left to the caller.
     */
    static GraphqlRequest readRequest(byte[] body, String contentType) throws IOException {
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            String boundary = Multipart.boundary(contentType);
            if (boundary == null) throw new IllegalArgumentException("multipart request without a boundary");
            Map<String, Multipart.Part> parts = new HashMap<>();
            for (Multipart.Part p : Multipart.parse(body, boundary)) {
                if (p.name() != null) parts.put(p.name(), p);
            }
            JsonNode operations = parts.containsKey("operations") ? JSON.readTree(parts.get("operations").body()) : null;
            String query = operations != null ? operations.path("query").asText(null)
                    : parts.containsKey("query") ? parts.get("query").text() : null;
            String operationName = operations != null ? operations.path("operationName").asText(null)
                    : parts.containsKey("operationName") ? parts.get("operationName").text() : null;
            JsonNode vars = operations != null ? operations.get("variables")
                    : parts.containsKey("variables") ? JSON.readTree(parts.get("variables").body()) : null;
            Upload upload = null;
            Multipart.Part file = parts.values().stream().filter(p -> p.fileName() != null).findFirst()
                    .orElse(parts.get("file"));
            if (file != null) {
                String fileName = parts.containsKey("filename") ? parts.get("filename").text() : file.fileName();
                upload = new Upload(fileName, file.contentType(), file.body());
            }
            return new GraphqlRequest(query, operationName, toMap(vars), upload);
        }
        JsonNode json = JSON.readTree(body);
        return new GraphqlRequest(json.path("query").asText(null), json.path("operationName").asText(null),
                toMap(json.get("variables")), null);
    }

    /** The query's document, or null when it is not GraphQL (graphql-java then answers the syntax error). */
    static Document document(String query) {
        try {
            return new Parser().parseDocument(query);
        } catch (InvalidSyntaxException e) {
            return null;
        }
    }

    /** The root fields the operation asks for (by field name, fragments followed), in order, each once. */
    static List<String> rootFields(Document document, String operationName) {
        List<OperationDefinition> ops = document.getDefinitionsOfType(OperationDefinition.class);
        OperationDefinition op = ops.stream().filter(o -> operationName == null ? ops.size() == 1 : operationName.equals(o.getName()))
                .findFirst().orElse(null);
        if (op == null) return List.of();
        Map<String, FragmentDefinition> fragments = new HashMap<>();
        document.getDefinitionsOfType(FragmentDefinition.class).forEach(f -> fragments.put(f.getName(), f));
        Set<String> names = new LinkedHashSet<>();
        collect(op.getSelectionSet(), fragments, names, 0);
        return List.copyOf(names);
    }

    private static void collect(SelectionSet set, Map<String, FragmentDefinition> fragments, Set<String> names, int depth) {
        if (set == null || depth > 10) return;
        for (Selection<?> s : set.getSelections()) {
            switch (s) {
                case Field f -> names.add(f.getName());
                case InlineFragment i -> collect(i.getSelectionSet(), fragments, names, depth + 1);
                case FragmentSpread spread -> {
                    FragmentDefinition d = fragments.get(spread.getName());
                    if (d != null) collect(d.getSelectionSet(), fragments, names, depth + 1);
                }
                default -> { }
            }
        }
    }

    /** For graphql-java's "Field 'x' in type 'T' is undefined" about a field Veritone has: its name (root fields bare). */
    static String unservedField(String message) {
        Matcher m = FIELD_UNDEFINED.matcher(message == null ? "" : message);
        if (!m.find()) return null;
        String field = m.group(1);
        String type = m.group(2);
        if (!VERITONE_FIELDS.contains(type + "." + field)) return null;
        return type.equals("Query") || type.equals("Mutation") ? field : type + "." + field;
    }

    private String notServedMessage(String field) {
        return field + " is not served by the test sandbox: Veritone's API has it, but Drydock serves only "
                + String.join(", ", servedRootFields) + " (and introspection), with the fields in its schema";
    }

    /** The document of a rejected request, bounded, with literal values of secret-looking arguments masked. */
    private static String recordableQuery(String query) {
        String q = SECRET_LITERAL.matcher(query).replaceAll("$1\"***\"");
        return q.length() <= MAX_RECORDED_QUERY_CHARS ? q : q.substring(0, MAX_RECORDED_QUERY_CHARS) + "…";
    }

    private static Set<String> loadVeritoneFields() {
        Set<String> names = new java.util.HashSet<>();
        try (InputStream in = SandboxApi.class.getResourceAsStream("veritone-fields.txt")) {
            if (in == null) throw new IllegalStateException("veritone-fields.txt is missing from the classpath");
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(names::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(names);
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
                .scalar(jsonScalar("JSONData", "any JSON value"))
                .scalar(jsonScalar("DateTime", "a date/time in RFC 3339 format (epoch milliseconds are accepted too)"))
                .scalar(jsonScalar("UploadedFile", "a file upload: the file part of a multipart form POST"))
                .scalar(jsonScalar("TaskFailureReason", "an enum on the Veritone platform; any value is accepted and recorded here"))
                .type("Query", t -> t
                        .dataFetcher("temporalDataObject", recorded("temporalDataObject", env -> tdos.get(env.<String>getArgument("id"))))
                        .dataFetcher("asset", recorded("asset", env -> assets.get(env.<String>getArgument("id"))))
                        .dataFetcher("task", recorded("task", this::taskQuery)))
                .type("Mutation", t -> t
                        .dataFetcher("updateTask", recorded("updateTask", this::updateTask))
                        .dataFetcher("createTDO", recorded("createTDO", this::createTdo))
                        .dataFetcher("createAsset", recorded("createAsset", this::createAsset))
                        .dataFetcher("createStructuredData", recorded("createStructuredData", this::createStructuredData))
                        .dataFetcher("uploadEngineResult", recorded("uploadEngineResult", this::uploadEngineResult)))
                .type("Page", t -> t.typeResolver(env -> env.getSchema().getObjectType("AssetList")))
                .type("TemporalDataObject", t -> t
                        .dataFetcher("assets", this::tdoAssets)
                        .dataFetcher("details", SandboxApi::detailsAtPath)
                        .dataFetcher("primaryAsset", env -> {
                            String type = env.getArgument("assetType");
                            return assetsOf(source(env).get("id").toString()).stream()
                                    .filter(a -> type.equals(a.get("assetType"))).findFirst().orElse(null);
                        }))
                .type("Asset", t -> t
                        .dataFetcher("signedUri", env -> {
                            String id = source(env).get("id").toString();
                            return assetBytes.containsKey(id) ? signedUri(id) : null;
                        })
                        .dataFetcher("uri", env -> {
                            Object uri = source(env).get("uri");
                            String id = source(env).get("id").toString();
                            return uri != null ? uri : assetBytes.containsKey(id) ? signedUri(id) : null;
                        })
                        .dataFetcher("container", env -> tdos.get(String.valueOf(source(env).get("containerId"))))
                        .dataFetcher("details", SandboxApi::detailsAtPath)
                        .dataFetcher("jsonstring", env -> {
                            Object data = source(env).get("jsondata");
                            if (data == null) return null;
                            Integer indent = env.getArgument("indent");
                            return indent != null && indent > 0 ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(data)
                                    : JSON.writeValueAsString(data);
                        }))
                .type("Task", t -> t
                        .dataFetcher("target", env -> tdos.get(ids.recordingId()))
                        .dataFetcher("sourceAsset", env -> assets.get(sampleAssetId())))
                .type("StructuredData", t -> t
                        .dataFetcher("data", env -> {
                            Object data = source(env).get("data");
                            String path = env.getArgument("path");
                            return path == null ? data : atPath(data, path);
                        })
                        .dataFetcher("dataString", env -> JSON.writeValueAsString(source(env).get("data"))))
                .build();
        return new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> source(DataFetchingEnvironment env) {
        return (Map<String, Object>) env.getSource();
    }

    private static Object detailsAtPath(DataFetchingEnvironment env) {
        Object details = source(env).get("details");
        String path = env.getArgument("path");
        return path == null ? details : atPath(details, path);
    }

    /** {@code a.b.c} in nested maps, or null. */
    private static Object atPath(Object value, String path) {
        Object v = value;
        for (String key : path.split("\\.")) {
            if (!(v instanceof Map<?, ?> m)) return null;
            v = m.get(key);
        }
        return v;
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
        task.put("jobId", ids.jobId());
        task.put("applicationId", ids.applicationId());
        task.put("targetId", ids.recordingId());
        task.put("sourceAssetId", sampleAssetId());
        task.put("createdDateTime", createdAt);
        task.put("modifiedDateTime", modifiedAt);
        task.put("testTask", true);
        task.put("isClone", false);
        Object output = taskOutput == null ? null : JSON.convertValue(taskOutput, Object.class);
        task.put("output", output);
        task.put("taskOutput", output);
        task.put("outputString", taskOutput == null ? null : taskOutput.isTextual() ? taskOutput.asText() : taskOutput.toString());
        return task;
    }

    private Object updateTask(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        if (input == null) throw new IllegalArgumentException("updateTask needs its input: {id, status, …}");
        requireTask(String.valueOf(input.get("id")));
        String status = String.valueOf(input.get("status"));
        Object reason = input.get("failureReason");
        Object message = input.get("failureMessage");
        // Veritone's UpdateTask: failureReason only with status failed; failureMessage only with failed and a failureReason
        if (reason != null && !status.equals("failed")) {
            throw new IllegalArgumentException("failureReason may be set only with status failed (it was " + status + ")");
        }
        if (message != null && (!status.equals("failed") || reason == null)) {
            throw new IllegalArgumentException("failureMessage may be set only with status failed and a failureReason");
        }
        synchronized (this) {
            taskStatus = status;
            statusHistory.add(status);
            modifiedAt = now();
            JsonNode output = input.get("output") == null ? null : asJson(input.get("output"));
            if (!isEmpty(output)) {
                taskOutput = output;
                engineOutput(EngineOutput.UPDATE_TASK_OUTPUT, "application/json", output);
            }
            Object outputString = input.get("outputString");
            if (outputString != null && !outputString.toString().isBlank()) {
                String text = outputString.toString();
                JsonNode parsed = parseJson(text.getBytes(StandardCharsets.UTF_8));
                Object key = input.get("outputJsonKey");
                JsonNode json = parsed != null ? parsed : key != null ? JSON.createObjectNode().put(key.toString(), text) : null;
                taskOutput = json != null ? json : JSON.getNodeFactory().textNode(text);
                engineOutput(EngineOutput.UPDATE_TASK_OUTPUT_STRING, json != null ? "application/json" : "text/plain", json);
            }
            JsonNode legacy = input.get("taskOutput") == null ? null : asJson(input.get("taskOutput"));
            if (!isEmpty(legacy)) {
                if (isEmpty(output) && outputString == null) taskOutput = legacy;
                engineOutput(EngineOutput.TASK_OUTPUT, "application/json", legacy);
            }
            if (reason != null) failureReason = message != null ? reason + ": " + message : reason.toString();
        }
        return taskMap();
    }

    private void engineOutput(String via, String contentType, JsonNode json) {
        if (!recording.ingest()) engineOutputs.add(new EngineOutput(via, contentType, json));
    }

    private static boolean isEmpty(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() || (n.isContainerNode() && n.isEmpty())
                || (n.isTextual() && n.asText().isBlank());
    }

    /** A JSON value from a GraphQL JSONData argument: objects and arrays as they are, a string parsed if it is JSON. */
    private static JsonNode asJson(Object value) {
        if (value instanceof String s) {
            JsonNode parsed = parseJson(s.getBytes(StandardCharsets.UTF_8));
            return parsed != null ? parsed : JSON.getNodeFactory().textNode(s);
        }
        return JSON.valueToTree(value);
    }

    /** The bytes as JSON, or null when they are not JSON (or empty). */
    private static JsonNode parseJson(byte[] bytes) {
        if (bytes == null || bytes.length == 0) return null;
        try {
            JsonNode n = JSON.readTree(bytes);
            return n == null || n.isMissingNode() ? null : n;
        } catch (IOException e) {
            return null;
        }
    }

    private Object createTdo(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        if (input == null) throw new IllegalArgumentException("createTDO needs its input: {startDateTime, stopDateTime, …}");
        String id = UUID.randomUUID().toString();
        Map<String, Object> tdo = new LinkedHashMap<>(input);
        tdo.put("id", id);
        tdo.put("startDateTime", dateTime(input.get("startDateTime")));
        tdo.put("stopDateTime", dateTime(input.get("stopDateTime")));
        tdo.put("createdDateTime", now());
        tdo.put("modifiedDateTime", now());
        if (tdo.get("applicationId") == null) tdo.put("applicationId", ids.applicationId());
        tdos.put(id, tdo);
        created.add(new CreatedObject(CreatedObject.Kind.tdo, id, null, null, 0, redact(JSON.valueToTree(input))));
        return tdo;
    }

    /** An RFC 3339 string for a DateTime given as one, or as epoch milliseconds. */
    private static String dateTime(Object v) {
        if (v instanceof Number n) return TIME.format(Instant.ofEpochMilli(n.longValue()));
        if (v instanceof String s && s.matches("\\d{10,}")) return TIME.format(Instant.ofEpochMilli(Long.parseLong(s)));
        return v == null ? null : v.toString();
    }

    private Object createAsset(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        String containerId = String.valueOf(input.get("containerId"));
        if (!tdos.containsKey(containerId)) {
            throw new IllegalArgumentException("unknown containerId '" + containerId + "': create the TDO first (createTDO) or use the payload's recordingId");
        }
        Upload upload = env.getGraphQlContext().get(Upload.class);
        String uri = str(input.get("uri"), null);
        byte[] bytes = upload != null ? upload.bytes() : ownMedia(uri);
        String contentType = str(input.get("contentType"), upload == null ? null : upload.contentType());
        String assetType = str(input.get("type"), str(input.get("assetType"), "media"));
        String id = UUID.randomUUID().toString();
        Map<String, Object> asset = storeAsset(id, containerId, assetType, contentType,
                str(input.get("name"), upload == null ? null : upload.fileName()), upload != null ? null : uri, upload != null ? bytes : null,
                input.get("details"), input.get("jsondata"), now());
        ObjectNode details = (ObjectNode) redact(JSON.valueToTree(withoutFile(input)));
        created.add(new CreatedObject(CreatedObject.Kind.asset, id, containerId, contentType, bytes == null ? 0 : bytes.length, details));
        engineOutput(EngineOutput.CREATE_ASSET, contentType, jsonContent(contentType, bytes));
        return asset;
    }

    /** The bytes of one of this API's own signed media URIs, or null for any other URI. */
    private byte[] ownMedia(String uri) {
        if (uri == null) return null;
        try {
            URI u = URI.create(uri);
            String path = u.getPath();
            String query = u.getRawQuery();
            if (path == null || !path.startsWith("/media/") || query == null || !query.startsWith("sig=")) return null;
            String id = path.substring("/media/".length());
            String expected = signatures.get(id);
            return expected != null && constantEquals(query.substring(4), expected) ? assetBytes.get(id) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Content parsed as JSON when its type says JSON, or no type is given and it parses; else null. */
    private static JsonNode jsonContent(String contentType, byte[] bytes) {
        if (bytes == null) return null;
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.contains("json") || type.isBlank()) return parseJson(bytes);
        return null;
    }

    private Object createStructuredData(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        JsonNode data = input.get("data") != null ? asJson(input.get("data"))
                : input.get("dataString") != null ? asJson(input.get("dataString")) : JSON.nullNode();
        String id = input.get("id") != null ? input.get("id").toString() : UUID.randomUUID().toString();
        ObjectNode details = JSON.createObjectNode();
        details.put("schemaId", String.valueOf(input.get("schemaId")));
        details.set("data", redact(data));
        created.add(new CreatedObject(CreatedObject.Kind.structuredData, id, null, "application/json",
                data.toString().length(), details));
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("id", id);
        sd.put("schemaId", input.get("schemaId"));
        sd.put("data", JSON.convertValue(data, Object.class));
        sd.put("createdDateTime", now());
        sd.put("modifiedDateTime", now());
        return sd;
    }

    private Object uploadEngineResult(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        requireTask(String.valueOf(input.get("taskId")));
        Upload upload = env.getGraphQlContext().get(Upload.class);
        Object output = input.get("output");
        Object outputString = input.get("outputString");
        String uri = str(input.get("uri"), null);
        int given = (upload != null ? 1 : 0) + (output != null ? 1 : 0) + (outputString != null ? 1 : 0) + (uri != null ? 1 : 0);
        if (given == 0) throw new IllegalArgumentException("uploadEngineResult needs one of output, outputString, uri or a multipart file part");
        if (given > 1) throw new IllegalArgumentException("uploadEngineResult takes only one of output, outputString, uri or a file part");
        byte[] bytes;
        if (upload != null) bytes = upload.bytes();
        else if (output != null) bytes = asJson(output).toString().getBytes(StandardCharsets.UTF_8);
        else if (outputString != null) bytes = outputString.toString().getBytes(StandardCharsets.UTF_8);
        else bytes = ownMedia(uri);
        String fileName = str(input.get("filename"), upload == null ? null : upload.fileName());
        String contentType = str(input.get("contentType"), upload != null && upload.contentType() != null ? upload.contentType()
                : output != null ? "application/json" : byName(fileName));
        if (contentType == null && bytes != null) contentType = parseJson(bytes) != null ? "application/json" : "text/plain";
        String id = UUID.randomUUID().toString();
        Map<String, Object> asset = storeAsset(id, ids.recordingId(), str(input.get("assetType"), "vtn-standard"), contentType,
                fileName, upload == null && output == null && outputString == null ? uri : null,
                uri != null ? null : bytes, null, null, now());
        ObjectNode details = (ObjectNode) redact(JSON.valueToTree(withoutFile(input)));
        if (bytes != null) {
            details.put("valid", validFor(contentType, bytes));
            if (contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json") && bytes.length <= (1 << 20)) {
                JsonNode content = parseJson(bytes);
                if (content != null) details.set("content", content);
            }
        }
        created.add(new CreatedObject(CreatedObject.Kind.engineResult, id, ids.recordingId(), contentType,
                bytes == null ? 0 : bytes.length, details));
        JsonNode json = jsonContent(contentType, bytes);
        engineOutput(EngineOutput.UPLOAD_ENGINE_RESULT, contentType, json);
        synchronized (this) {
            if (!Boolean.FALSE.equals(input.get("setTaskOutput")) && bytes != null) {
                taskOutput = json != null ? json
                        : JSON.createObjectNode().put(str(input.get("outputJsonKey"), "data"), new String(bytes, StandardCharsets.UTF_8));
            }
            if (!Boolean.FALSE.equals(input.get("completeTask"))) {
                taskStatus = "complete";
                statusHistory.add(taskStatus);
            }
            modifiedAt = now();
        }
        return asset;
    }

    private static String byName(String fileName) {
        if (fileName == null) return null;
        String f = fileName.toLowerCase(Locale.ROOT);
        if (f.endsWith(".json")) return "application/json";
        if (f.endsWith(".ttml")) return "application/ttml+xml";
        if (f.endsWith(".txt")) return "text/plain";
        return null;
    }

    /** False when the content type says JSON and the bytes do not parse as JSON. */
    static boolean validFor(String contentType, byte[] bytes) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).contains("json")) return true;
        return parseJson(bytes) != null;
    }

    private static Map<String, Object> withoutFile(Map<String, Object> input) {
        Map<String, Object> copy = new LinkedHashMap<>(input);
        copy.remove("file");
        return copy;
    }

    private static String str(Object value, String fallback) {
        return value == null ? fallback : value.toString();
    }

    private static String now() {
        return TIME.format(Instant.now());
    }

    private synchronized Map<String, Object> storeAsset(String id, String containerId, String assetType, String contentType,
                                                        String name, String uri, byte[] bytes, Object details, Object jsondata,
                                                        String createdDateTime) {
        Map<String, Object> fileData = null;
        if (bytes != null) {
            if (storedBytes + bytes.length > MAX_STORED_BYTES) {
                throw new IllegalArgumentException("the sandbox keeps at most " + (MAX_STORED_BYTES >> 20) + " MiB of uploads per run");
            }
            storedBytes += bytes.length;
            assetBytes.put(id, bytes);
            byte[] sig = new byte[18];
            RANDOM.nextBytes(sig);
            signatures.put(id, HexFormat.of().formatHex(sig));
            fileData = new LinkedHashMap<>();
            fileData.put("size", bytes.length);
            fileData.put("md5sum", md5(bytes));
        }
        Map<String, Object> asset = new LinkedHashMap<>();
        asset.put("id", id);
        asset.put("containerId", containerId);
        asset.put("assetType", assetType);
        asset.put("type", assetType);
        asset.put("contentType", contentType);
        asset.put("name", name);
        asset.put("uri", uri);
        asset.put("createdDateTime", createdDateTime);
        asset.put("modifiedDateTime", createdDateTime);
        asset.put("assetSize", bytes == null ? null : (double) bytes.length);
        asset.put("fileData", fileData);
        asset.put("details", details);
        asset.put("jsondata", jsondata);
        asset.put("isUserEdited", false);
        assets.put(id, asset);
        return asset;
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }

    private List<Map<String, Object>> assetsOf(String tdoId) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> a : assets.values()) {
            if (tdoId.equals(a.get("containerId"))) out.add(a);
        }
        out.sort(Comparator.comparing(a -> String.valueOf(a.get("createdDateTime"))));
        return out;
    }

    /** {@code TemporalDataObject.assets(id, type, assetType, sourceTaskId, offset, limit, orderBy, orderDirection)}. */
    private Object tdoAssets(DataFetchingEnvironment env) {
        List<String> types = new ArrayList<>();
        List<String> byType = env.getArgument("type");
        List<String> byAssetType = env.getArgument("assetType");
        if (byType != null) types.addAll(byType);
        if (byAssetType != null) types.addAll(byAssetType);
        String id = env.getArgument("id");
        List<Map<String, Object>> records = new ArrayList<>(assetsOf(source(env).get("id").toString()).stream()
                .filter(a -> (byType == null && byAssetType == null) || types.contains(String.valueOf(a.get("assetType"))))
                .filter(a -> id == null || id.equals(a.get("id")))
                .toList());
        String orderBy = String.valueOf(env.<Object>getArgument("orderBy"));
        Comparator<Map<String, Object>> order = Comparator.comparing(a -> String.valueOf(a.get(orderBy)));
        records.sort("asc".equals(String.valueOf(env.<Object>getArgument("orderDirection"))) ? order : order.reversed());
        int offset = Math.max(0, env.<Integer>getArgument("offset") == null ? 0 : env.<Integer>getArgument("offset"));
        int limit = env.<Integer>getArgument("limit") == null ? 30 : Math.max(0, env.<Integer>getArgument("limit"));
        List<Map<String, Object>> page = records.subList(Math.min(offset, records.size()), Math.min(records.size(), offset + limit));
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("records", page);
        list.put("offset", offset);
        list.put("limit", limit);
        list.put("count", page.size());
        return list;
    }

    /** A scalar carrying any JSON value (object, array, string, number, boolean). */
    private static GraphQLScalarType jsonScalar(String name, String description) {
        return GraphQLScalarType.newScalar().name(name).description(description).coercing(new Coercing<Object, Object>() {
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
