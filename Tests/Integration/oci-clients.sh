#!/usr/bin/env bash
# Real OCI clients against a real `hangar serve`: skopeo (copies a multi-layer OCI image
# in and out, promotes by copying an environment tag), the `oras` Python package (pushes
# and pulls a file artifact), and curl (a chunked upload cut off mid-body, then resumed).
# Prints one line per check and "N passed, M failed"; exits non-zero on any failure.
#
# Usage: Tests/Integration/oci-clients.sh [path/to/hangar]   (default .build/debug/hangar)
#        VERBOSE=1 shows the tail of each passing check's output too.
set -uo pipefail

HANGAR=$(realpath "${1:-.build/debug/hangar}")
WORK=$(mktemp -d /tmp/hangar-oci-XXXXXX)
STORE=$WORK/store
PASSED=0
FAILED=0
SERVER_PID=

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

. "$(dirname "$0")/lib.sh"

start_server() {
  "$HANGAR" serve --store "$STORE" --port 0 > "$WORK/serve.out" 2> "$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    grep -q "serving on" "$WORK/serve.out" 2> /dev/null && break
    sleep 0.1
  done
  HOST=$(sed -n 's|^hangar: serving on http://||p' "$WORK/serve.out")
  [ -n "$HOST" ] || { echo "server did not start:"; cat "$WORK/serve.err"; exit 1; }
}

token() { "$HANGAR" token create --store "$STORE" --name "$1" --role "$2" 2> /dev/null; }

image_round_trip() {
  sk copy --dest-tls-verify=false --dest-creds "ci:$CI" oci:"$WORK/layout":v1 docker://"$HOST"/demo/image:v1 \
    && sk copy --src-tls-verify=false --src-creds "deployer:$DEPLOYER" docker://"$HOST"/demo/image:v1 oci:"$WORK/pulled":v1 \
    && diff -r "$WORK/layout/blobs" "$WORK/pulled/blobs"
}

