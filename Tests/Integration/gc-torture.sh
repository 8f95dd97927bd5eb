#!/usr/bin/env bash
# The garbage collector under fire: for DURATION seconds (default 60) a CI loop cuts and
# cherry-picks candidates and a release loop promotes and rolls back through the server,
# skopeo pushes and deletes plain images, the collector runs every second with strict
# rules (rollback-depth 1, releases 1, superseded-rcs 0s, untagged 0s, grace 2s), and the
# server is killed with SIGKILL at random moments and started again on the same store.
# Afterwards: every blob the metadata needs is there with the right bytes (hangar verify),
# the audit log verifies, and every environment's candidate, rollback target and kept
# candidate fetches. Zero lost.
#
# Usage: Tests/Integration/gc-torture.sh [path/to/hangar]   (DURATION=60)
set -uo pipefail

HANGAR=$(realpath "${1:-.build/debug/hangar}")
DURATION=${DURATION:-60}
WORK=$(mktemp -d /tmp/hangar-gc-torture-XXXXXX)
STORE=$WORK/store
PASSED=0
FAILED=0
SERVER_PID=
LOOPS=()

cleanup() {
  for pid in "${LOOPS[@]}"; do kill "$pid" 2> /dev/null; done
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2> /dev/null
  wait 2> /dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/services.sh"

PORT=$(free_port)
HOST=127.0.0.1:$PORT

serve() {
  "$HANGAR" serve --store "$STORE" --port "$PORT" --gc-minutes 0 --log-level error >> "$WORK/serve.out" 2>> "$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://$HOST/healthz" && return 0
    sleep 0.1
  done
  echo "server did not start:"; tail -5 "$WORK/serve.err"; return 1
}

remote() { HANGAR_SERVER=http://$HOST HANGAR_TOKEN=$1 "$HANGAR" "${@:2}"; }
deadline() { [ "$(date +%s)" -lt "$END" ]; }
SHA_A=$(printf 'a%.0s' {1..40}); SHA_B=$(printf 'b%.0s' {1..40})

ci_loop() {
  local v=0 rc
  while deadline; do
    v=$((v + 1))
    mkdir -p "$WORK/build/$v" && head -c 3000 /dev/urandom > "$WORK/build/$v/app.bin"
    remote "$CI" cut --no-git acme/t --version "1.$v.0" --commit "$SHA_A" --artifact app="$WORK/build/$v" > /dev/null 2>&1 || continue
    for rc in 2 3; do
      head -c 2000 /dev/urandom > "$WORK/build/$v/fix.bin"
      remote "$CI" cherry-pick --no-git acme/t --version "1.$v.0" --commit "$SHA_B" --artifact app="$WORK/build/$v" > /dev/null 2>&1
    done
  done
}

release_loop() {
  local v env
  while deadline; do
    v=$(ls "$WORK/build" 2> /dev/null | sort -n | tail -2 | head -1)  # the newest version whose cut is done
    [ -n "$v" ] || { sleep 0.2; continue; }
    for env in sandbox staging production; do
      remote "$RELEASER" promote acme/t "1.$v.0-rc.3" --to $env > /dev/null 2>&1 \
        || remote "$RELEASER" promote acme/t "1.$v.0-rc.1" --to $env > /dev/null 2>&1
    done
    [ $((RANDOM % 3)) = 0 ] && remote "$RELEASER" rollback acme/t --env production > /dev/null 2>&1
    sleep 0.3
  done
}

# The same image is pushed again and again; every third round it is deleted by digest
# (with its tags), so its blobs go dead while the next round pushes them again: the race
# of a re-upload that finds the bytes still there with their deletion.
oci_loop() {
  local i=0 digest
  digest=$(python3 -c "import json;print(json.load(open('$WORK/layout/index.json'))['manifests'][0]['digest'])")
  while deadline; do
    i=$((i + 1))
    sk copy -q --dest-tls-verify=false --dest-creds "ci:$CI" oci:"$WORK/layout":v1 docker://"$HOST"/demo/plain:t$i > /dev/null 2>&1
    [ $((i % 2)) = 0 ] && curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $CI" "http://$HOST/v2/demo/plain/manifests/t$((i - 1))"
    [ $((i % 3)) = 0 ] && curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $CI" "http://$HOST/v2/demo/plain/manifests/$digest"
    sleep 0.$((RANDOM % 10))
  done
}

gc_loop() {
  while deadline; do
    remote "$ADMIN" gc --grace 2s > /dev/null 2>> "$WORK/gc.err"
    sleep 1
  done
}

kill_loop() {
  while deadline; do
    sleep "$((3 + RANDOM % 6)).$((RANDOM % 10))"
    deadline || break
    kill -9 "$SERVER_PID" 2> /dev/null
    wait "$SERVER_PID" 2> /dev/null
    echo "killed the server at $(date +%T.%N | cut -c1-12)" >> "$WORK/kills.log"
    serve || return 1
  done
}

install_clients
ADMIN=$("$HANGAR" token create --store "$STORE" --name admin --role admin 2> /dev/null) \
  && CI=$("$HANGAR" token create --store "$STORE" --name ci --role ci 2> /dev/null) \
  && RELEASER=$("$HANGAR" token create --store "$STORE" --name releaser --role releaser 2> /dev/null) \
  || { echo "cannot create tokens"; exit 1; }
"$HANGAR" project create acme/t --store "$STORE" --actor operator > /dev/null
"$HANGAR" project retention acme/t --rollback-depth 1 --releases 1 --superseded-rcs 0s --untagged 0s --store "$STORE" > /dev/null
make_image
serve || exit 1

END=$(( $(date +%s) + DURATION ))
# The kill loop restarts the server in this shell's variables: run it in the foreground
# shell's job, the others in the background.
ci_loop & LOOPS+=($!)
release_loop & LOOPS+=($!)
oci_loop & LOOPS+=($!)
gc_loop & LOOPS+=($!)
kill_loop
wait "${LOOPS[@]}" 2> /dev/null
LOOPS=()

# A last collection on a calm server finishes any deletion a killed one had begun.
kill -9 "$SERVER_PID" 2> /dev/null; wait "$SERVER_PID" 2> /dev/null
serve || exit 1
remote "$ADMIN" gc --grace 2s > "$WORK/last-gc.out" 2>&1
kill "$SERVER_PID"; wait "$SERVER_PID" 2> /dev/null; SERVER_PID=

something_happened() {
  local kills candidates collected
  kills=$(wc -l < "$WORK/kills.log" 2> /dev/null || echo 0)
  candidates=$("$HANGAR" audit log acme/t --store "$STORE" --json --limit 100000 | python3 -c "
import json, sys; print(sum(1 for e in json.load(sys.stdin) if e['action'] == 'candidate.created'))")
  collected=$("$HANGAR" audit log --store "$STORE" --json --limit 100000 | python3 -c "
import json, sys; print(sum(int(e['details'].get('blobs', 0)) for e in json.load(sys.stdin) if e['action'] == 'gc.run'))")
  echo "$kills kills, $candidates candidates cut, $collected blobs collected"
  [ "$kills" -ge 3 ] && [ "$candidates" -ge 10 ] && [ "$collected" -ge 10 ]
}
verify_store() { "$HANGAR" verify --store "$STORE" | tail -2; }
audit_verifies() { "$HANGAR" audit verify --store "$STORE" | tail -1; }
nothing_pending() {
  python3 -c "
import sqlite3, sys
n = sqlite3.connect('$STORE/metadata.sqlite').execute('SELECT count(*) FROM blob_deletions WHERE finished_at IS NULL').fetchone()[0]
print(n, 'deletions pending'); sys.exit(1 if n else 0)"
}

# Every environment's candidate and every kept candidate fetches, verified.
everything_kept_fetches() {
  local tags tag n=0
  tags=$("$HANGAR" audit log acme/t --store "$STORE" --json --limit 100000 | python3 -c "
import json, sys
print(' '.join(e['details']['tag'] for e in json.load(sys.stdin) if e['action'] == 'candidate.created'))")
  for env in sandbox staging production; do
    "$HANGAR" status acme/t --store "$STORE" --json | python3 -c "
import json, sys
for s in json.load(sys.stdin):
    if s['environment'] == '$env' and s.get('tag'): print(s['tag'])" > "$WORK/env-$env"
    if [ -s "$WORK/env-$env" ]; then
      "$HANGAR" fetch acme/t "$env" --to "$WORK/fetch-$env" --store "$STORE" > /dev/null || { echo "$env does not fetch"; return 1; }
    fi
  done
  for tag in $tags; do
    out=$("$HANGAR" fetch acme/t "$tag" --to "$WORK/fetch/$tag" --store "$STORE" 2>&1)
    case $? in
      0) n=$((n + 1)) ;;
      4) echo "$out" | grep -q "was collected" || { echo "$tag: $out"; return 1; } ;;
      *) echo "$tag: $out"; return 1 ;;
    esac
  done
  echo "$n kept candidates fetched; the rest say they were collected"
}

VERBOSE=1 check "the run did work: kills, cuts, collections" something_happened
check "hangar verify: every blob the metadata needs is there, with its bytes" verify_store
check "hangar audit verify: the chain and the state it replays to" audit_verifies
check "no blob deletion left half-done" nothing_pending
check "every environment's and every kept candidate fetches; collected ones say so" everything_kept_fetches
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
