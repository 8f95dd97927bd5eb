#!/usr/bin/env bash
# Hangar's OCI server against the CNCF registry (Debian's `docker-registry`, filesystem
# storage), with nginx serving the same files (sendfile) as the machine's ceiling, in one
# run, on 127.0.0.1 only. Every measurement is taken ROUNDS times, the servers taking turns
# within each round, and the median is shown. Prints a table: the figures, the ratios and
# the goals. Not a test: prints numbers.
#
#   1. push of a 1 GiB blob (POST /blobs/uploads/, then PUT <Location>?digest= with the body), MB/s
#   2. pull of that blob (curl -o /dev/null), MB/s (nginx: the same file)
#   3. wrk (-t2 -c16 -d5s --latency) on 4 KiB blob GET and manifest GET, hey -m HEAD (same -c, -d)
#      on blob HEAD (wrk 4.1 cannot do HEAD): req/s, p99, and server CPU per request
#      (user + system time of the server's processes over the run / requests answered)
#   4. server peak RSS (VmHWM, reset before) while pushing then pulling a 4 GiB blob
#
# Usage: Benchmarks/registry.sh [path/to/hangar] [push MiB] [big MiB]
#        (defaults .build/release/hangar, 1024, 4096). Needs: docker-registry, nginx, wrk, hey, curl, python3.
# Env: WRK_ARGS (default "-t2 -c16 -d5s"), REGISTRY (default /usr/bin/docker-registry), ROUNDS (default 3).
set -euo pipefail
HANGAR=$(realpath "${1:-.build/release/hangar}")
MIB=${2:-1024}
BIG_MIB=${3:-4096}
REGISTRY=${REGISTRY:-/usr/bin/docker-registry}
WRK_ARGS=${WRK_ARGS:--t2 -c16 -d5s}
ROUNDS=${ROUNDS:-3}
NGINX=${NGINX:-/usr/sbin/nginx}
for tool in "$HANGAR" "$REGISTRY" "$NGINX" wrk hey curl python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y docker-registry nginx wrk hey)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/hangar-regbench-XXXXXX)
chmod 755 "$WORK"   # nginx's workers (another user) read the files below it
HPID= EPID= RPID= NPID=
cleanup() {
  for p in $HPID $EPID $RPID $NPID; do kill "$p" 2>/dev/null || true; done
  for p in $HPID $EPID $RPID $NPID; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
NAME=bench/app
MT_MANIFEST=application/vnd.oci.image.manifest.v1+json

# --- hangar ---
STORE=$WORK/hangar-store
TOKEN=$("$HANGAR" token create --store "$STORE" --name bench --role admin 2>/dev/null | grep -o 'hgr_[A-Za-z0-9_-]*' | tail -1)
[ -n "$TOKEN" ] || { echo "could not create a hangar token" >&2; exit 1; }
"$HANGAR" serve --store "$STORE" --port 0 --log-level warning > "$WORK/hangar.out" 2> "$WORK/hangar.err" &
HPID=$!
# The same store served with every byte of every read hashed (--blob-reads every-byte).
"$HANGAR" serve --store "$STORE" --port 0 --log-level warning --blob-reads every-byte > "$WORK/hangar-eb.out" 2> "$WORK/hangar-eb.err" &
EPID=$!

# --- CNCF registry: own config, free port, filesystem storage under $WORK ---
RPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/registry.yml" << EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/registry-store
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$RPORT
EOF
"$REGISTRY" serve "$WORK/registry.yml" > "$WORK/registry.out" 2>&1 &
RPID=$!

# --- nginx: the same blobs as plain files (sendfile), one worker per core ---
NPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx-root/v2/$NAME/blobs" "$WORK/nginx-root/v2/$NAME/manifests" "$WORK/nginx-tmp"
cat > "$WORK/nginx.conf" << EOF
daemon off;
worker_processes $(nproc);
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log error;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx-tmp; proxy_temp_path $WORK/nginx-tmp; fastcgi_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp; scgi_temp_path $WORK/nginx-tmp;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NPORT;
    root $WORK/nginx-root;
    location /v2/$NAME/manifests/ { default_type $MT_MANIFEST; }
  }
}
EOF
"$NGINX" -c "$WORK/nginx.conf" > "$WORK/nginx.out" 2>&1 &
NPID=$!
NBASE=http://127.0.0.1:$NPORT

