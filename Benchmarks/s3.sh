#!/usr/bin/env bash
# Hangar on S3 against the object store itself, in one run, on loopback: a Ceph RADOS
# Gateway and PostgreSQL started here (Tests/Integration/services.sh), release build.
# Not a test: prints numbers.
#
#   1. push of a 1 GiB blob: straight to the bucket (curl, one signed PUT) vs through one
#      Hangar on S3 (POST, then PUT <Location>?digest= with the body: an upload session,
#      stored as parts and assembled inside the store), MB/s
#   2. pull of that blob: straight from the bucket vs through Hangar, and through Hangar
#      with `redirect=` (curl follows the 307 to a presigned URL), MB/s
#   3. wrk on manifest GET and hey on blob HEAD: one server vs two behind nginx, req/s
#
# Every figure is the median of ROUNDS (default 3), the contenders taking turns.
# Usage: Benchmarks/s3.sh [path/to/hangar] [MiB]   (defaults .build/release/hangar, 1024)
set -euo pipefail
HANGAR=$(realpath "${1:-.build/release/hangar}")
MIB=${2:-1024}
ROUNDS=${ROUNDS:-3}
WRK_ARGS=${WRK_ARGS:--t2 -c16 -d5s}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/hangar-s3bench-XXXXXX)
chmod 755 "$WORK"
. "$HERE/../Tests/Integration/services.sh"
trap 'stop_services; rm -rf "$WORK"' EXIT
for tool in "$HANGAR" nginx wrk hey curl python3; do
  command -v "$tool" > /dev/null || { echo "missing: $tool (apt-get install -y nginx wrk hey curl)" >&2; exit 1; }
done

median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
mbps() { python3 -c "print(round($1 / 1e6 / $2))"; }  # bytes, seconds
timed() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null || { echo "failed: $*" >&2; return 1; }; t1=$(date +%s.%N); python3 -c "print($t1 - $t0)"; }

