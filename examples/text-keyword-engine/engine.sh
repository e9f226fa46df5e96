#!/bin/busybox sh
# A batch keyword-extraction engine. It reads the task payload, marks the task running, finds the recording's text
# asset, downloads it from its signedUri, counts its words, writes the most frequent ones as a vtn-standard keyword
# result (a JSON asset on the recording, multipart createAsset), and completes the task. On any error it marks the
# task failed with a reason and a message, and exits 1.

# busybox's applets (sed, awk, sort, wget …) as commands, in the writable /tmp.
mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin && export PATH=/tmp/bin

KEYWORDS=10   # how many keywords to report at most

payload=$(cat "$PAYLOAD_FILE")
field() { echo "$payload" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
TOKEN=$(field token)
API=$(field veritoneApiBaseUrl)/v3/graphql
TASK=$(field taskId)
JOB=$(field jobId)
RECORDING=$(field recordingId)

# POST one GraphQL request (JSON body in $1) with the task's token; prints the response, fails on a GraphQL error.
graphql() {
  response=$(wget -Y off -q -O - --header "Authorization: Bearer $TOKEN" --header 'Content-Type: application/json' \
                  --post-data "$1" "$API") || return 1
  case "$response" in *'"errors"'*) echo "$response" >&2; return 1 ;; esac
  echo "$response"
}
# Marks the task failed (failureReason and failureMessage, as Veritone's UpdateTask has them) and exits 1.
fail() {
  echo "keyword extraction failed: $1" >&2
  graphql "$(printf '{"query":"mutation($id: ID!, $job: ID, $message: String) { updateTask(input: {id: $id, jobId: $job, status: failed, failureReason: internal_error, failureMessage: $message}) { id } }","variables":{"id":"%s","job":"%s","message":"%s"}}' "$TASK" "$JOB" "$1")" >/dev/null
  exit 1
}

graphql "$(printf '{"query":"mutation($id: ID!, $job: ID) { updateTask(input: {id: $id, jobId: $job, status: running}) { id status } }","variables":{"id":"%s","job":"%s"}}' "$TASK" "$JOB")" >/dev/null \
  || fail "could not set the task running"

# The recording's text asset (the newest first, as the API orders them).
assets=$(graphql "$(printf '{"query":"query($tdo: ID!) { temporalDataObject(id: $tdo) { assets(assetType: [\\"text\\"]) { records { id assetType contentType createdDateTime signedUri } } } }","variables":{"tdo":"%s"}}' "$RECORDING")") \
  || fail "could not list the assets of recording $RECORDING"
uri=$(echo "$assets" | sed 's/},{/}\n{/g' | sed -n 's/.*"signedUri":"\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$uri" ] || fail "recording $RECORDING has no text asset"
echo "Extracting keywords from the text asset of recording $RECORDING"

wget -Y off -q -O /tmp/text.txt "$uri" || fail "could not download the text asset"

# Words of three letters or more, lower case, minus common English words; counted, most frequent first (ties in
# alphabetical order); the first $KEYWORDS, each with its count relative to the most frequent as confidence.
tr 'A-Z' 'a-z' < /tmp/text.txt | tr -cs 'a-z' '\n' | awk 'length($0) >= 3' \
  | grep -v -x -E 'the|and|for|are|but|not|you|all|any|can|had|her|was|one|our|out|has|his|how|its|may|new|now|old|see|two|who|did|get|let|she|too|use|over|with|that|this|from|they|have|were|been|into|than|then|them|what|when|will|your|just|also|some|such|only|very' \
  | sort | uniq -c | sort -k1,1nr -k2,2 | head -n "$KEYWORDS" > /tmp/counts
[ -s /tmp/counts ] || fail "the text asset has no words to extract keywords from"
objects=$(awk 'NR == 1 { max = $1 } { printf "%s{\"type\":\"keyword\",\"label\":\"%s\",\"confidence\":%.2f}", (NR > 1 ? "," : ""), $2, $1 / max }' /tmp/counts)
printf '{"validationContracts":["keyword"],"generatedDateUTC":"%s","object":[%s]}' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$objects" > /tmp/keywords.json
echo "Keywords: $(awk '{ print $2 }' /tmp/counts | tr '\n' ' ' | sed 's/ $//')"

# The result as a vtn-standard JSON asset on the recording: a multipart createAsset (form fields query and file).
boundary=keywordengine7c1e
{
  printf -- '--%s\r\nContent-Disposition: form-data; name="query"\r\n\r\n' "$boundary"
  printf 'mutation { createAsset(input: {containerId: "%s", assetType: "vtn-standard", contentType: "application/json", name: "keywords.json"}) { id signedUri } }\r\n' "$RECORDING"
  printf -- '--%s\r\nContent-Disposition: form-data; name="file"; filename="keywords.json"\r\nContent-Type: application/json\r\n\r\n' "$boundary"
  cat /tmp/keywords.json
  printf '\r\n--%s--\r\n' "$boundary"
} > /tmp/request
created=$(wget -Y off -q -O - --header "Authorization: Bearer $TOKEN" \
               --header "Content-Type: multipart/form-data; boundary=$boundary" --post-file /tmp/request "$API") \
  || fail "could not upload the result"
asset=$(echo "$created" | sed -n 's/.*"createAsset":{"id":"\([^"]*\)".*/\1/p')
[ -n "$asset" ] || fail "createAsset returned no asset id"
echo "Wrote the result as asset $asset"

graphql "$(printf '{"query":"mutation($id: ID!, $job: ID) { updateTask(input: {id: $id, jobId: $job, status: complete}) { id status } }","variables":{"id":"%s","job":"%s"}}' "$TASK" "$JOB")" >/dev/null \
  || fail "could not complete the task"
echo "Task complete"