for _ in $(seq 300); do grep -q "serving on" "$WORK/hangar.out" 2>/dev/null && break; sleep 0.1; done
HBASE=$(sed -n 's|^hangar: serving on ||p' "$WORK/hangar.out" | head -1)
for _ in $(seq 300); do grep -q "serving on" "$WORK/hangar-eb.out" 2>/dev/null && break; sleep 0.1; done
EBASE=$(sed -n 's|^hangar: serving on ||p' "$WORK/hangar-eb.out" | head -1)
[ -n "$HBASE" ] || { echo "hangar did not start:" >&2; cat "$WORK/hangar.err" >&2; exit 1; }
RBASE=http://127.0.0.1:$RPORT
for _ in $(seq 300); do curl -fsS -o /dev/null "$RBASE/v2/" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "$RBASE/v2/" || { echo "registry did not start:" >&2; cat "$WORK/registry.out" >&2; exit 1; }
case "$HBASE$RBASE" in *//127.0.0.1:*//127.0.0.1:*) ;; *) echo "refusing non-loopback: $HBASE $RBASE" >&2; exit 1 ;; esac

# Per-server helpers: $1 = hangar|registry.
base() { case $1 in hangar) echo "$HBASE" ;; hangar-eb) echo "$EBASE" ;; registry) echo "$RBASE" ;; *) echo "$NBASE" ;; esac; }
pid() { case $1 in hangar) echo "$HPID" ;; registry) echo "$RPID" ;; *) echo "$NPID" ;; esac; }
# CPU ticks (user + system) of a server and its child processes (nginx's workers).
ticks() {
  local p=$1 total=0 c
  for c in $p $(cat /proc/"$p"/task/*/children 2>/dev/null); do
    total=$((total + $(awk '{print $14 + $15}' /proc/"$c"/stat 2>/dev/null || echo 0)))
  done
  echo $total
}
HZ=$(getconf CLK_TCK)
median() { python3 -c "import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(round(statistics.median(v), 2))" "$@"; }
authargs() { case $1 in hangar|hangar-eb) printf '%s\n' -H "Authorization: Bearer $TOKEN" ;; esac; }
ccurl() { local s=$1; shift; local a=(); mapfile -t a < <(authargs "$s"); curl -fsS "${a[@]}" "$@"; }
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }

# push SERVER FILE DIGEST -> seconds (POST, then PUT <Location>?digest= with the whole body)
push() {
  local s=$1 file=$2 digest=$3 b loc sep t0 t1
  b=$(base "$s")
  t0=$(now)
  loc=$(ccurl "$s" -D - -o /dev/null -X POST "$b/v2/$NAME/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  [ -n "$loc" ] || { echo "$s: no Location on POST" >&2; return 1; }
  case "$loc" in /*) loc=$b$loc ;; esac
  case "$loc" in *\?*) sep='&' ;; *) sep='?' ;; esac
  ccurl "$s" -o /dev/null -X PUT -H "Content-Type: application/octet-stream" -T "$file" "$loc${sep}digest=$digest"
  t1=$(now)
  calc "round($t1 - $t0, 3)"
}
# pull SERVER DIGEST SIZE -> seconds
pull() {
  local s=$1 digest=$2 size=$3 out
  out=$(ccurl "$s" -o /dev/null -w '%{time_total} %{size_download}' "$(base "$s")/v2/$NAME/blobs/$digest")
  [ "${out#* }" = "$size" ] || { echo "$s: pulled ${out#* } bytes, expected $size" >&2; return 1; }
  echo "${out% *}"
}
mbps() { calc "round($1 / 1e6 / $2, 1)"; }   # bytes seconds


declare -A R   # R[metric,server] = value (the median)
say() { echo "[$(date +%T)] $*" >&2; }

# --- 1, 2: 1 GiB push and pull, ROUNDS rounds ---
declare -A V   # V[metric,server] = "value value …" (one per round)
add() { V[$1,$2]="${V[$1,$2]:-} $3"; }
say "generating $MIB MiB blob"
head -c $((MIB << 20)) /dev/urandom > "$WORK/blob"
SIZE=$((MIB << 20))
DIGEST=sha256:$(sha256sum "$WORK/blob" | cut -d' ' -f1)
cp "$WORK/blob" "$WORK/nginx-root/v2/$NAME/blobs/$DIGEST"
for r in $(seq "$ROUNDS"); do
  for s in hangar registry; do
    say "round $r, $s: push and pull $MIB MiB"
    t=$(push "$s" "$WORK/blob" "$DIGEST"); add push "$s" "$(mbps $SIZE "$t")"
    t=$(pull "$s" "$DIGEST" $SIZE); add pull "$s" "$(mbps $SIZE "$t")"
  done
  t=$(pull nginx "$DIGEST" $SIZE); add pull nginx "$(mbps $SIZE "$t")"
  t=$(pull hangar-eb "$DIGEST" $SIZE); add pull hangar-eb "$(mbps $SIZE "$t")"
  # Each round pushes anew: remove the blob so the next push stores it again.
  rm -f "$WORK/hangar-store/blobs/sha256/${DIGEST:7:2}/${DIGEST:7}"
  find "$WORK/registry-store" -path "*${DIGEST:7}*" -prune -exec rm -rf {} + 2>/dev/null || true
done
rm -f "$WORK/blob" "$WORK/nginx-root/v2/$NAME/blobs/$DIGEST"

# --- 3: small requests with wrk ---
head -c 4096 /dev/urandom > "$WORK/small"
SMALL=sha256:$(sha256sum "$WORK/small" | cut -d' ' -f1)
printf '{}' > "$WORK/config"
CONFIG=sha256:$(sha256sum "$WORK/config" | cut -d' ' -f1)
cat > "$WORK/manifest.json" << EOF
{"schemaVersion":2,"mediaType":"$MT_MANIFEST","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$CONFIG","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"$SMALL","size":4096}]}
EOF
# wrk 4.1 cannot do HEAD: its parser waits for the Content-Length body that never comes
# (0 requests completed). ApacheBench cannot either: it speaks HTTP/1.0 and hangar neither
# closes nor announces keep-alive on 1.0 requests, so ab stalls. HEAD goes through `hey`
# (Debian package hey; Go, HTTP/1.1 keep-alive) with the same concurrency and duration.
HEY_C=$(grep -o -- '-c *[0-9]*' <<< "$WRK_ARGS" | tr -dc 0-9); HEY_C=${HEY_C:-16}
HEY_T=$(grep -o -- '-d *[0-9]*s' <<< "$WRK_ARGS" | tr -dc 0-9); HEY_T=${HEY_T:-5}
# hey_head SERVER URL -> "req/s p99ms"
hey_head() {
  local s=$1 url=$2
  local a=(); mapfile -t a < <(authargs "$s")
  hey -m HEAD -c "$HEY_C" -z "${HEY_T}s" "${a[@]}" "$url" > "$WORK/hey.out" 2>&1 || { cat "$WORK/hey.out" >&2; return 1; }
  if grep -qE '^\s*\[[^2][0-9][0-9]\]|Error distribution' "$WORK/hey.out"; then
    echo "$s: hey reported errors on $url:" >&2; sed -n '/Status code distribution/,$p' "$WORK/hey.out" >&2
  fi
  python3 - "$WORK/hey.out" << 'PY2'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
p99 = float(re.search(r"99% in ([\d.]+) secs", t).group(1)) * 1000
print(f"{rps:.0f} {p99:.2f}")
PY2
}
# wrk_run SERVER URL [extra wrk args] -> "req/s p99ms"
wrk_run() {
  local s=$1 url=$2; shift 2
  local a=(); mapfile -t a < <(authargs "$s")
  # shellcheck disable=SC2086
  wrk $WRK_ARGS --latency "${a[@]}" "$@" "$url" > "$WORK/wrk.out" 2>&1 || { cat "$WORK/wrk.out" >&2; return 1; }
  if grep -qE 'Non-2xx|Socket errors' "$WORK/wrk.out"; then
    echo "$s: wrk reported errors on $url:" >&2; grep -E 'Non-2xx|Socket errors' "$WORK/wrk.out" >&2
  fi
  python3 - "$WORK/wrk.out" << 'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
v, u = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", t, re.M).groups()
p99 = float(v) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[u]
print(f"{rps:.0f} {p99:.2f}")
PY
}
for s in hangar registry; do
  say "$s: small blobs and manifest"
  push "$s" "$WORK/small" "$SMALL" > /dev/null
  push "$s" "$WORK/config" "$CONFIG" > /dev/null
  ccurl "$s" -o /dev/null -X PUT -H "Content-Type: $MT_MANIFEST" --data-binary @"$WORK/manifest.json" "$(base "$s")/v2/$NAME/manifests/v1"
done
cp "$WORK/small" "$WORK/nginx-root/v2/$NAME/blobs/$SMALL"
cp "$WORK/manifest.json" "$WORK/nginx-root/v2/$NAME/manifests/v1"
# measure SERVER KIND TOOL URL [args] -> appends req/s, p99 and CPU µs per request
measure() {
  local s=$1 k=$2 tool=$3 url=$4; shift 4
  local before after rps p99 total
  before=$(ticks "$(pid "$s")")
  if [ "$tool" = hey ]; then read -r rps p99 < <(hey_head "$s" "$url"); else read -r rps p99 < <(wrk_run "$s" "$url" "$@"); fi
  after=$(ticks "$(pid "$s")")
  total=$(calc "$rps * $HEY_T")
  add "${k}_rps" "$s" "$rps"; add "${k}_p99" "$s" "$p99"
  add "${k}_cpu" "$s" "$(calc "round(($after - $before) / $HZ * 1e6 / max($total, 1), 1)")"
}
for r in $(seq "$ROUNDS"); do
  for s in hangar registry nginx; do
    b=$(base "$s")
    say "round $r, $s: HEAD blob, GET 4 KiB blob, GET manifest"
    measure "$s" head hey "$b/v2/$NAME/blobs/$SMALL"
    measure "$s" get wrk "$b/v2/$NAME/blobs/$SMALL"
    measure "$s" man wrk "$b/v2/$NAME/manifests/v1" -H "Accept: $MT_MANIFEST"
  done
done
# Peak RSS under 64 concurrent connections (GET 4 KiB blob).
kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$2/status"; }
for s in hangar registry; do
  p=$(pid "$s")
  echo 5 > "/proc/$p/clear_refs" 2>/dev/null || true
  say "$s: 64 connections"
  a=(); mapfile -t a < <(authargs "$s")
  wrk -t2 -c64 -d5s "${a[@]}" "$(base "$s")/v2/$NAME/blobs/$SMALL" > /dev/null 2>&1 || true
  R[rss64,$s]=$(( $(kib VmHWM "$p") / 1024 ))
done
for key in "${!V[@]}"; do
  # shellcheck disable=SC2086
  R[$key]=$(median ${V[$key]})
done

# --- 4: peak RSS while pushing and pulling a big blob ---
say "generating $BIG_MIB MiB blob"
head -c $((BIG_MIB << 20)) /dev/urandom > "$WORK/big"
BIG_SIZE=$((BIG_MIB << 20))
BIG=sha256:$(sha256sum "$WORK/big" | cut -d' ' -f1)
for s in hangar registry; do
  p=$(pid "$s")
  R[rss_before,$s]=$(( $(kib VmRSS "$p") / 1024 ))
  echo 5 > "/proc/$p/clear_refs" 2>/dev/null || say "$s: cannot reset VmHWM; peak includes earlier phases"
  say "$s: push + pull $BIG_MIB MiB"
  t=$(push "$s" "$WORK/big" "$BIG"); R[bigpush,$s]=$(mbps $BIG_SIZE "$t")
  t=$(pull "$s" "$BIG" $BIG_SIZE); R[bigpull,$s]=$(mbps $BIG_SIZE "$t")
  R[rss,$s]=$(( $(kib VmHWM "$p") / 1024 ))
done
rm -f "$WORK/big"

# --- table ---
ratio() { calc "f'{$1 / $2:.2f}x' if $2 else 'n/a'"; }
inv() { calc "f'{$2 / $1:.2f}x' if $1 else 'n/a'"; }   # lower is better: registry/hangar
echo
echo "Hangar vs CNCF registry ($("$REGISTRY" --version 2>/dev/null | awk '{print $NF}')) and nginx ($("$NGINX" -v 2>&1 | awk -F/ '{print $NF}')), 127.0.0.1,"
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), wrk $WRK_ARGS, medians of $ROUNDS interleaved rounds"
fmt="%-36s %10s %10s %10s %9s %9s  %s\n"
printf "$fmt" "metric" "hangar" "registry" "nginx" "h/reg" "h/nginx" "goal"
printf "$fmt" "push $MIB MiB (MB/s)" "${R[push,hangar]}" "${R[push,registry]}" "" "$(ratio "${R[push,hangar]}" "${R[push,registry]}")" "" ">= 2.5x registry"
printf "$fmt" "pull $MIB MiB (MB/s)" "${R[pull,hangar]}" "${R[pull,registry]}" "${R[pull,nginx]}" "$(ratio "${R[pull,hangar]}" "${R[pull,registry]}")" "$(ratio "${R[pull,hangar]}" "${R[pull,nginx]}")" ">= 1.0x registry, >= 0.7x nginx"
printf "$fmt" "  every byte hashed (MB/s)" "${R[pull,hangar-eb]}" "" "" "$(ratio "${R[pull,hangar-eb]}" "${R[pull,registry]}")" "" ">= 0.5x registry"
for m in head:"HEAD blob (hey)" get:"GET 4 KiB blob" man:"GET manifest"; do
  k=${m%%:*} label=${m#*:}
  printf "$fmt" "$label (req/s)" "${R[${k}_rps,hangar]}" "${R[${k}_rps,registry]}" "${R[${k}_rps,nginx]}" "$(ratio "${R[${k}_rps,hangar]}" "${R[${k}_rps,registry]}")" "$(ratio "${R[${k}_rps,hangar]}" "${R[${k}_rps,nginx]}")" ">= 8x registry, >= 0.15x nginx"
  printf "$fmt" "  p99 (ms)" "${R[${k}_p99,hangar]}" "${R[${k}_p99,registry]}" "${R[${k}_p99,nginx]}" "" "" ""
  printf "$fmt" "  server CPU per request (us)" "${R[${k}_cpu,hangar]}" "${R[${k}_cpu,registry]}" "${R[${k}_cpu,nginx]}" "" "" "hangar <= 100 us"
done
printf "$fmt" "push $BIG_MIB MiB (MB/s)" "${R[bigpush,hangar]}" "${R[bigpush,registry]}" "" "$(ratio "${R[bigpush,hangar]}" "${R[bigpush,registry]}")" "" ""
printf "$fmt" "pull $BIG_MIB MiB (MB/s)" "${R[bigpull,hangar]}" "${R[bigpull,registry]}" "" "$(ratio "${R[bigpull,hangar]}" "${R[bigpull,registry]}")" "" ""
printf "$fmt" "peak RSS, 64 connections (MiB)" "${R[rss64,hangar]}" "${R[rss64,registry]}" "" "" "" "hangar < 150 MiB: $([ "${R[rss64,hangar]}" -lt 150 ] && echo met || echo MISSED)"
printf "$fmt" "RSS before big blob (MiB)" "${R[rss_before,hangar]}" "${R[rss_before,registry]}" "" "" "" ""
printf "$fmt" "peak RSS, $BIG_MIB MiB push+pull (MiB)" "${R[rss,hangar]}" "${R[rss,registry]}" "" "" "" "hangar < 150 MiB: $([ "${R[rss,hangar]}" -lt 150 ] && echo met || echo MISSED)"
