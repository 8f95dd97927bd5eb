#!/usr/bin/env bash
# Garbage collection, release build: Hangar's collector (filesystem + SQLite, in-process:
# Benchmarks/GCBench) against the CNCF registry's `garbage-collect` (Debian's
# docker-registry) deleting the same number of unreferenced blobs, measured in the same run;
# plus Hangar's dry run over many candidates and promote / blob-HEAD latency while it collects.
#
#   Benchmarks/gc.sh            # BLOBS=100000 CANDIDATES=100000 (about 5 minutes once built)
#   BLOBS=20000 CANDIDATES=20000 Benchmarks/gc.sh --no-build
set -euo pipefail
cd "$(dirname "$0")/.."
BLOBS=${BLOBS:-100000}
CANDIDATES=${CANDIDATES:-100000}
mkdir -p Benchmarks/out
command -v docker-registry > /dev/null || .ci/install-deps docker-registry
if [ "${1:-}" != "--no-build" ]; then
  swift build -c release --product gc-bench > Benchmarks/out/gc-build.log 2>&1 || { tail -20 Benchmarks/out/gc-build.log; exit 1; }
fi

out=$(BLOBS=$BLOBS CANDIDATES=$CANDIDATES .build/release/gc-bench)
hangar_rate=$(echo "$out" | sed -n 's/.*GC_RATE=\([0-9]*\).*/\1/p')

# The registry: the same number of blobs in its storage layout, no repository referring to any.
work=$(mktemp -d /tmp/hangar-gc-registry-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$work/data" "$BLOBS" << 'PY'
import hashlib, os, sys, uuid
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    data = f"unreferenced blob {i} {uuid.uuid4()}".encode()
    d = hashlib.sha256(data).hexdigest()
    folder = f"{root}/docker/registry/v2/blobs/sha256/{d[:2]}/{d}"
    os.makedirs(folder, exist_ok=True)
    with open(f"{folder}/data", "wb") as f:
        f.write(data)
os.makedirs(f"{root}/docker/registry/v2/repositories", exist_ok=True)
PY
cat > "$work/config.yml" << CONF
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/data
  delete:
    enabled: true
CONF
start=$(date +%s.%N)
docker-registry garbage-collect "$work/config.yml" > "$work/gc.log" 2>&1
end=$(date +%s.%N)
left=$(find "$work/data/docker/registry/v2/blobs" -name data | wc -l)
registry_seconds=$(python3 -c "print(f'{$end - $start:.1f}')")
registry_rate=$(python3 -c "print(int(($BLOBS - $left) / ($end - $start)))")

echo "$out" | grep -v '^GC_'
echo "| registry garbage-collect, same $BLOBS blobs ($((BLOBS - left)) deleted) | $registry_seconds s, $registry_rate deletions/s | |"
echo "| Hangar vs registry (deletions/s) | $(python3 -c "print(f'{$hangar_rate / max($registry_rate, 1):.2f}×')") | |"
