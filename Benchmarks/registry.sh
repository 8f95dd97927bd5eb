#!/usr/bin/env bash
# Hangar's OCI server against the CNCF registry (Debian's `docker-registry`, filesystem
# storage), side by side in one run, on 127.0.0.1 only. Prints a table: both figures, the
# ratio hangar/registry and the goal. Not a test: prints numbers.
#
#   1. push of a 1 GiB blob (POST /blobs/uploads/, then PUT <Location>?digest= with the body), MB/s
#   2. pull of that blob (curl -o /dev/null), MB/s
#   3. wrk (-t2 -c16 -d5s --latency) on 4 KiB blob GET and manifest GET, hey -m HEAD (same -c, -d)
#      on blob HEAD (wrk 4.1 cannot do HEAD): req/s and p99
#   4. server peak RSS (VmHWM, reset before) while pushing then pulling a 4 GiB blob
#
# Usage: Benchmarks/registry.sh [path/to/hangar] [push MiB] [big MiB]
#        (defaults .build/release/hangar, 1024, 4096). Needs: docker-registry, wrk, hey, curl, python3.
# Env: WRK_ARGS (default "-t2 -c16 -d5s"), REGISTRY (default /usr/bin/docker-registry).
set -euo pipefail
HANGAR=$(realpath "${1:-.build/release/hangar}")
MIB=${2:-1024}
BIG_MIB=${3:-4096}
REGISTRY=${REGISTRY:-/usr/bin/docker-registry}
WRK_ARGS=${WRK_ARGS:--t2 -c16 -d5s}
for tool in "$HANGAR" "$REGISTRY" wrk hey curl python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y docker-registry wrk hey)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/hangar-regbench-XXXXXX)
HPID= RPID=
cleanup() {
  for p in $HPID $RPID; do kill "$p" 2>/dev/null || true; done
  for p in $HPID $RPID; do wait "$p" 2>/dev/null || true; done
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

for _ in $(seq 300); do grep -q "serving on" "$WORK/hangar.out" 2>/dev/null && break; sleep 0.1; done
HBASE=$(sed -n 's|^hangar: serving on ||p' "$WORK/hangar.out" | head -1)
[ -n "$HBASE" ] || { echo "hangar did not start:" >&2; cat "$WORK/hangar.err" >&2; exit 1; }
RBASE=http://127.0.0.1:$RPORT
for _ in $(seq 300); do curl -fsS -o /dev/null "$RBASE/v2/" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "$RBASE/v2/" || { echo "registry did not start:" >&2; cat "$WORK/registry.out" >&2; exit 1; }
case "$HBASE$RBASE" in *//127.0.0.1:*//127.0.0.1:*) ;; *) echo "refusing non-loopback: $HBASE $RBASE" >&2; exit 1 ;; esac

# Per-server helpers: $1 = hangar|registry.
base() { if [ "$1" = hangar ]; then echo "$HBASE"; else echo "$RBASE"; fi; }
pid() { if [ "$1" = hangar ]; then echo "$HPID"; else echo "$RPID"; fi; }
authargs() { if [ "$1" = hangar ]; then printf '%s\n' -H "Authorization: Bearer $TOKEN"; fi; }
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

declare -A R   # R[metric,server] = value
say() { echo "[$(date +%T)] $*" >&2; }

# --- 1, 2: 1 GiB push and pull ---
say "generating $MIB MiB blob"
head -c $((MIB << 20)) /dev/urandom > "$WORK/blob"
SIZE=$((MIB << 20))
DIGEST=sha256:$(sha256sum "$WORK/blob" | cut -d' ' -f1)
for s in hangar registry; do
  say "$s: push $MIB MiB"
  t=$(push "$s" "$WORK/blob" "$DIGEST"); R[push,$s]=$(mbps $SIZE "$t")
  say "$s: pull $MIB MiB"
  t=$(pull "$s" "$DIGEST" $SIZE); R[pull,$s]=$(mbps $SIZE "$t")
done
rm -f "$WORK/blob"

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
  b=$(base "$s")
  say "$s: hey HEAD blob"
  read -r R[head_rps,$s] R[head_p99,$s] < <(hey_head "$s" "$b/v2/$NAME/blobs/$SMALL")
  say "$s: wrk GET 4 KiB blob"
  read -r R[get_rps,$s] R[get_p99,$s] < <(wrk_run "$s" "$b/v2/$NAME/blobs/$SMALL")
  say "$s: wrk GET manifest"
  read -r R[man_rps,$s] R[man_p99,$s] < <(wrk_run "$s" "$b/v2/$NAME/manifests/v1" -H "Accept: $MT_MANIFEST")
done

# --- 4: peak RSS while pushing and pulling a big blob ---
say "generating $BIG_MIB MiB blob"
head -c $((BIG_MIB << 20)) /dev/urandom > "$WORK/big"
BIG_SIZE=$((BIG_MIB << 20))
BIG=sha256:$(sha256sum "$WORK/big" | cut -d' ' -f1)
kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$2/status"; }
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
echo "Hangar vs CNCF registry ($("$REGISTRY" --version 2>/dev/null | awk '{print $NF}')), 127.0.0.1, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), wrk $WRK_ARGS"
fmt="%-40s %12s %12s %10s  %s\n"
printf "$fmt" "metric" "hangar" "registry" "ratio" "goal"
printf "$fmt" "push $MIB MiB (MB/s)" "${R[push,hangar]}" "${R[push,registry]}" "$(ratio "${R[push,hangar]}" "${R[push,registry]}")" ">= 2.5x"
printf "$fmt" "pull $MIB MiB (MB/s)" "${R[pull,hangar]}" "${R[pull,registry]}" "$(ratio "${R[pull,hangar]}" "${R[pull,registry]}")" ">= 1.0x"
for m in head:"HEAD blob" get:"GET 4 KiB blob" man:"GET manifest"; do
  k=${m%%:*} label=${m#*:}
  printf "$fmt" "$label (req/s$([ $k = head ] && echo ', hey'))" "${R[${k}_rps,hangar]}" "${R[${k}_rps,registry]}" "$(ratio "${R[${k}_rps,hangar]}" "${R[${k}_rps,registry]}")" ">= 5x"
  printf "$fmt" "$label p99 (ms; ratio reg/hangar)" "${R[${k}_p99,hangar]}" "${R[${k}_p99,registry]}" "$(inv "${R[${k}_p99,hangar]}" "${R[${k}_p99,registry]}")" ""
done
printf "$fmt" "push $BIG_MIB MiB (MB/s)" "${R[bigpush,hangar]}" "${R[bigpush,registry]}" "$(ratio "${R[bigpush,hangar]}" "${R[bigpush,registry]}")" ""
printf "$fmt" "pull $BIG_MIB MiB (MB/s)" "${R[bigpull,hangar]}" "${R[bigpull,registry]}" "$(ratio "${R[bigpull,hangar]}" "${R[bigpull,registry]}")" ""
printf "$fmt" "RSS before big blob (MiB)" "${R[rss_before,hangar]}" "${R[rss_before,registry]}" "" ""
printf "$fmt" "peak RSS, $BIG_MIB MiB push+pull (MiB)" "${R[rss,hangar]}" "${R[rss,registry]}" "$(ratio "${R[rss,hangar]}" "${R[rss,registry]}")" "hangar < 150 MiB: $([ "${R[rss,hangar]}" -lt 150 ] && echo met || echo MISSED)"
