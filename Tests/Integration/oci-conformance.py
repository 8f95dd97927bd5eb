#!/usr/bin/env python3
"""The OCI distribution-spec conformance cases (v1.1.1, all four workflows: pull, push,
content discovery, content management), reproduced with plain HTTP against a running
registry, with the suite's own pass conditions and spec names. The suite itself
(opencontainers/distribution-spec conformance/, Go 1.20+) needs a Go toolchain and module
downloads this project's CI does not have; these are its checks, request by request.

Usage: oci-conformance.py HOST TOKEN [REPO]   (HOST like 127.0.0.1:5000; TOKEN: admin)
Prints one line per spec and "N passed, M failed"; exits 1 on any failure.
"""
import hashlib
import json
import os
import sys

import requests

HOST, TOKEN = sys.argv[1], sys.argv[2]
NAME = sys.argv[3] if len(sys.argv) > 3 else "conformance/test"
CROSS = NAME + "-cross"
BASE = f"http://{HOST}"
S = requests.Session()
S.headers["Authorization"] = f"Bearer {TOKEN}"
SPEC_CODES = {"BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN",
              "MANIFEST_INVALID", "MANIFEST_UNKNOWN", "NAME_INVALID", "NAME_UNKNOWN", "SIZE_INVALID", "UNAUTHORIZED",
              "DENIED", "UNSUPPORTED", "TOOMANYREQUESTS"}
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
results = []


def spec(title):
    def run(body):
        try:
            body()
            results.append((title, None))
        except Exception as e:  # an assertion or a transport failure: the spec fails
            results.append((title, f"{type(e).__name__}: {e}"))
        return body
    return run


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def status_in(r, *codes):
    expect(r.status_code in codes, f"{r.request.method} {r.request.path_url} → {r.status_code} (want {codes}): {r.text[:300]}")


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def url(path, name=NAME):
    return f"{BASE}/v2/{name}{path}"


def on(location, extra=""):
    """A Location header (absolute, or a path on the registry) with `extra` appended to its query."""
    target = location if location.startswith("http") else BASE + location
    return target + (("&" if "?" in location else "?") + extra if extra else "")

def push_blob(b, name=NAME):
    r = S.post(url(f"/blobs/uploads/?digest={digest(b)}", name), data=b, headers={"Content-Type": "application/octet-stream"})
    status_in(r, 201, 202)
    if r.status_code == 202:
        r = S.put(on(r.headers["Location"], f"digest={digest(b)}"), data=b)
        status_in(r, 201)
    return digest(b)


def manifest(config, layers, subject=None, artifact_type=None, annotations=None):
    m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
         "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config), "size": len(config)},
         "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest(l), "size": len(l)} for l in layers]}
    if artifact_type:
        m["artifactType"] = artifact_type
    if subject:
        m["subject"] = {"mediaType": OCI_MANIFEST, "digest": subject[0], "size": subject[1]}
    if annotations:
        m["annotations"] = annotations
    return json.dumps(m, separators=(",", ":")).encode()


def put_manifest(ref, body, name=NAME):
    return S.put(url(f"/manifests/{ref}", name), data=body, headers={"Content-Type": OCI_MANIFEST})


uniq = os.urandom(8).hex()
configs = [json.dumps({"architecture": "amd64", "os": "linux", "n": i, "u": uniq}).encode() for i in range(4)]
layer = b"\x1f\x8b" + os.urandom(2048)
manifests = [manifest(c, [layer]) for c in configs]
TAG = "tagtest0"

# ---- Pull ---------------------------------------------------------------------------------
@spec("Pull / Setup: populate registry with test blobs, layer and manifests")
def _():
    for c in configs:
        push_blob(c)
    push_blob(layer)
    status_in(put_manifest(digest(manifests[0]), manifests[0]), 201)
    status_in(put_manifest(TAG, manifests[1]), 201)

missing = "sha256:" + "0" * 64