install_services > /dev/null
start_rgw > /dev/null && start_postgres || { echo "services did not start" >&2; exit 1; }
"$HANGAR" key generate --out "$WORK/signing-key.pem" > /dev/null
TOKEN=$("$HANGAR" token create --store "$WORK/a" --metadata "$METADATA" --signing-key "$WORK/signing-key.pem" --name admin --role admin 2> /dev/null)
start_server a && start_server b && start_server r "$BLOBS&redirect=300" && start_nginx "${SERVER_HOST[a]}" "${SERVER_HOST[b]}"
AUTH=(-H "Authorization: Bearer $TOKEN")
S3=(--aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY")

FILE=$WORK/blob.bin
head -c $((MIB << 20)) /dev/urandom > "$FILE"
BYTES=$(stat -c %s "$FILE")
DIGEST=sha256:$(sha256sum "$FILE" | cut -d' ' -f1)
echo "blob: $MIB MiB $DIGEST; $ROUNDS rounds" >&2

direct_put() {  # the payload hash precomputed, as Hangar computes it per part
  curl -fsS -o /dev/null -T "$FILE" "${S3[@]}" -H "x-amz-content-sha256: ${DIGEST#sha256:}" \
    "$HANGAR_S3_ENDPOINT/$HANGAR_S3_BUCKET/direct/blob$1"
}
direct_get() { curl -fsS -o /dev/null "${S3[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$HANGAR_S3_ENDPOINT/$HANGAR_S3_BUCKET/direct/blob1"; }
hangar_push() {  # POST, then PUT <Location>?digest= with the body, as registry.sh; a new repository each round
  local loc sep
  "$HANGAR" project create "bench/push$1" --store "$WORK/a" --metadata "$METADATA" --signing-key "$WORK/signing-key.pem" > /dev/null 2>&1 || true
  loc=$(curl -fsS -D - -o /dev/null -X POST "${AUTH[@]}" "http://${SERVER_HOST[a]}/v2/bench/push$1/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  sep='?'; [[ $loc == *\?* ]] && sep='&'
  curl -fsS -o /dev/null -X PUT -T "$FILE" "${AUTH[@]}" -H "Content-Type: application/octet-stream" "http://${SERVER_HOST[a]}$loc${sep}digest=$DIGEST"
}
hangar_mono() {  # one POST ?digest= with the body streamed from stdin (a one-off multipart write)
  "$HANGAR" project create "bench/mono$1" --store "$WORK/a" --metadata "$METADATA" --signing-key "$WORK/signing-key.pem" > /dev/null 2>&1 || true
  curl -fsS -o /dev/null -X POST -T - "${AUTH[@]}" -H "Content-Type: application/octet-stream" \
    "http://${SERVER_HOST[a]}/v2/bench/mono$1/blobs/uploads/?digest=$DIGEST" < "$FILE"
}
hangar_get() { curl -fsS -o /dev/null "${AUTH[@]}" "http://${SERVER_HOST[a]}/v2/bench/push1/blobs/$DIGEST"; }
redirect_get() { curl -fsSL -o /dev/null "${AUTH[@]}" "http://${SERVER_HOST[r]}/v2/bench/push1/blobs/$DIGEST"; }

declare -a T_DPUT T_HPUT T_MPUT T_DGET T_HGET T_RGET
for round in $(seq 1 "$ROUNDS"); do
  T_DPUT+=("$(timed direct_put "$round")")
  T_HPUT+=("$(timed hangar_push "$round")")
  T_MPUT+=("$(timed hangar_mono "$round")")
  T_DGET+=("$(timed direct_get)")
  T_HGET+=("$(timed hangar_get)")
  T_RGET+=("$(timed redirect_get)")
  echo "round $round done" >&2
done

# A small manifest to GET and a blob to HEAD, through one server and through the balancer.
CONFIG='{}'
CFG_DIGEST=sha256:$(printf '%s' "$CONFIG" | sha256sum | cut -d' ' -f1)
curl -fsS -o /dev/null -X POST "${AUTH[@]}" --data-binary "$CONFIG" "http://${SERVER_HOST[a]}/v2/bench/push1/blobs/uploads/?digest=$CFG_DIGEST"
MANIFEST=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/octet-stream","digest":"%s","size":%s}]}' "$CFG_DIGEST" "$DIGEST" "$BYTES")
curl -fsS -o /dev/null -X PUT "${AUTH[@]}" -H "Content-Type: application/vnd.oci.image.manifest.v1+json" --data-binary "$MANIFEST" \
  "http://${SERVER_HOST[a]}/v2/bench/push1/manifests/v1"
rps_wrk() { wrk $WRK_ARGS -H "Authorization: Bearer $TOKEN" -H "Accept: application/vnd.oci.image.manifest.v1+json" "$1" | awk '/Requests\/sec/ {print $2}'; }
rps_hey() { hey -m HEAD -z 5s -c 16 -H "Authorization: Bearer $TOKEN" "$1" | awk '/Requests\/sec/ {print $2}'; }
declare -a M1 M2 H1 H2
for round in $(seq 1 "$ROUNDS"); do
  M1+=("$(rps_wrk "http://${SERVER_HOST[a]}/v2/bench/push1/manifests/v1")")
  M2+=("$(rps_wrk "http://$HOST/v2/bench/push1/manifests/v1")")
  H1+=("$(rps_hey "http://${SERVER_HOST[a]}/v2/bench/push1/blobs/$DIGEST")")
  H2+=("$(rps_hey "http://$HOST/v2/bench/push1/blobs/$DIGEST")")
done

dput=$(median "${T_DPUT[@]}") hput=$(median "${T_HPUT[@]}") mput=$(median "${T_MPUT[@]}") dget=$(median "${T_DGET[@]}") hget=$(median "${T_HGET[@]}") rget=$(median "${T_RGET[@]}")
m1=$(median "${M1[@]}") m2=$(median "${M2[@]}") h1=$(median "${H1[@]}") h2=$(median "${H2[@]}")
ratio() { python3 -c "print(f'{$1 / $2:.2f}×')"; }
echo
echo "Hangar on S3 (Ceph RGW, one BlueStore OSD on a sparse file), $MIB MiB, $(nproc) cores, median of $ROUNDS"
printf '%-34s %10s %10s %8s %s\n' "" "Hangar" "direct" "ratio" "goal"
printf '%-34s %7s MB/s %5s MB/s %8s %s\n' "push (POST + PUT with the body)" "$(mbps "$BYTES" "$hput")" "$(mbps "$BYTES" "$dput")" "$(ratio "$dput" "$hput")" ">= 0.8×"
printf '%-34s %7s MB/s %5s MB/s %8s %s\n' "push (one POST ?digest=, streamed)" "$(mbps "$BYTES" "$mput")" "$(mbps "$BYTES" "$dput")" "$(ratio "$dput" "$mput")" ">= 0.8×"
printf '%-34s %7s MB/s %5s MB/s %8s %s\n' "pull through Hangar" "$(mbps "$BYTES" "$hget")" "$(mbps "$BYTES" "$dget")" "$(ratio "$dget" "$hget")" ">= 0.9×"
printf '%-34s %7s MB/s %5s MB/s %8s %s\n' "pull with redirect (307)" "$(mbps "$BYTES" "$rget")" "$(mbps "$BYTES" "$dget")" "$(ratio "$dget" "$rget")" ">= 0.98×"
printf '%-34s %10s %10s %8s %s\n' "" "2 servers" "1 server" "ratio" "goal"
printf '%-34s %6s r/s %6s r/s %8s %s\n' "manifest GET (wrk $WRK_ARGS)" "$m2" "$m1" "$(ratio "$m2" "$m1")" ">= 1.6×"
printf '%-34s %6s r/s %6s r/s %8s %s\n' "blob HEAD (hey -c16 -z5s)" "$h2" "$h1" "$(ratio "$h2" "$h1")" ">= 1.6×"
