#!/usr/bin/env bash
# The release board in a real browser: Debian's chromium and chromium-driver (installed
# when missing) driven by selenium (PyPI) against a real `hangar serve` on loopback.
# Usage: Tests/Integration/board.sh HANGAR [SCREENSHOT_DIR]   (default: a throw-away folder)
set -uo pipefail
HANGAR=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/hangar-board-XXXXXX)
mkdir -p "${2:-$WORK}" && SHOTS=$(realpath "${2:-$WORK}")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2> /dev/null; wait 2> /dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

missing=""
command -v chromium > /dev/null || missing="$missing chromium"
command -v chromedriver > /dev/null || missing="$missing chromium-driver"
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq --no-install-recommends $missing > /dev/null 2>&1 \
    || { $sudo apt-get update -qq > /dev/null && $sudo apt-get install -y -qq --no-install-recommends $missing > /dev/null; } \
    || { echo "board: cannot install$missing"; exit 1; }
fi
python3 -c "import selenium" 2> /dev/null || python3 -m pip install -q selenium > /dev/null 2>&1 \
  || python3 -m pip install -q --break-system-packages selenium > /dev/null 2>&1 || { echo "board: cannot install selenium"; exit 1; }

# A project whose production ran rc.1 then rc.2 (so it can be rolled back), nothing in
# sandbox or staging yet, and an approval rule on production.
export HANGAR_STORE=$WORK/store HANGAR_PROFILES=$WORK/profiles.yaml HANGAR_ACTOR=ci
cd "$WORK"
mkdir -p build && echo "v1" > build/app.txt
"$HANGAR" project create demo/app > /dev/null
"$HANGAR" cut demo/app --no-git --version 1.0.0 --commit "$(printf 'a%.0s' {1..40})" --artifact app=build > /dev/null
echo "v2" > build/app.txt
"$HANGAR" cherry-pick demo/app --no-git --version 1.0.0 --commit "$(printf 'b%.0s' {1..40})" --artifact app=build > /dev/null
for rc in 1 2; do "$HANGAR" promote demo/app "1.0.0-rc.$rc" --to production --force --reason "board test setup" > /dev/null; done
ADMIN=$("$HANGAR" token create --name release --role admin 2> /dev/null)
DEPLOYER=$("$HANGAR" token create --name agent-1 --role deployer 2> /dev/null)
"$HANGAR" serve --port 0 --log-level critical > serve.out 2> serve.err &
PID=$!
for _ in $(seq 1 100); do grep -q "serving on" serve.out 2> /dev/null && break; sleep 0.1; done
BASE=$(sed -n 's/.*serving on \(http:[^ ]*\).*/\1/p' serve.out | head -1)
[ -n "$BASE" ] || { echo "board: the server did not start"; cat serve.err; exit 1; }
unset HANGAR_STORE
HANGAR_SERVER=$BASE HANGAR_TOKEN=$ADMIN python3 "$HERE/board.py" "$BASE" "$ADMIN" "$DEPLOYER" "$HANGAR" "$SHOTS"
