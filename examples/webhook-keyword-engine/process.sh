#!/bin/busybox sh
# The process webhook: a multipart/form-data POST with one chunk of work. It reads the fields chunkMimeType and
# cacheURI, downloads the chunk's text from cacheURI, counts its words and answers 200 with the most frequent ones as a
# vtn-standard keyword document. Anything wrong is answered 500 with the reason (the toolkit retries, then fails the
# task).

# busybox's applets (sed, awk, sort, wget …) as commands, in the writable /tmp.
export PATH=/tmp/bin
[ -x /tmp/bin/awk ] || { /bin/busybox mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin; }

KEYWORDS=10   # how many keywords to report at most
work=/tmp/chunk.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# Answers with a status, a content type and the file's content.
reply() {
  printf 'Status: %s\r\nContent-Type: %s\r\nContent-Length: %s\r\n\r\n' "$1" "$2" "$(wc -c < "$3")"
  cat "$3"
}
fail() {
  echo "keyword extraction failed: $1" >&2
  echo "$1" > "$work/error"
  reply "500 Internal Server Error" text/plain "$work/error"
  exit 0
}

[ "$REQUEST_METHOD" = POST ] || fail "the process webhook takes POST"
head -c "${CONTENT_LENGTH:-0}" | tr -d '\r' > "$work/request"
# A form field's value: the line after the blank line that ends the headers of its part.
field() {
  awk -v part="name=\"$1\"" 'found == 2 { print; exit }
                             found == 1 && $0 == "" { found = 2 }
                             /^Content-Disposition:/ && index($0, part) { found = 1 }' "$work/request"
}
type=$(field chunkMimeType)
uri=$(field cacheURI)
case "$type" in text/*) ;; *) fail "the chunk is '$type', this engine reads text/*" ;; esac
[ -n "$uri" ] || fail "the request has no cacheURI"
echo "Extracting keywords from a $type chunk" >&2
wget -Y off -q -O "$work/text" "$uri" || fail "could not download the chunk from cacheURI"

# Words of three letters or more, lower case, minus common English words; counted, most frequent first (ties in
# alphabetical order); the first $KEYWORDS, each with its count relative to the most frequent as confidence.
tr 'A-Z' 'a-z' < "$work/text" | tr -cs 'a-z' '\n' | awk 'length($0) >= 3' \
  | grep -v -x -E 'the|and|for|are|but|not|you|all|any|can|had|her|was|one|our|out|has|his|how|its|may|new|now|old|see|two|who|did|get|let|she|too|use|over|with|that|this|from|they|have|were|been|into|than|then|them|what|when|will|your|just|also|some|such|only|very' \
  | sort | uniq -c | sort -k1,1nr -k2,2 | head -n "$KEYWORDS" > "$work/counts"
[ -s "$work/counts" ] || fail "the chunk has no words to extract keywords from"
objects=$(awk 'NR == 1 { max = $1 } { printf "%s{\"type\":\"keyword\",\"label\":\"%s\",\"confidence\":%.2f}", (NR > 1 ? "," : ""), $2, $1 / max }' "$work/counts")
printf '{"validationContracts":["keyword"],"object":[%s]}\n' "$objects" > "$work/result.json"
echo "Keywords: $(awk '{ print $2 }' "$work/counts" | tr '\n' ' ' | sed 's/ $//')" >&2
reply "200 OK" application/json "$work/result.json"