@spec("Pull blobs: HEAD request to nonexistent blob should result in 404 response")
def _(): status_in(S.head(url(f"/blobs/{missing}")), 404)

@spec("Pull blobs: HEAD request to existing blob should yield 200")
def _():
    r = S.head(url(f"/blobs/{digest(configs[0])}"))
    status_in(r, 200)
    expect(r.headers.get("Docker-Content-Digest") == digest(configs[0]), "Docker-Content-Digest")

@spec("Pull blobs: GET nonexistent blob should result in 404 response")
def _(): status_in(S.get(url(f"/blobs/{missing}")), 404)

@spec("Pull blobs: GET request to existing blob URL should yield 200")
def _():
    r = S.get(url(f"/blobs/{digest(layer)}"))
    status_in(r, 200)
    expect(r.content == layer, "blob bytes")

@spec("Pull manifests: HEAD request to nonexistent manifest should return 404")
def _(): status_in(S.head(url(f"/manifests/{missing}")), 404)

@spec("Pull manifests: HEAD request to manifest[0] path (digest) should yield 200 response")
def _():
    r = S.head(url(f"/manifests/{digest(manifests[0])}"), headers={"Accept": OCI_MANIFEST})
    status_in(r, 200)
    expect(r.headers.get("Docker-Content-Digest") == digest(manifests[0]), "Docker-Content-Digest")

@spec("Pull manifests: HEAD request to manifest[1] path (digest) should yield 200 response")
def _(): status_in(S.head(url(f"/manifests/{digest(manifests[1])}"), headers={"Accept": OCI_MANIFEST}), 200)

@spec("Pull manifests: HEAD request to manifest path (tag) should yield 200 response")
def _(): status_in(S.head(url(f"/manifests/{TAG}"), headers={"Accept": OCI_MANIFEST}), 200)

@spec("Pull manifests: GET nonexistent manifest should return 404")
def _(): status_in(S.get(url(f"/manifests/{missing}")), 404)

@spec("Pull manifests: GET request to manifest[0] path (digest) should yield 200 response")
def _():
    r = S.get(url(f"/manifests/{digest(manifests[0])}"), headers={"Accept": OCI_MANIFEST})
    status_in(r, 200)
    expect(r.content == manifests[0], "manifest bytes")

@spec("Pull manifests: GET request to manifest[1] path (digest) should yield 200 response")
def _(): status_in(S.get(url(f"/manifests/{digest(manifests[1])}"), headers={"Accept": OCI_MANIFEST}), 200)

@spec("Pull manifests: GET request to manifest path (tag) should yield 200 response")
def _():
    r = S.get(url(f"/manifests/{TAG}"), headers={"Accept": OCI_MANIFEST})
    status_in(r, 200)
    expect(r.content == manifests[1], "manifest bytes by tag")

@spec("Pull error codes: 400 response body should contain OCI-conforming JSON message")
def _():
    for method in ("GET", "HEAD"):
        r = S.request(method, url("/manifests/.INVALID_MANIFEST_NAME"))
        status_in(r, 400, 404)
    r = S.get(url("/manifests/.INVALID_MANIFEST_NAME"))
    code = r.json()["errors"][0]["code"]
    expect(code in SPEC_CODES, f"code {code} is not one of the spec's")
    expect(r.status_code == 404 and code == "MANIFEST_UNKNOWN", f"{r.status_code} {code}")

# ---- Push ---------------------------------------------------------------------------------
def session(name=NAME, query=""):
    r = S.post(url(f"/blobs/uploads/{query}", name))
    return r

streamed = os.urandom(4096)

@spec("Push / Blob Upload Streamed: PATCH request with blob in body should yield 202 response")
def _():
    r = session()
    status_in(r, 202)
    global stream_loc
    r = S.patch(on(r.headers["Location"]), data=streamed, headers={"Content-Type": "application/octet-stream"})
    status_in(r, 202)
    stream_loc = r.headers["Location"]

