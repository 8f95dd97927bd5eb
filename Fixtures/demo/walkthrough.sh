#!/usr/bin/env bash
# The five-minute walkthrough: cut → promote → cherry-pick → refused promotion →
# promote by environment → rollback → status/history/show/diff → fetch → audit.
# Runs on a throw-away store and a throw-away git repository (real commit SHAs).
# Usage: Fixtures/demo/walkthrough.sh [path/to/hangar]
set -uo pipefail
HANGAR=$(realpath "${1:-.build/debug/hangar}")
work=$(mktemp -d /tmp/hangar-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
export HANGAR_STORE="$work/store" HANGAR_ACTOR="${HANGAR_ACTOR:-release-manager}"
cd "$work"

step() { printf '\n\033[1m$ hangar %s\033[0m\n' "$*"; "$HANGAR" "$@"; local rc=$?; [ $rc -eq 0 ] || printf '\033[2m(exit %d)\033[0m\n' "$rc"; return 0; }
commit() { git add -A && git -c user.name=CI -c user.email=ci@example.com commit -qm "$1" && git rev-parse HEAD; }

git init -q .
mkdir -p build/api/bin build/web/assets
printf '#!/bin/sh\necho "api 2.4.0"\n' > build/api/bin/api && chmod +x build/api/bin/api
printf '<h1>checkout 2.4.0</h1>\n' > build/web/index.html
head -c 2000000 /dev/urandom > build/web/assets/app.js
sha1=$(commit "release 2.4.0")

step project create acme/checkout
step cut acme/checkout --version 2.4.0 --commit "$sha1" --artifact api=build/api --artifact web=build/web
step promote acme/checkout 2.4.0-rc.1 --to sandbox
step promote acme/checkout 2.4.0-rc.1 --to staging
step promote acme/checkout 2.4.0-rc.1 --to production

printf '#!/bin/sh\necho "api 2.4.0 with the fix"\n' > build/api/bin/api
fix=$(commit "fix: rounding in totals")
step cherry-pick acme/checkout --version 2.4.0 --commit "$fix" --artifact api=build/api --artifact web=build/web
echo "# rc.2 was never in staging, so production refuses it (exit 3):"
step promote acme/checkout 2.4.0-rc.2 --to production
step promote acme/checkout 2.4.0-rc.2 --to sandbox
step promote acme/checkout sandbox --to staging
step promote acme/checkout staging --to production
step status acme/checkout
before=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
sleep 0.01
step rollback acme/checkout --env production
step history acme/checkout --env production
step history acme/checkout --env production --at "$before"
step show acme/checkout 2.4.0-rc.2
step diff acme/checkout 2.4.0-rc.1 2.4.0-rc.2
step fetch acme/checkout production --to "$work/srv/app"
echo "# what production runs now:"; "$work/srv/app/api/bin/api"
step audit log acme/checkout
step audit verify
