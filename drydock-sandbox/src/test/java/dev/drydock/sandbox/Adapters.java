package dev.drydock.sandbox;

/** Shell-script adapters for busybox images, as a developer would write them with {@code wget}. */
final class Adapters {
    private Adapters() {
    }

    static String manifest(String category, String extra) {
        return """
                {"engineId":"2ff9260b-6788-45de-9757-980e5dc653e3","category":"%s","preferredInputFormat":"text/plain",
                 "supportedInputFormats":["text/plain"],"outputFormats":["application/json"],"clusterSize":"small",
                 "engineMode":"batch"%s}
                """.formatted(category, extra == null ? "" : "," + extra);
    }

    /**
     * Reads the payload into shell variables (TOKEN, API, TASK, RECORDING, SOURCE_URL, SIGNED_URI) and defines
     * {@code gql BODY} (POST to the sandbox API with the token; -Y off: straight to the API, not via the proxy).
     */
    static final String PRELUDE = """
            #!/bin/sh
            P=$(cat "$PAYLOAD_FILE")
            val() { echo "$P" | sed -n "s/.*\\"$1\\":\\"\\([^\\"]*\\)\\".*/\\1/p"; }
            TOKEN=$(val token); API=$(val veritoneApiBaseUrl); TASK=$(val taskId); RECORDING=$(val recordingId)
            SOURCE_URL=$(val url); SIGNED_URI=$(val signedUri)
            gql() { wget -Y off -q -O - --header "Authorization: Bearer $TOKEN" --header 'Content-Type: application/json' --post-data "$1" "$API/v3/graphql"; r=$?; echo; return $r; }
            update() { gql "$(printf '{"query":"mutation($id: ID!, $s: TaskStatus!, $o: JSONData) { updateTask(input: {id: $id, status: $s, output: $o}) { id status } }","variables":{"id":"%s","s":"%s","o":%s}}' "$TASK" "$1" "${2:-null}")"; }
            """;

    /** A well-behaved ingest adapter: running, createTDO, createAsset, complete with the recordingId, exit 0. */
    static final String GOOD_PULL = PRELUDE + """
            echo "starting ingest of $SOURCE_URL"
            update running >/dev/null || exit 10
            TDO=$(gql '{"query":"mutation { createTDO(input: {name: \\"ingested\\", startDateTime: 1504028493942, stopDateTime: 1504028494942}) { id } }"}' | sed -n 's/.*"id":"\\([^"]*\\)".*/\\1/p')
            echo "created TDO $TDO"
            [ -n "$TDO" ] || exit 11
            gql "$(printf '{"query":"mutation($c: ID!, $u: String) { createAsset(input: {containerId: $c, contentType: \\\\"text/plain\\\\", assetType: \\\\"media\\\\", uri: $u}) { id signedUri } }","variables":{"c":"%s","u":"%s"}}' "$TDO" "$SOURCE_URL")" || exit 12
            update complete "{\\"recordingId\\":\\"$TDO\\"}" >/dev/null || exit 13
            echo "Processing complete"
            """;
}
