#!/usr/bin/env bash
# The installed binary runs on a Debian machine without Swift.
#  1. ldd: every library it loads is a file of an installed Debian package, none is the
#     Swift toolchain's (libswiftCore, Foundation, libdispatch).
#  2. A root folder holding only the files of exactly those packages (no Swift, no shell):
#     the binary, chrooted into it, prints its version, hashes and archives a file, and
#     makes an embedded store (SQLite, an Ed25519 key).
# Usage: Tests/Integration/static-binary.sh BINARY
set -euo pipefail
BIN=$(realpath "$1")
WORK=$(mktemp -d /tmp/hangar-static-XXXXXX)
cleanup() { if mountpoint -q "$WORK/root/proc" 2> /dev/null; then umount "$WORK/root/proc"; fi; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "static-binary: FAIL: $*" >&2; exit 1; }

libraries=$(ldd "$BIN" | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }' | sort -u)
grep -q . <<< "$libraries" || fail "ldd lists no libraries for $BIN"
if grep -n "not found" <(ldd "$BIN"); then fail "unresolved libraries"; fi
if grep -Ei "swift|foundation|dispatch|/opt/" <<< "$libraries"; then fail "links the Swift toolchain's own libraries"; fi
packages=()
for lib in $libraries; do
  owner=$(dpkg -S "$(realpath "$lib")" 2> /dev/null || dpkg -S "$lib" 2> /dev/null) || fail "$lib belongs to no Debian package"
  packages+=("${owner%%:*}")
done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
echo "static-binary: links only Debian packages: ${packages[*]}"

# A root of those packages' files only.
ROOT=$WORK/root
mkdir -p "$ROOT/tmp" "$ROOT/usr/bin" "$ROOT/dev"
# usrmerge: /lib, /lib64, /bin, /sbin are links into /usr on bookworm; the same in the root.
for link in lib lib64 bin sbin; do
  if [ -L /$link ]; then mkdir -p "$ROOT/$(readlink /$link)" && ln -s "$(readlink /$link)" "$ROOT/$link"; fi
done
for pkg in "${packages[@]}"; do
  dpkg -L "$pkg" | while read -r path; do
    if [ -f "$path" ] || [ -L "$path" ]; then cp -a --parents "$path" "$ROOT" 2> /dev/null || true; fi
  done
done
cp "$BIN" "$ROOT/usr/bin/hangar"
if find "$ROOT" -iname '*swift*' | grep -q .; then fail "the root holds Swift files"; fi
if [ "$(id -u)" -ne 0 ]; then echo "static-binary: not root, the chroot run is skipped (the ldd check passed)"; exit 0; fi
# The Swift runtime reads its arguments from /proc/self/cmdline, as on any Linux machine.
mkdir -p "$ROOT/proc"
mount -t proc proc "$ROOT/proc" || { echo "static-binary: cannot mount /proc here, the chroot run is skipped (the ldd check passed)"; exit 0; }
mknod -m 666 "$ROOT/dev/null" c 1 3
mknod -m 444 "$ROOT/dev/urandom" c 1 9
printf 'hello\n' > "$ROOT/tmp/hello.txt"
run() { chroot "$ROOT" /usr/bin/hangar "$@"; }
version=$(run --version) || fail "hangar --version does not run in a root of Debian packages only"
[ -n "$version" ] || fail "hangar --version printed nothing"
run digest /tmp/hello.txt | grep -q "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" || fail "digest"
run archive /tmp/hello.txt --output /tmp/hello.tar > /dev/null || fail "archive"
run project create demo/app --store /tmp/store > /dev/null || fail "an embedded store"
[ -s "$ROOT/tmp/store/signing-key.pem" ] || fail "no signing key was made"
echo "static-binary: hangar $version runs in a chroot of $(du -shx "$ROOT" | cut -f1) holding only those packages' files"
