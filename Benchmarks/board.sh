#!/usr/bin/env bash
# Measures the release board's render time: a project with 500 candidates and 6
# environments on SQLite, the board page with all 500 rows (the snapshot, the policy
# verdict of every cell, the Mustache render) against the JSON list of the same 500
# candidates (the API's read of the same rows, no verdicts, no HTML) as the reference,
# both on one kept-alive connection. Not a test: prints numbers.
#
# Usage: Benchmarks/board.sh [path/to/hangar] [requests]   (default .build/release/hangar, 300)
set -euo pipefail
HANGAR=$(realpath "${1:-.build/release/hangar}")
N=${2:-300}
WORK=$(mktemp -d /tmp/hangar-board-bench-XXXXXX)
trap '[ -n "${PID:-}" ] && kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
export HANGAR_STORE=$WORK/store HANGAR_PROFILES=$WORK/profiles.yaml
cd "$WORK"

ENVS=(dev sandbox qa staging canary production)
"$HANGAR" project create bench/board $(printf -- '--env %s ' "${ENVS[@]}") > /dev/null
mkdir build
start=$(date +%s)
for v in $(seq 1 100); do
  for rc in 1 2 3 4 5; do
    echo "$v.$rc" > build/version.txt
    sha=$(printf '%040x' $((v * 10 + rc)))
    if [ $rc -eq 1 ]; then cmd=cut; else cmd=cherry-pick; fi
    "$HANGAR" $cmd bench/board --no-git --version "1.$v.0" --commit "$sha" --artifact app=build --compression none > /dev/null
  done
  # Every version's rc.5 walks the environments as far as its number allows.
  for e in $(seq 0 $(( v % 6 ))); do
    "$HANGAR" promote bench/board "1.$v.0-rc.5" --to "${ENVS[$e]}" --force --reason bench > /dev/null
  done
done
echo "setup: 500 candidates, 6 environments, $(( $("$HANGAR" history bench/board --json | grep -c '"kind"') )) moves in $(( $(date +%s) - start )) s"

ADMIN=$("$HANGAR" token create --name bench --role admin 2> /dev/null)
"$HANGAR" serve --port 0 --log-level critical > out 2> err &
PID=$!
until grep -q "serving on" out 2> /dev/null; do sleep 0.1; done
PORT=$(sed -n 's|^hangar: serving on http://[^:]*:||p' out)

python3 - "$PORT" "$ADMIN" "$N" << 'PY'
import http.client, statistics, sys, time
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port)
def measure(path, headers):
    times, size = [], 0
    for i in range(n + 20):
        t = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse(); body = r.read()
        assert r.status == 200, (path, r.status, body[:300])
        if i >= 20: times.append((time.perf_counter() - t) * 1000)
        size = len(body)
    times.sort()
    if path.startswith("/ui/"): assert body.count(b"<tr data-tag=") == 500, "the board must list all 500 candidates"
    return times[len(times) // 2], times[int(len(times) * 0.99) - 1], size
board = measure("/ui/projects/bench/board/-/board?limit=500", {"Cookie": f"hangar_session={token}"})
status = measure("/api/v1/projects/bench/board/-/candidates?limit=500", {"Authorization": f"Bearer {token}"})
print(f"board page, 500 candidates x 6 environments ({board[2] // 1024} KiB of HTML): p50 {board[0]:.1f} ms, p99 {board[1]:.1f} ms over {n} requests")
print(f"reference, the same 500 candidates as JSON ({status[2] // 1024} KiB): p50 {status[0]:.1f} ms, p99 {status[1]:.1f} ms")
print(f"ratio board/JSON: p50 {board[0] / status[0]:.1f}x, p99 {board[1] / status[1]:.1f}x; target: board p99 under 50 ms")
PY
