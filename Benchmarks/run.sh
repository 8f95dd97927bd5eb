#!/usr/bin/env bash
# Hangar's performance benchmarks, measured against the standard tools in one run:
#   a. SHA-256 throughput:            hangar digest          vs openssl dgst -sha256
#   b. archive + hash (+ store):      hangar archive / cut   vs bsdtar | [zstd -3 -T1 |] openssl dgst
#   c. peak memory (GNU time):        archive, cut, digest on a small and a big input
#   d. promotion cost vs artifact size: promote with a 1 GiB artifact vs a 1 KiB artifact
#
# Usage: Benchmarks/run.sh [--quick] [--no-build]
#   BENCH_SIZE   big input size (default 1G; --quick: 100M)
#   BENCH_SMALL  small input for the memory comparison (default 100M; --quick: 10M)
#   BENCH_RUNS   timed runs per command after one warm-up (default 5; --quick: 3)
#   BENCH_SEED   seed of the generated data (default 1)
# Data is generated once under Benchmarks/data/ (reused while the seed, size and
# generator are unchanged); results go to Benchmarks/out/results-SIZE.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
started=$(date +%s)

QUICK=0 BUILD=1
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
if [ $QUICK = 1 ]; then
  SIZE=${BENCH_SIZE:-100M} SMALL=${BENCH_SMALL:-10M} RUNS=${BENCH_RUNS:-3} PROMOTE_RUNS=20
else
  SIZE=${BENCH_SIZE:-1G} SMALL=${BENCH_SMALL:-100M} RUNS=${BENCH_RUNS:-5} PROMOTE_RUNS=40
fi
SEED=${BENCH_SEED:-1}

BENCH=$ROOT/Benchmarks
DATA=$BENCH/data
OUT=$BENCH/out
WORK=$OUT/work
RESULTS=$OUT/results-$SIZE.json
H=$ROOT/.build/release/hangar
C1=$(printf 'a%.0s' {1..40}) C2=$(printf 'b%.0s' {1..40})
export HANGAR_ACTOR=bench
unset HANGAR_STORE

step() { printf '\n== %s\n' "$*"; }
bench() { python3 "$BENCH/bench.py" "$@"; }

# ---------------------------------------------------------------------------
step "dependencies"
"$ROOT/.ci/install-deps" time libarchive-tools zstd openssl
for tool in /usr/bin/time bsdtar zstd openssl python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing after install-deps" >&2; exit 1; }
done

mkdir -p "$DATA" "$OUT"
rm -rf "$WORK" "$RESULTS"
mkdir -p "$WORK"

if [ $BUILD = 1 ]; then
  step "swift build -c release (log: Benchmarks/out/build.log)"
  if ! swift build -c release >"$OUT/build.log" 2>&1; then
    tail -40 "$OUT/build.log" >&2
    echo "run.sh: the release build failed" >&2
    exit 1
  fi
fi
[ -x "$H" ] || { echo "run.sh: $H is missing (run without --no-build)" >&2; exit 1; }

# ---------------------------------------------------------------------------
step "data (seed $SEED): trees and files of $SMALL and $SIZE"
generator_id="seed=$SEED gen=$(sha256sum "$BENCH/gen-tree.py" | cut -c1-16)"
make_data() {  # make_data tree|file SIZE
  local kind=$1 size=$2 path stamp
  if [ "$kind" = tree ]; then path=$DATA/tree-$size; else path=$DATA/file-$size.bin; fi
  stamp=$path.stamp
  if [ -e "$path" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$generator_id" ]; then
    echo "  reusing $path"
    return
  fi
  rm -rf "$path" "$stamp"
  if [ "$kind" = tree ]; then
    python3 "$BENCH/gen-tree.py" --seed "$SEED" --size "$size" --out "$path"
  else
    python3 "$BENCH/gen-tree.py" --seed "$SEED" --size "$size" --file "$path"
  fi
  echo "$generator_id" >"$stamp"
}
make_data tree "$SMALL"; make_data tree "$SIZE"
make_data file "$SMALL"; make_data file "$SIZE"
TREE=$DATA/tree-$SIZE TREE_SMALL=$DATA/tree-$SMALL
FILE=$DATA/file-$SIZE.bin FILE_SMALL=$DATA/file-$SMALL.bin
head -c 1024 "$FILE_SMALL" >"$DATA/artifact-1K.bin"

# Machine and data facts for the report. Archiving each tree once also warms the page cache.
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
bench set --results "$RESULTS" --key machine --value "$(python3 -c 'import json,sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
  date "$(date -u '+%Y-%m-%d %H:%M UTC')" cores "$(nproc)" cpu "$cpu" mem "$(free -g | awk '/^Mem:/ {print $2 " GiB"}')" \
  kernel "Linux $(uname -r)" fs "$(findmnt -no FSTYPE -T "$OUT") on $(findmnt -no SOURCE -T "$OUT")" \
  load_start "$(cut -d' ' -f1-3 /proc/loadavg)" \
  commit "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift || echo -dirty)")"
bench set --results "$RESULTS" --key runs --value "$RUNS"
bench set --results "$RESULTS" --key promote_runs --value "$PROMOTE_RUNS"
bench set --results "$RESULTS" --key file_bytes --value "$(stat -c %s "$FILE")"
bench set --results "$RESULTS" --key tree_bytes --value "$(find "$TREE" -type f -printf '%s\n' | awk '{s += $1} END {print s}')"
bench set --results "$RESULTS" --key tree_files --value "$(find "$TREE" -type f | wc -l)"
cat "$FILE" "$FILE_SMALL" >/dev/null
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
for which in small big; do
  if [ $which = small ]; then tree=$TREE_SMALL; else tree=$TREE; fi
  archived=$("$H" archive "$tree" --compression none --json)
  echo "  $tree archives (tar) to $(echo "$archived" | field digest)"
  bench set --results "$RESULTS" --key tree_entries.$which --value "$(echo "$archived" | field entries)"