# The manifest served is byte-identical to the one pushed.
manifest_bytes_equal() {
  local want got
  want=$(python3 -c "import json;print(json.load(open('$WORK/layout/index.json'))['manifests'][0]['digest'])")
  got=$(sk inspect --raw --tls-verify=false --creds "deployer:$DEPLOYER" docker://"$HOST"/demo/image:v1 | sha256sum | cut -d' ' -f1)
  [ "$want" = "sha256:$got" ] || { echo "pushed $want, served sha256:$got"; return 1; }
}

list_tags() {
  sk list-tags --tls-verify=false --creds "deployer:$DEPLOYER" docker://"$HOST"/demo/image | grep -q '"v1"'
}

# skopeo delete removes a plain image (by its tag: skopeo deletes the manifest by digest).
skopeo_delete() {
  sk copy --dest-tls-verify=false --dest-creds "ci:$CI" oci:"$WORK/layout":v1 docker://"$HOST"/demo/scratch:old \
    && sk delete --tls-verify=false --creds "ci:$CI" docker://"$HOST"/demo/scratch:old \
    && ! sk inspect --raw --tls-verify=false --creds "deployer:$DEPLOYER" docker://"$HOST"/demo/scratch:old > /dev/null 2>&1
}

oras_round_trip() {
  mkdir -p "$WORK/oras-in" "$WORK/oras-out"
  head -c 200000 /dev/urandom > "$WORK/oras-in/report.bin"
  (cd "$WORK/oras-in" && ORAS_USER=ci ORAS_PASS="$CI" python3 - "$HOST" << 'PY'
import sys, oras.client
host = sys.argv[1]
client = oras.client.OrasClient(hostname=host, insecure=True, auth_backend="basic")
r = client.push(target=f"{host}/demo/files:v1", files=["report.bin"])
assert r.status_code in (200, 201), r.text
PY
  ) && (cd "$WORK/oras-out" && ORAS_USER=deployer ORAS_PASS="$DEPLOYER" python3 - "$HOST" << 'PY'
import sys, oras.client
host = sys.argv[1]
client = oras.client.OrasClient(hostname=host, insecure=True, auth_backend="basic")
print(client.pull(target=f"{host}/demo/files:v1", outdir="."))
PY
  ) && cmp "$WORK/oras-in/report.bin" "$WORK/oras-out/report.bin"
}

# A PATCH that announces 3 MiB, is cut off by a timeout part-way, then resumes from the
# Range the server reports.
resumed_upload() {
  local auth=(-H "Authorization: Bearer $CI") file=$WORK/chunked.bin size loc offset range digest
  head -c $((3 << 20)) /dev/urandom > "$file"
  size=$(stat -c %s "$file")
  digest=sha256:$(sha256sum "$file" | cut -d' ' -f1)
  loc=$(curl -fsS -D - -o /dev/null -X POST "${auth[@]}" "http://$HOST/v2/demo/chunks/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  [ -n "$loc" ] || { echo "no upload location"; return 1; }
  # Cut off: 256 KiB/s for 2 s sends only part of the 3 MiB body.
  curl -sS -o /dev/null --limit-rate 256k --max-time 2 -X PATCH "${auth[@]}" -H "Content-Type: application/octet-stream" \
    --data-binary @"$file" "http://$HOST$loc" && { echo "the cut-off PATCH completed"; return 1; }
  for _ in $(seq 1 50); do
    range=$(curl -fsS -D - -o /dev/null "${auth[@]}" "http://$HOST$loc" | tr -d '\r' | sed -n 's/^[Rr]ange: //p')
    [ -n "$range" ] && [ "$range" = "${last:-}" ] && [ "$range" != "0-0" ] && break
    last=$range; sleep 0.2
  done
  offset=$(( ${range#0-} + 1 ))
  echo "server kept $offset of $size bytes"
  [ "$offset" -gt 0 ] && [ "$offset" -lt "$size" ] || return 1
  tail -c +$((offset + 1)) "$file" | curl -fsS -o /dev/null -X PATCH "${auth[@]}" -H "Content-Range: $offset-$((size - 1))" \
    -H "Content-Type: application/octet-stream" --data-binary @- "http://$HOST$loc" \
    && curl -fsS -o /dev/null -X PUT "${auth[@]}" "http://$HOST$loc?digest=$digest" \
    && curl -fsS -H "Authorization: Bearer $DEPLOYER" "http://$HOST/v2/demo/chunks/blobs/$digest" | cmp - "$file"
}

# oras (python) deletes by tag (it resolves the tag and deletes that manifest, with its
# tags); curl deletes one tag of a manifest with two, and the other stays.
tag_deletion() {
  sk copy --dest-tls-verify=false --dest-creds "ci:$CI" oci:"$WORK/layout":v1 docker://"$HOST"/demo/oras:gone || return 1
  ORAS_USER=ci ORAS_PASS="$CI" python3 - "$HOST" << 'PY' || return 1
import sys, oras.client
host = sys.argv[1]
client = oras.client.OrasClient(hostname=host, insecure=True, auth_backend="basic")
assert client.delete_tag(f"{host}/demo/oras", "gone"), "delete_tag returned False"
PY
  served() { sk inspect --raw --tls-verify=false --creds "deployer:$DEPLOYER" docker://"$HOST"/demo/$1 > /dev/null 2>&1; }
  served oras:gone && { echo "oras: the deleted tag is still served"; return 1; }
  sk copy --dest-tls-verify=false --dest-creds "ci:$CI" oci:"$WORK/layout":v1 docker://"$HOST"/demo/tags:keep \
    && sk copy --dest-tls-verify=false --dest-creds "ci:$CI" oci:"$WORK/layout":v1 docker://"$HOST"/demo/tags:drop \
    && [ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $CI" "http://$HOST/v2/demo/tags/manifests/drop")" = 202 ] \
    || return 1
  served tags:drop && { echo "curl: the deleted tag is still served"; return 1; }
  served tags:keep || { echo "curl: deleting one tag took the other"; return 1; }
}

# The image of the OCI layout, as CI pushes it to its build repository.
image_digest() { python3 -c "import json;print(json.load(open('$WORK/layout/index.json'))['manifests'][0]['digest'])"; }

remote() { HANGAR_SERVER=http://$HOST HANGAR_TOKEN=$1 "$HANGAR" "${@:2}"; }

# A container image pushed to demo/shop-build becomes artifact `web` of candidate
# 1.0.0-rc.1 of demo/shop (remote CLI, --image), promoted to sandbox; the environment
# tags sandbox and sandbox-web serve the image itself, byte for byte.
image_candidate() {
  sk copy --dest-tls-verify=false --dest-creds "ci:$CI" oci:"$WORK/layout":v1 docker://"$HOST"/demo/shop-build:b1 || return 1
  "$HANGAR" project create demo/shop --store "$STORE" --actor operator > /dev/null || return 1
  remote "$CI" cut --no-git demo/shop --version 1.0.0 --commit "$(printf 'b%.0s' {1..40})" --image web="demo/shop-build@$(image_digest)" || return 1
  remote "$RELEASER" promote demo/shop 1.0.0-rc.1 --to sandbox > /dev/null || return 1
  local tag got
  for tag in sandbox sandbox-web; do
    got=sha256:$(sk inspect --raw --tls-verify=false --creds "deployer:$DEPLOYER" docker://"$HOST"/demo/shop:$tag | sha256sum | cut -d' ' -f1)
    [ "$got" = "$(image_digest)" ] || { echo "demo/shop:$tag serves $got, not the image $(image_digest)"; return 1; }
  done
  echo "demo/shop:sandbox and :sandbox-web serve $(image_digest)"
}

# podman (Debian) pulls the environment tag of the image candidate.
podman_pulls_environment_tag() {
  local p=(podman --root "$WORK/podman/root" --runroot "$WORK/podman/run" --storage-driver vfs)
  "${p[@]}" pull -q --tls-verify=false --creds "deployer:$DEPLOYER" "$HOST/demo/shop:sandbox" > /dev/null || return 1
  local got; got=$("${p[@]}" image inspect --format '{{.Digest}}' "$HOST/demo/shop:sandbox")
  [ "$got" = "$(image_digest)" ] || { echo "podman pulled $got"; return 1; }
}

# skopeo copy sandbox → staging of an image candidate is a recorded promotion, and the
# image copied out of staging is the image pushed, blob for blob.
image_candidate_promotes_and_round_trips() {
  sk copy --src-tls-verify=false --dest-tls-verify=false --src-creds "releaser:$RELEASER" --dest-creds "releaser:$RELEASER" \
    docker://"$HOST"/demo/shop:sandbox docker://"$HOST"/demo/shop:staging || return 1
  remote "$AUDITOR" history demo/shop --env staging --json | python3 -c "
import json, sys
moves = json.load(sys.stdin)
assert len(moves) == 1 and moves[0]['toTag'] == '1.0.0-rc.1' and moves[0]['deployment']['actor'] == 'releaser', moves
print('staging ← 1.0.0-rc.1 by releaser')" || return 1
  sk copy --src-tls-verify=false --src-creds "deployer:$DEPLOYER" docker://"$HOST"/demo/shop:staging oci:"$WORK/shop-out":x \
    && diff -r "$WORK/layout/blobs" "$WORK/shop-out/blobs"
}

# The OCI distribution-spec v1.1.1 conformance cases, all four workflows, on a fresh repository.
conformance() { python3 "$(dirname "$0")/oci-conformance.py" "$HOST" "$ADMIN" conformance/test; }

# A project with rc.1 in staging, cut on the local store by the operator.
prepare_release() {
  mkdir -p "$WORK/build" && echo "release one" > "$WORK/build/app.txt"
  "$HANGAR" project create demo/app --store "$STORE" --actor operator > /dev/null \
    && "$HANGAR" cut --no-git demo/app --version 1.0.0 --commit "$(printf 'a%.0s' {1..40})" --artifact app="$WORK/build" --store "$STORE" --actor ci > /dev/null \
    && "$HANGAR" promote demo/app 1.0.0-rc.1 --to sandbox --store "$STORE" --actor operator > /dev/null \
    && "$HANGAR" promote demo/app 1.0.0-rc.1 --to staging --store "$STORE" --actor operator > /dev/null
}

production_moves() { "$HANGAR" history demo/app --env production --store "$STORE" --json | python3 -c "import json,sys;print(len(json.load(sys.stdin)))"; }

deployer_cannot_promote() {
  sk copy --src-tls-verify=false --dest-tls-verify=false --src-creds "deployer:$DEPLOYER" --dest-creds "deployer:$DEPLOYER" \
    docker://"$HOST"/demo/app:staging docker://"$HOST"/demo/app:production && { echo "the deployer's copy succeeded"; return 1; }
  [ "$(production_moves)" = 0 ]
}

releaser_promotes() {
  sk copy --src-tls-verify=false --dest-tls-verify=false --src-creds "releaser:$RELEASER" --dest-creds "releaser:$RELEASER" \
    docker://"$HOST"/demo/app:staging docker://"$HOST"/demo/app:production || return 1
  "$HANGAR" history demo/app --env production --store "$STORE" --json | python3 -c "
import json, sys
moves = json.load(sys.stdin)
assert len(moves) == 1, moves
d = moves[0]['deployment']
assert d['actor'] == 'releaser' and d['kind'] == 'promote' and moves[0]['toTag'] == '1.0.0-rc.1', d
print('production ← 1.0.0-rc.1 by', d['actor'])"
}

candidate_tag_is_immutable() {
  sk copy --dest-tls-verify=false --dest-creds "ci:$CI" oci:"$WORK/layout":v1 docker://"$HOST"/demo/app:1.0.0-rc.1 \
    && { echo "overwrote a candidate tag"; return 1; }
  return 0
}

denials_logged() {
  curl -sf -H "Authorization: Bearer $AUDITOR" "http://$HOST/api/v1/security-log" | python3 -c "
import json, sys
rows = [r for r in json.load(sys.stdin) if r['actor'] == 'deployer' and r['status'] == 403]
assert rows, 'no refusal of the deployer in the security log'
print(sum(r['count'] for r in rows), 'refused request(s) of the deployer in the security log')" \
  && ! "$HANGAR" audit log --store "$STORE" --json 2> /dev/null | grep -q '"access.denied"'
}

install_clients
ADMIN=$(token admin admin) && CI=$(token ci ci) && DEPLOYER=$(token deployer deployer) && RELEASER=$(token releaser releaser) && AUDITOR=$(token auditor auditor) \
  || { echo "cannot create tokens"; exit 1; }
start_server
make_image

check "OCI distribution-spec v1.1.1 conformance cases (pull, push, discovery, management)" conformance
check "skopeo: copy a 2-layer OCI image in and out, blobs identical" image_round_trip
check "skopeo: the manifest is served byte for byte" manifest_bytes_equal
check "skopeo: list-tags" list_tags
check "oras (python): push and pull a file artifact" oras_round_trip
check "skopeo: delete a plain image" skopeo_delete
check "oras (python) and curl: delete by tag; one tag of two goes, the other stays" tag_deletion
check "image candidate: cut --image over the API, env tags serve the image" image_candidate
check "podman: pull the environment tag of an image candidate" podman_pulls_environment_tag
check "skopeo: sandbox → staging of an image candidate promotes; copied out blob for blob" image_candidate_promotes_and_round_trips
check "curl: chunked upload cut off mid-body, resumed from Range" resumed_upload
check "setup: cut 1.0.0-rc.1 and promote it to staging (local CLI)" prepare_release
check "skopeo: staging → production refused for a deployer token" deployer_cannot_promote
check "skopeo: staging → production by a releaser is a recorded promotion" releaser_promotes
check "skopeo: a candidate tag cannot be overwritten" candidate_tag_is_immutable
check "refusals of the deployer in the security log, not the audit chain" denials_logged

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
