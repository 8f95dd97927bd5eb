#!/usr/bin/env bash
# Measures `hangar serve`: blob upload and download throughput (monolithic and chunked),
# the server's peak memory while moving a large blob, promotion latency over the native
# API and over an environment-tag push, and small-request latency on a kept-alive
# connection. Not a test: prints numbers.
#
# Usage: Benchmarks/server.sh [path/to/hangar] [blob MiB]   (default .build/release/hangar, 1024)
set -euo pipefail
HANGAR=$(realpath "${1:-.build/release/hangar}")
MIB=${2:-1024}
WORK=$(mktemp -d /tmp/hangar-bench-XXXXXX)
STORE=$WORK/store
trap '[ -n "${PID:-}" ] && kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT

ADMIN=$("$HANGAR" token create --store "$STORE" --name admin --role admin 2>/dev/null)
"$HANGAR" serve --store "$STORE" --port 0 --log-level warning > "$WORK/out" 2>"$WORK/err" &
PID=$!
until grep -q "serving on" "$WORK/out" 2>/dev/null; do sleep 0.1; done
BASE=$(sed -n 's|^hangar: serving on ||p' "$WORK/out")
A="Authorization: Bearer $ADMIN"
rss() { awk '/VmRSS|VmHWM/ {printf "%s %d MiB  ", $1, $2/1024}' /proc/$PID/status; echo; }

head -c $((MIB << 20)) /dev/urandom > "$WORK/blob"
DIGEST=sha256:$(sha256sum "$WORK/blob" | cut -d' ' -f1)
echo "blob: $MIB MiB; server memory before: $(rss)"

t=$(curl -fsS -o /dev/null -w '%{time_total}' -X POST -H "$A" -H "Content-Type: application/octet-stream" \
    -T - "$BASE/v2/bench/app/blobs/uploads/?digest=$DIGEST" < "$WORK/blob")
echo "monolithic upload: ${t}s = $(python3 -c "print(round($MIB/$t))") MiB/s; memory: $(rss)"

t=$(curl -fsS -o "$WORK/down" -w '%{time_total}' -H "$A" "$BASE/v2/bench/app/blobs/$DIGEST")
cmp "$WORK/blob" "$WORK/down"
echo "download (digest verified while streaming): ${t}s = $(python3 -c "print(round($MIB/$t))") MiB/s; memory: $(rss)"
rm -f "$WORK/down"

# Chunked: 64 MiB PATCHes with Content-Range, then PUT ?digest=.
head -c $((MIB << 20)) /dev/urandom > "$WORK/blob2"
D2=sha256:$(sha256sum "$WORK/blob2" | cut -d' ' -f1)
start=$(date +%s.%N)
LOC=$(curl -fsS -D - -o /dev/null -X POST -H "$A" "$BASE/v2/bench/app/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //p')
CH=$((64 << 20)); SIZE=$((MIB << 20)); OFF=0
while [ $OFF -lt $SIZE ]; do
  END=$(( OFF + CH < SIZE ? OFF + CH - 1 : SIZE - 1 ))
  dd if="$WORK/blob2" bs=1M skip=$((OFF >> 20)) count=64 status=none | curl -fsS -o /dev/null -X PATCH -H "$A" \
    -H "Content-Range: $OFF-$END" -H "Content-Type: application/octet-stream" --data-binary @- "$BASE$LOC"
  OFF=$((END + 1))
done
curl -fsS -o /dev/null -X PUT -H "$A" "$BASE$LOC?digest=$D2"
t=$(python3 -c "import time;print(round(time.time()-$start,2))")
echo "chunked upload (64 MiB PATCHes): ${t}s = $(python3 -c "print(round($MIB/$t))") MiB/s; memory: $(rss)"

# Promotions: two candidates alternated in sandbox, over the native API and by env-tag PUT.
python3 - "$BASE" "$ADMIN" << 'PY'
import hashlib, http.client, json, sys, time, urllib.parse
base, secret = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(base)
c = http.client.HTTPConnection(u.hostname, u.port)
H = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
def call(method, path, body=None, headers=H):
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse(); data = r.read()
    assert r.status < 300, (method, path, r.status, data)
    return data
def cut(version, content):
    d = "sha256:" + hashlib.sha256(content).hexdigest()
    call("POST", f"/v2/bench/rel/blobs/uploads/?digest={d}", content, {**H, "Content-Type": "application/octet-stream"})
    req = {"version": version, "commit": "a" * 40, "artifacts": [{"name": "app", "digest": d, "size": len(content),
           "mediaType": "application/vnd.hangar.artifact.v1.tar"}]}
    return json.loads(call("POST", "/api/v1/projects/bench/rel/-/candidates", json.dumps(req)))["candidate"]
a, b = cut("1.0.0", b"one"), cut("2.0.0", b"two")
def timed(n, f):
    t = []
    for i in range(n):
        s = time.perf_counter(); f(i); t.append(time.perf_counter() - s)
    t.sort(); return f"p50 {t[len(t)//2]*1000:.1f} ms, p99 {t[int(len(t)*0.99)]*1000:.1f} ms (n={n})"
print("promotion over /api/v1:", timed(200, lambda i: call("POST", "/api/v1/projects/bench/rel/-/environments/sandbox/promote",
                                                            json.dumps({"ref": (a, b)[i % 2]["tag"]}))))
manifests = [call("GET", f"/v2/bench/rel/manifests/{x['tag']}") for x in (a, b)]
print("promotion by env-tag PUT:", timed(200, lambda i: call("PUT", "/v2/bench/rel/manifests/sandbox", manifests[i % 2],
                                                             {**H, "Content-Type": "application/vnd.oci.image.manifest.v1+json"})))
print("GET manifest by tag:", timed(2000, lambda i: call("GET", f"/v2/bench/rel/manifests/{a['tag']}")))
print("HEAD blob:", timed(2000, lambda i: call("HEAD", f"/v2/bench/rel/blobs/{a['artifacts'][0]['digest']}")))
PY
echo "server memory at the end: $(rss)"
