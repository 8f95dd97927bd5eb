#!/usr/bin/env bash
# Past one machine, for real: two `hangar serve` processes behind nginx, sharing blobs in a
# Ceph RADOS Gateway bucket and metadata in one PostgreSQL database, every service started
# here on loopback and torn down after. Through the balancer: skopeo and oras push and pull
# byte for byte; a 200 MiB upload whose server is killed with SIGKILL mid-body is resumed
# on the other server and finishes with the right digest; promotions racing on both servers
# are all recorded, none lost; a deploy agent watching through the balancer deploys a
# promotion made on one server directly; `verify` and `audit verify` pass at the end.
#
# Usage: Tests/Integration/cluster.sh [path/to/hangar]   (default .build/debug/hangar)
set -uo pipefail

HANGAR=$(realpath "${1:-.build/debug/hangar}")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/hangar-cluster-XXXXXX)
chmod 755 "$WORK"
PASSED=0
FAILED=0
. "$HERE/lib.sh"
. "$HERE/services.sh"
trap 'stop_services; rm -rf "$WORK"' EXIT

hangar_local() { "$HANGAR" "$@" --store "$WORK/a" --metadata "$METADATA" --signing-key "$WORK/signing-key.pem"; }

# Through the balancer.
image_round_trip() {
  sk copy --dest-tls-verify=false --dest-creds "ci:$CI" oci:"$WORK/layout":v1 docker://"$HOST"/demo/image:v1 \
    && sk copy --src-tls-verify=false --src-creds "ci:$CI" docker://"$HOST"/demo/image:v1 oci:"$WORK/pulled":v1 \
    && diff -r "$WORK/layout/blobs" "$WORK/pulled/blobs"
}