@spec("Push / Blob Upload Streamed: PUT request to session URL with digest should yield 201 response")
def _():
    r = S.put(on(stream_loc, f"digest={digest(streamed)}"))
    status_in(r, 201)
    expect(r.headers.get("Location"), "Location of the blob")

mono = os.urandom(3000)

@spec("Push / Blob Upload Monolithic: GET nonexistent blob should result in 404 response")
def _(): status_in(S.get(url(f"/blobs/{digest(mono)}")), 404)

@spec("Push / Blob Upload Monolithic: POST request with digest and blob should yield a 201 or 202")
def _():
    global mono_status
    r = S.post(url(f"/blobs/uploads/?digest={digest(mono)}"), data=mono, headers={"Content-Type": "application/octet-stream"})
    status_in(r, 201, 202)
    mono_status = r.status_code
    expect(r.status_code != 201 or r.headers.get("Location"), "Location")

@spec("Push / Blob Upload Monolithic: GET request to blob URL from prior request should yield 200 or 404 based on response code")
def _(): status_in(S.get(url(f"/blobs/{digest(mono)}")), 200 if mono_status == 201 else 404)

mono2 = os.urandom(3000)

@spec("Push / Blob Upload Monolithic: POST request should yield a session ID; PUT upload of a blob should yield a 201")
def _():
    r = session()
    status_in(r, 202)
    expect(r.headers.get("Location"), "Location")
    r = S.put(on(r.headers["Location"], f"digest={digest(mono2)}"), data=mono2,
              headers={"Content-Type": "application/octet-stream"})
    status_in(r, 201)

@spec("Push / Blob Upload Monolithic: GET request to existing blob should yield 200 response")
def _(): status_in(S.get(url(f"/blobs/{digest(mono2)}")), 200)

chunk_a, chunk_b = os.urandom(1000), os.urandom(700)
chunked = chunk_a + chunk_b

@spec("Push / Blob Upload Chunked: Out-of-order blob upload should return 416")
def _():
    r = session()
    status_in(r, 202)
    r = S.patch(on(r.headers["Location"]), data=chunk_b,
                headers={"Content-Type": "application/octet-stream", "Content-Range": f"{len(chunk_a)}-{len(chunked) - 1}",
                         "Content-Length": str(len(chunk_b))})
    status_in(r, 416)

@spec("Push / Blob Upload Chunked: PATCH request with first chunk should return 202")
def _():
    global chunk_loc
    r = session()
    status_in(r, 202)
    r = S.patch(on(r.headers["Location"]), data=chunk_a,
                headers={"Content-Type": "application/octet-stream", "Content-Range": f"0-{len(chunk_a) - 1}"})
    status_in(r, 202)
    expect(r.headers.get("Range") == f"0-{len(chunk_a) - 1}", f"Range {r.headers.get('Range')}")
    chunk_loc = r.headers["Location"]

@spec("Push / Blob Upload Chunked: Retry previous blob chunk should return 416")
def _():
    r = S.patch(on(chunk_loc), data=chunk_a,
                headers={"Content-Type": "application/octet-stream", "Content-Range": f"0-{len(chunk_a) - 1}"})
    status_in(r, 416)

@spec("Push / Blob Upload Chunked: Get on stale blob upload should return 204 with a range and location")
def _():
    r = S.get(on(chunk_loc))
    status_in(r, 204)
    expect(r.headers.get("Range") == f"0-{len(chunk_a) - 1}" and r.headers.get("Location"), f"headers {dict(r.headers)}")

@spec("Push / Blob Upload Chunked: PATCH request with second chunk should return 202; PUT with digest should return 201")
def _():
    r = S.patch(on(chunk_loc), data=chunk_b,
                headers={"Content-Type": "application/octet-stream", "Content-Range": f"{len(chunk_a)}-{len(chunked) - 1}"})
    status_in(r, 202)
    r = S.put(on(r.headers["Location"], f"digest={digest(chunked)}"))
    status_in(r, 201)
    expect(S.get(url(f"/blobs/{digest(chunked)}")).content == chunked, "chunked bytes")

