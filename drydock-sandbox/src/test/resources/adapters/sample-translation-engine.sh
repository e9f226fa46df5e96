#!/bin/sh
# A translation engine making the calls Veritone's sample engine (veritone-sample-engine-py) makes, in its order and
# shapes: the schema by introspection, updateTask with jobId and output, the recording's text/transcript assets as a
# list-typed assetType argument, the oldest asset downloaded from its signedUri, the result written with a multipart
# createAsset (form fields query, filename, file) carrying jsondata, then updateTask complete. Busybox sh + wget only.
P=$(cat "$PAYLOAD_FILE")
val() { echo "$P" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
TOKEN=$(val token); API=$(val veritoneApiBaseUrl)/v3/graphql; TASK=$(val taskId); JOB=$(val jobId); REC=$(val recordingId)
post() { wget -Y off -q -O - --header "Authorization: Bearer $TOKEN" --header 'Content-Type: application/json' --post-data "$1" "$API"; }
ok() { case "$1" in *'"errors"'*) return 1 ;; esac; }
update() {
  R=$(post "$(printf '{"query":"mutation { updateTask(input: { id: \\"%s\\", jobId: \\"%s\\", status: %s, output: {} }) { id status } }"}' "$TASK" "$JOB" "$1")")
  ok "$R" || { echo "updateTask $1 failed: $R"; exit 12; }
}

# 1. the schema, as a GraphQL client that validates its queries fetches it
S=$(post '{"operationName":"IntrospectionQuery","query":"query IntrospectionQuery { __schema { queryType { name } mutationType { name } types { kind name fields(includeDeprecated: true) { name args { name type { kind name ofType { kind name } } } } inputFields { name type { kind name ofType { kind name } } } enumValues(includeDeprecated: true) { name } } } }"}') || exit 10
case "$S" in *'"name":"jobId"'*) ;; *) echo "the schema has no jobId: $S" | head -c 300; exit 11 ;; esac

# 2. running
update running

# 3. the recording's text and transcript assets
R=$(post "$(printf '{"query":"query{ temporalDataObject(id:\\"%s\\"){ assets(assetType:[\\"text\\",\\"transcript\\"]) { records { id assetType contentType createdDateTime signedUri } } } }"}' "$REC")") || exit 20
ok "$R" || { echo "assets failed: $R"; exit 21; }
OLDEST=$(echo "$R" | sed 's/},{/}\n{/g' \
  | sed -n 's/.*"assetType":"\([^"]*\)","contentType":"\([^"]*\)","createdDateTime":"\([^"]*\)","signedUri":"\([^"]*\)".*/\3 \1 \2 \4/p' \
  | busybox sort | head -n 1)
set -- $OLDEST
TYPE=$2; CTYPE=$3; URI=$4
[ -n "$URI" ] || { echo "no text or transcript asset: $R"; exit 22; }
echo "translating $TYPE ($CTYPE)"

# 4. download it and translate it
wget -Y off -q -O /tmp/in "$URI" || exit 30
tr 'a-z' 'A-Z' < /tmp/in > /tmp/out

# 5. the result as a multipart createAsset on the recording
Q=$(printf 'mutation { createAsset( input: { containerId: "%s", assetType: "%s", contentType: "%s", name: "translation.txt", jsondata: { source: "sandbox-sample-engine", language: "upper" } }) { id signedUri } }' "$REC" "$TYPE" "$CTYPE")
D="--drydock7d1f"
{
  printf '%s\r\nContent-Disposition: form-data; name="query"\r\n\r\n%s\r\n' "$D" "$Q"
  printf '%s\r\nContent-Disposition: form-data; name="filename"\r\n\r\ntranslation.txt\r\n' "$D"
  printf '%s\r\nContent-Disposition: form-data; name="file"; filename="translation.txt"\r\n\r\n' "$D"
  cat /tmp/out
  printf '\r\n%s--\r\n' "$D"
} > /tmp/body
C=$(wget -Y off -q -O - --header "Authorization: Bearer $TOKEN" --header "Content-Type: multipart/form-data; boundary=drydock7d1f" \
  --post-file /tmp/body "$API") || exit 40
case "$C" in *'"createAsset":{"id"'*) ;; *) echo "createAsset failed: $C"; exit 41 ;; esac

# 6. complete
update complete
echo "Successfully ran engine!"