oras_round_trip() {
  mkdir -p "$WORK/oras-in" "$WORK/oras-out"
  head -c 3000000 /dev/urandom > "$WORK/oras-in/report.bin"
  (cd "$WORK/oras-in" && ORAS_USER=ci ORAS_PASS="$CI" python3 -c "
import sys, oras.client
c = oras.client.OrasClient(hostname='$HOST', insecure=True, auth_backend='basic')
r = c.push(target='$HOST/demo/files:v1', files=['report.bin'])
assert r.status_code in (200, 201), r.text") \
  && (cd "$WORK/oras-out" && ORAS_USER=ci ORAS_PASS="$CI" python3 -c "
import oras.client
c = oras.client.OrasClient(hostname='$HOST', insecure=True, auth_backend='basic')
print(c.pull(target='$HOST/demo/files:v1', outdir='.'))") \
  && cmp "$WORK/oras-in/report.bin" "$WORK/oras-out/report.bin"
}

# 200 MiB sent straight to server a at 40 MiB/s; a is killed mid-body; the client asks the
# balancer where the upload stands (server b answers), sends the rest there and finishes.
killed_mid_upload() {
  local auth=(-H "Authorization: Bearer $CI") file=$WORK/big.bin size loc offset range digest curl_pid
  head -c $((200 << 20)) /dev/urandom > "$file"
  size=$(stat -c %s "$file")
  digest=sha256:$(sha256sum "$file" | cut -d' ' -f1)
  loc=$(curl -fsS -D - -o /dev/null -X POST "${auth[@]}" "http://$HOST/v2/demo/big/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  [ -n "$loc" ] || { echo "no upload location"; return 1; }
  curl -sS -o /dev/null --limit-rate 40M -X PATCH "${auth[@]}" -H "Content-Type: application/octet-stream" \
    --data-binary @"$file" "http://${SERVER_HOST[a]}$loc" 2> /dev/null &
  curl_pid=$!
  sleep 3
  kill -9 "${SERVER_PID[a]}"
  wait "$curl_pid" && { echo "the PATCH to the killed server completed"; return 1; }
  echo "server a killed with SIGKILL mid-upload"
  range=$(curl -fsS -D - -o /dev/null "${auth[@]}" "http://$HOST$loc" | tr -d '\r' | sed -n 's/^[Rr]ange: //p')
  offset=$(( ${range#0-} + 1 ))
  [ "$range" = "0-0" ] && offset=0
  echo "the other server says $offset of $size bytes are stored"
  [ "$offset" -gt 0 ] && [ "$offset" -lt "$size" ] || return 1
  # The dead server's hold on the session lapses within 30 s: until then, 409 and retry.
  for attempt in $(seq 1 40); do
    status=$(tail -c +$((offset + 1)) "$file" | curl -sS -o "$WORK/patch.out" -w '%{http_code}' -X PATCH "${auth[@]}" \
      -H "Content-Range: $offset-$((size - 1))" -H "Content-Type: application/octet-stream" --data-binary @- "http://$HOST$loc")
    [ "$status" = 202 ] && break
    [ "$status" = 409 ] || { echo "PATCH answered $status: $(cat "$WORK/patch.out")"; return 1; }
    sleep 1
  done
  echo "the rest was taken after $attempt attempt(s)"
  curl -fsS -o /dev/null -X PUT "${auth[@]}" "http://$HOST$loc?digest=$digest" \
    && curl -fsS "${auth[@]}" "http://$HOST/v2/demo/big/blobs/$digest" | cmp - "$file" \
    && start_server a
}

prepare_release() {
  mkdir -p "$WORK/build" && head -c 100000 /dev/urandom > "$WORK/build/app.bin"
  HANGAR_SERVER=http://$HOST HANGAR_TOKEN=$ADMIN "$HANGAR" project create demo/app > /dev/null || return 1
  for n in 1 2 3 4; do
    echo "build $n" >> "$WORK/build/app.bin"
    HANGAR_SERVER=http://$HOST HANGAR_TOKEN=$CI "$HANGAR" cut --no-git demo/app --version "1.$n.0" \
      --commit "$(printf "$n%.0s" {1..40})" --artifact app="$WORK/build" > /dev/null || return 1
  done
}

# 24 promotions of sandbox, half on each server, all at once: every one is recorded (a lost
# compare-and-swap is retried by the server, never dropped), one after another.
racing_promotions() {
  local pids=() i server before after
  before=$(sandbox_moves)
  for i in $(seq 0 23); do
    server=$([ $((i % 2)) -eq 0 ] && echo a || echo b)
    HANGAR_SERVER=http://${SERVER_HOST[$server]} HANGAR_TOKEN=$ADMIN "$HANGAR" promote demo/app "1.$((i % 4 + 1)).0-rc.1" \
      --to sandbox > "$WORK/promote.$i" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || { echo "a promotion failed:"; cat "$WORK"/promote.*; return 1; }; done
  after=$(sandbox_moves)
  echo "sandbox moves: $before before, $after after"
  # Each promotion is a move unless sandbox already ran that candidate (a no-op).
  noops=$(grep -l "already" "$WORK"/promote.* | wc -l)
  [ $((after - before)) -eq $((24 - noops)) ] || { echo "$((after - before)) moves for $((24 - noops)) promotions"; return 1; }
}

sandbox_moves() {
  HANGAR_SERVER=http://$HOST HANGAR_TOKEN=$ADMIN "$HANGAR" history demo/app --env sandbox --json | python3 -c "import json,sys;print(len(json.load(sys.stdin)))"
}

# The agent watches sandbox through the balancer; the promotion is made on server b directly.
agent_follows() {
  local agent
  HANGAR_SERVER=http://$HOST HANGAR_TOKEN=$DEPLOYER "$HANGAR" agent --project demo/app --env sandbox --to "$WORK/deployed" \
    --interval 500ms > "$WORK/agent.log" 2>&1 &
  agent=$!
  for _ in $(seq 1 100); do [ -d "$WORK/deployed/app" ] && break; sleep 0.1; done
  echo "a new build" >> "$WORK/build/app.bin"
  HANGAR_SERVER=http://${SERVER_HOST[b]} HANGAR_TOKEN=$CI "$HANGAR" cut --no-git demo/app --version 1.9.0 \
    --commit "$(printf '9%.0s' {1..40})" --artifact app="$WORK/build" > /dev/null \
    || { kill "$agent"; return 1; }
  local promoted
  HANGAR_SERVER=http://${SERVER_HOST[b]} HANGAR_TOKEN=$ADMIN "$HANGAR" promote demo/app 1.9.0-rc.1 --to sandbox > /dev/null \
    || { kill "$agent"; return 1; }
  promoted=$(date +%s%N)
  for _ in $(seq 1 200); do
    if cmp -s "$WORK/deployed/app/app.bin" "$WORK/build/app.bin"; then
      kill "$agent"; echo "deployed 1.9.0-rc.1 $(( ($(date +%s%N) - promoted) / 1000000 )) ms after the promotion returned"; return 0
    fi
    sleep 0.05
  done
  kill "$agent"; cat "$WORK/agent.log"; return 1
}

verify_all() {
  AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID hangar_local verify --blobs "$BLOBS" && hangar_local audit verify
}

install_services && install_clients || { echo "cannot install the services"; exit 1; }
started=$SECONDS
start_rgw || { echo "Ceph RADOS Gateway did not start"; exit 1; }
start_postgres || { echo "PostgreSQL did not start"; cat "$WORK/pg/log"; exit 1; }
"$HANGAR" key generate --out "$WORK/signing-key.pem" > /dev/null || { echo "cannot make the signing key"; exit 1; }
ADMIN=$(hangar_local token create --name admin --role admin 2> /dev/null) \
  && CI=$(hangar_local token create --name ci --role ci 2> /dev/null) \
  && DEPLOYER=$(hangar_local token create --name deployer --role deployer 2> /dev/null) || { echo "cannot create tokens"; exit 1; }
start_server a && start_server b && start_nginx "${SERVER_HOST[a]}" "${SERVER_HOST[b]}" || exit 1
echo "services up in $((SECONDS - started)) s: rgw $HANGAR_S3_ENDPOINT, $METADATA, hangar ${SERVER_HOST[a]} ${SERVER_HOST[b]}, nginx $HOST"
make_image

check "skopeo through the balancer: a 2-layer image in and out, blobs identical" image_round_trip
check "oras through the balancer: push and pull a file artifact" oras_round_trip
check "200 MiB upload: its server SIGKILLed mid-body, resumed and finished on the other" killed_mid_upload
check "setup: four candidates cut through the balancer" prepare_release
check "24 promotions racing on both servers: all recorded, none lost" racing_promotions
check "an agent watching through the balancer deploys a promotion made on one server" agent_follows
check "verify (every blob in the bucket) and audit verify" verify_all

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