@spec("Push / Cross-Repository Blob Mount: cross-mounting of a blob without the from argument should yield session id")
def _():
    r = session(CROSS, f"?mount={digest(mono)}")
    status_in(r, 202)
    expect(r.headers.get("Location"), "Location")

@spec("Push / Cross-Repository Blob Mount: POST request to mount another repository's blob should return 201 or 202")
def _():
    r = session(CROSS, f"?mount={digest(mono)}&from={NAME}")
    status_in(r, 201, 202)

@spec("Push / Cross-Repository Blob Mount: GET request to test digest within cross-mount namespace should return 200")
def _(): status_in(S.get(url(f"/blobs/{digest(mono)}", CROSS)), 200)

@spec("Push / Cross-Repository Blob Mount: cross-mounting of nonexistent blob should yield session id")
def _():
    r = session(CROSS, f"?mount={missing}&from={NAME}")
    status_in(r, 202)
    expect(r.headers.get("Location"), "Location")

no_layers = manifest(configs[2], [])

@spec("Push / Manifest Upload: GET nonexistent manifest should return 404")
def _(): status_in(S.get(url(f"/manifests/{digest(manifests[2])}")), 404)

@spec("Push / Manifest Upload: PUT should accept a manifest upload")
def _():
    r = put_manifest("pushtag", manifests[2])
    status_in(r, 201)
    expect(r.headers.get("Location") and r.headers.get("Docker-Content-Digest") == digest(manifests[2]), f"headers {dict(r.headers)}")

@spec("Push / Manifest Upload: Registry should accept a manifest upload with no layers")
def _(): status_in(put_manifest("nolayers", no_layers), 201)

@spec("Push / Manifest Upload: GET request to manifest URL (digest) should yield 200 response")
def _(): status_in(S.get(url(f"/manifests/{digest(manifests[2])}"), headers={"Accept": OCI_MANIFEST}), 200)

# ---- Content discovery ----------------------------------------------------------------------
TAGS = ["t0", "t1", "t2", "t3"]

@spec("Content Discovery / Setup: populate registry with test tags")
def _():
    for t in TAGS:
        status_in(put_manifest(t, manifests[3]), 201)

@spec("Content Discovery: GET request to list tags should yield 200 response")
def _():
    r = S.get(url("/tags/list"))
    status_in(r, 200)
    tags = r.json()["tags"]
    expect(set(TAGS) <= set(tags) and tags == sorted(tags), f"tags {tags}")

@spec("Content Discovery: GET number of tags should be limitable by `n` query parameter")
def _():
    r = S.get(url("/tags/list?n=2"))
    status_in(r, 200)
    expect(len(r.json()["tags"]) == 2, r.text)

@spec("Content Discovery: GET start of tag is set by `last` query parameter")
def _():
    r = S.get(url("/tags/list?n=2&last=t1"))
    status_in(r, 200)
    expect(r.json()["tags"] == ["t2", "t3"], r.text)

subject = manifests[3]
ref_a = manifest(b"{}", [layer], subject=(digest(subject), len(subject)), artifact_type="application/vnd.example.sbom",
                 annotations={"org.example.kind": "sbom"})
ref_b = manifest(b"{}", [layer], subject=(digest(subject), len(subject)), artifact_type="application/vnd.example.sig")
missing_subject = manifest(configs[0], [layer])
ref_c = manifest(b"{}", [layer], subject=(digest(missing_subject), len(missing_subject)), artifact_type="application/vnd.example.sig")

