#!/bin/busybox sh
# A minimal batch ingest adapter: it reads the task payload, marks the task running, creates a TDO, attaches the
# source file as an asset, and completes the task with the TDO's id as recordingId.

# The root filesystem (/tmp included) is writable in the test run, as under docker run. Install busybox's applets in /tmp.
mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin && export PATH=/tmp/bin

payload=$(cat "$PAYLOAD_FILE")
field() { echo "$payload" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
TOKEN=$(field token)
API=$(field veritoneApiBaseUrl)/v3/graphql
TASK=$(field taskId)
SOURCE=$(field url)

# POST one GraphQL request (JSON body in $1) with the task's token; prints the response.
graphql() {
  wget -Y off -q -O - --header "Authorization: Bearer $TOKEN" --header 'Content-Type: application/json' \
       --post-data "$1" "$API"
}
fail() {
  echo "ingest failed: $1" >&2
  graphql "$(printf '{"query":"mutation($id: ID!, $o: JSONData) { updateTask(input: {id: $id, status: failed, output: $o}) { id } }","variables":{"id":"%s","o":{"error":"%s"}}}' "$TASK" "$1")" >/dev/null
  exit 1
}

echo "Starting ingest of $SOURCE"
graphql "$(printf '{"query":"mutation($id: ID!) { updateTask(input: {id: $id, status: running}) { id } }","variables":{"id":"%s"}}' "$TASK")" >/dev/null \
  || fail "could not reach the API"

# A TDO spans the ingested media's time: startDateTime and stopDateTime are required (epoch milliseconds or RFC 3339).
now=$(date +%s)
tdo=$(graphql "$(printf '{"query":"mutation($start: DateTime!, $stop: DateTime!) { createTDO(input: {name: \\"busybox ingest\\", startDateTime: $start, stopDateTime: $stop}) { id } }","variables":{"start":%s000,"stop":%s000}}' "$now" "$((now + 1))")" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
[ -n "$tdo" ] || fail "createTDO returned no id"
echo "Created TDO $tdo"

graphql "$(printf '{"query":"mutation($c: ID!, $u: String) { createAsset(input: {containerId: $c, contentType: \\"text/plain\\", assetType: \\"media\\", uri: $u}) { id } }","variables":{"c":"%s","u":"%s"}}' "$tdo" "$SOURCE")" >/dev/null \
  || fail "createAsset failed"
echo "Added the source as an asset"

graphql "$(printf '{"query":"mutation($id: ID!, $o: JSONData) { updateTask(input: {id: $id, status: complete, output: $o}) { id } }","variables":{"id":"%s","o":{"recordingId":"%s"}}}' "$TASK" "$tdo")" >/dev/null \
  || fail "could not complete the task"
echo "Processing complete"