done

# ---------------------------------------------------------------------------
step "a. hashing throughput: $FILE (page cache warm)"
bench time --results "$RESULTS" --runs $((RUNS + 2)) \
  --cmd hash.hangar "$H digest $FILE" \
  --cmd hash.openssl "openssl dgst -sha256 $FILE"

# ---------------------------------------------------------------------------
# Fresh stores for `cut` are made untimed before each run (after a sync, so that a run's
# fsync does not pay for earlier writes). The dedup re-cut makes a new candidate of the same
# tree in a store that already holds it (cherry-pick: the same path as cut: archive, hash,
# store or find stored, write the manifest).
for comp in none zstd; do
  step "b. archive + hash (+ store) of the $SIZE tree, compression $comp"
  if [ $comp = none ]; then base="bsdtar -cf - -C $TREE . | openssl dgst -sha256"
  else base="bsdtar -cf - -C $TREE . | zstd -3 -T1 | openssl dgst -sha256"; fi
  fresh=$WORK/fresh-$comp dedup=$WORK/dedup-$comp plain=$WORK/plain-$comp
  rm -rf "$dedup"
  "$H" project create bench --store "$dedup" >/dev/null
  "$H" cut --no-git bench --version 1.0.0 --commit "$C1" --artifact "tree=$TREE" --compression $comp --store "$dedup" >/dev/null
  # The goal comparisons: RUNS rounds after a warm-up.
  bench time --results "$RESULTS" --runs "$RUNS" \
    --cmd archive.$comp "$H archive $TREE --compression $comp" \
    --cmd baseline.$comp "$base" \
    --cmd cut.$comp "$H cut --no-git bench --version 1.0.0 --commit $C1 --artifact tree=$TREE --compression $comp --store $fresh" \
      --prepare "rm -rf $fresh && sync && $H project create bench --store $fresh" --expect "reused 0 B"
  # For reference (3 rounds): the baseline that also stores, and the dedup re-cut.
  bench time --results "$RESULTS" --runs 3 --warmup 0 \
    --cmd baseline.$comp.stored "${base/| openssl/| tee $plain/archive.tar | openssl} && sync $plain/archive.tar" \
      --prepare "rm -rf $plain && mkdir -p $plain && sync" \
    --cmd recut.$comp "$H cherry-pick --no-git bench --version 1.0.0 --commit $C2 --artifact tree=$TREE --compression $comp --store $dedup" \
      --expect "stored 0 B"
  rm -rf "$fresh" "$plain" "$dedup"
done

# ---------------------------------------------------------------------------
step "c. peak memory (GNU time, max RSS): $SMALL vs $SIZE inputs"
for which in small big; do
  if [ $which = small ]; then tree=$TREE_SMALL file=$FILE_SMALL; else tree=$TREE file=$FILE; fi
  bench rss --results "$RESULTS" --key rss.digest.$which -- "$H" digest "$file"
  bench rss --results "$RESULTS" --key rss.archive.file.$which -- "$H" archive "$file"
  bench rss --results "$RESULTS" --key rss.archive.none.$which -- "$H" archive "$tree" --compression none
  bench rss --results "$RESULTS" --key rss.archive.$which -- "$H" archive "$tree" --compression zstd --json
  store=$WORK/rss-$which
  rm -rf "$store"; sync
  "$H" project create bench --store "$store" >/dev/null
  bench rss --results "$RESULTS" --key rss.cut.$which -- \
    "$H" cut --no-git bench --version 1.0.0 --commit "$C1" --artifact "tree=$tree" --store "$store"
  rm -rf "$store"
done

# ---------------------------------------------------------------------------
step "d. promotion cost: a candidate with a $(stat -c %s "$DATA/artifact-1K.bin")-byte artifact vs one with $(stat -c %s "$FILE") bytes"
P=$WORK/promote
rm -rf "$P"
for project in tiny huge; do
  if [ $project = tiny ]; then artifact=$DATA/artifact-1K.bin; else artifact=$FILE; fi
  "$H" project create bench/$project --store "$P" >/dev/null
  "$H" cut --no-git bench/$project --version 1.0.0 --commit "$C1" --artifact "app=$artifact" --compression none --store "$P" >/dev/null
  "$H" cherry-pick --no-git bench/$project --version 1.0.0 --commit "$C2" --artifact "app=$artifact" --compression none --store "$P" >/dev/null
done
"$H" blob ls --store "$P"
# Each timed promotion really moves the pointer: the untimed prepare moves it to rc.1, the
# timed command to rc.2 (a no-op prints "nothing to do" and fails the benchmark).
for env in sandbox staging; do
  bench time --results "$RESULTS" --runs "$PROMOTE_RUNS" --warmup 2 \
    --cmd promote.$env.small "$H promote bench/tiny 1.0.0-rc.2 --to $env --store $P" \
      --prepare "$H promote bench/tiny 1.0.0-rc.1 --to $env --store $P" --expect "^promoted" \
    --cmd promote.$env.big "$H promote bench/huge 1.0.0-rc.2 --to $env --store $P" \
      --prepare "$H promote bench/huge 1.0.0-rc.1 --to $env --store $P" --expect "^promoted"
done
"$H" history bench/huge --env staging --limit 2 --store "$P"
rm -rf "$P"

# ---------------------------------------------------------------------------
step "results (Benchmarks/out/results-$SIZE.md), $(( $(date +%s) - started )) s in all"
bench report --results "$RESULTS" --size "$SIZE" --small "$SMALL" --markdown "$OUT/results-$SIZE.md"
