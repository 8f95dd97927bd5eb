# Helpers the integration scripts share: one line per check, the OCI clients installed
# when missing, a two-layer OCI image to push. Needs $WORK, $PASSED and $FAILED.

# check NAME COMMAND…: runs the command, prints one line, keeps the output of failures.
check() {
  local name=$1; shift
  if "$@" > "$WORK/check.log" 2>&1; then
    echo "ok     $name"; PASSED=$((PASSED + 1))
    [ -n "${VERBOSE:-}" ] && sed 's/^/         /' "$WORK/check.log" | tail -5
  else
    echo "FAILED $name"; sed 's/^/         /' "$WORK/check.log" | tail -15; FAILED=$((FAILED + 1))
  fi
}

install_clients() {
  local missing=""
  command -v skopeo > /dev/null || missing="$missing skopeo"
  command -v podman > /dev/null || missing="$missing podman"
  if [ -n "$missing" ]; then
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -qq --no-install-recommends $missing > /dev/null 2>&1 \
      || { $sudo apt-get update -qq > /dev/null && $sudo apt-get install -y -qq --no-install-recommends $missing > /dev/null; }
  fi
  python3 -c "import oras.client" 2> /dev/null || python3 -m pip install -q oras > /dev/null 2>&1
}

# A two-layer OCI image layout (gzip tar layers, image config) at $WORK/layout, tag v1.
make_image() {
  python3 - "$WORK/layout" << 'PY'
import gzip, hashlib, io, json, os, sys, tarfile
root = sys.argv[1]
os.makedirs(f"{root}/blobs/sha256", exist_ok=True)
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(f"{root}/blobs/sha256/{d}", "wb").write(data)
    return {"digest": f"sha256:{d}", "size": len(data)}
def layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, content in files.items():
            info = tarfile.TarInfo(name); info.size = len(content); info.mtime = 0
            t.addfile(info, io.BytesIO(content))
    tar = raw.getvalue()
    return tar, gzip.compress(tar, mtime=0)
layers, diff_ids = [], []
for files in ({"etc/motd": b"hello from layer one\n"}, {"app/data.bin": os.urandom(3 << 20)}):
    tar, gz = layer(files)
    diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
    layers.append(dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip", **put(gz)))
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **put(config)),
                       "layers": layers}).encode()
m = put(manifest)
open(f"{root}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
open(f"{root}/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [
    dict(mediaType="application/vnd.oci.image.manifest.v1+json", annotations={"org.opencontainers.image.ref.name": "v1"}, **m)]}))
PY
}

# skopeo against the plain-HTTP loopback server.
sk() { skopeo --insecure-policy "$@"; }