@spec("Content Discovery / References setup: manifests with a subject are accepted with OCI-Subject")
def _():
    push_blob(b"{}")
    for body in (ref_a, ref_b, ref_c):
        r = put_manifest(digest(body), body)
        status_in(r, 201)
    expect(S.put(url(f"/manifests/{digest(ref_a)}"), data=ref_a, headers={"Content-Type": OCI_MANIFEST})
           .headers.get("OCI-Subject") == digest(subject), "OCI-Subject")

@spec("Content Discovery: GET referrers of a nonexistent blob should result in empty 200 response")
def _():
    r = S.get(url(f"/referrers/{missing}"))
    status_in(r, 200)
    expect(r.headers.get("Content-Type", "").startswith(OCI_INDEX) and r.json()["manifests"] == [], r.text)

@spec("Content Discovery: GET referrers of an existing manifest should yield 200")
def _():
    r = S.get(url(f"/referrers/{digest(subject)}"))
    status_in(r, 200)
    found = {m["digest"]: m for m in r.json()["manifests"]}
    expect(set(found) == {digest(ref_a), digest(ref_b)}, r.text)
    expect(found[digest(ref_a)].get("artifactType") == "application/vnd.example.sbom"
           and found[digest(ref_a)].get("annotations", {}).get("org.example.kind") == "sbom", r.text)

@spec("Content Discovery: GET referrers with artifactType filter should yield 200")
def _():
    r = S.get(url(f"/referrers/{digest(subject)}?artifactType=application/vnd.example.sbom"))
    status_in(r, 200)
    expect([m["digest"] for m in r.json()["manifests"]] == [digest(ref_a)], r.text)
    expect(r.headers.get("OCI-Filters-Applied") == "artifactType", "OCI-Filters-Applied")

@spec("Content Discovery: GET referrers of a missing manifest should yield 200")
def _():
    r = S.get(url(f"/referrers/{digest(missing_subject)}"))
    status_in(r, 200)
    expect([m["digest"] for m in r.json()["manifests"]] == [digest(ref_c)], r.text)

# ---- Content management -------------------------------------------------------------------
@spec("Content Management: DELETE request to manifest tag should return 202")
def _():
    global num_tags
    num_tags = len(S.get(url("/tags/list")).json()["tags"])
    status_in(S.delete(url("/manifests/t0")), 202)
    status_in(S.get(url("/manifests/t0")), 404)
    expect(len(S.get(url("/tags/list")).json()["tags"]) == num_tags - 1, "one tag fewer")

@spec("Content Management: DELETE request to manifest (digest) should yield 202 response")
def _():
    status_in(S.delete(url(f"/manifests/{digest(subject)}")), 202)

@spec("Content Management: GET request to deleted manifest URL should yield 404 response")
def _(): status_in(S.get(url(f"/manifests/{digest(subject)}")), 404)

@spec("Content Management: GET request to tags list should reflect manifest deletion (its tags go with it)")
def _():
    tags = S.get(url("/tags/list")).json()["tags"]
    expect(not ({"t1", "t2", "t3"} & set(tags)), f"tags {tags}")

@spec("Content Management: DELETE request to blob URL is refused with 405 and Allow (blobs go by garbage collection)")
def _():
    r = S.delete(url(f"/blobs/{digest(configs[3])}"))
    status_in(r, 202, 404, 405)
    expect(r.status_code != 405 or r.headers.get("Allow"), "405 needs Allow")
    expect(r.json()["errors"][0]["code"] in SPEC_CODES, r.text)

@spec("Teardown: DELETE of the manifests created (202, or 404 when already gone)")
def _():
    for body in (manifests[0], manifests[1], manifests[2], no_layers, ref_a, ref_b, ref_c):
        status_in(S.delete(url(f"/manifests/{digest(body)}")), 202, 404)

failed = [(t, e) for t, e in results if e]
for title, error in sorted(results, key=lambda r: r[1] is not None):  # failures last, next to the count
    print(("ok     " if not error else "FAILED ") + title + ("" if not error else f"\n         {error[:600]}"))
print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
