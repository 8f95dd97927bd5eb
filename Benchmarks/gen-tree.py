#!/usr/bin/env python3
"""Generates a build-output-like tree (or one large file) for Hangar's benchmarks.

    gen-tree.py --size 1G --out DIR [--seed N]          a tree of exactly SIZE bytes of file content
    gen-tree.py --size 1G --file PATH [--seed N]        one binary file of exactly SIZE bytes

The output depends only on the seed, the size and this script (CPython >= 3.9: it uses
random.Random, whose sequences are stable across versions): the same arguments give the
same names, contents, executable bits and symlinks on any machine. Only mtimes differ.

What a tree holds (shares of SIZE):

    ~22%  node_modules/…       small source-like text (.js, .json, .md, .d.ts), a few KiB each,
                               in nested package folders, nested node_modules, .bin symlinks
    ~ 6%  classes/…            small semi-binary .class-like files (Java package folders)
    ~17%  lib/*.jar, static/…  medium files: jars and images (incompressible), source maps (text)
    ~55%  bin/, data/          a few large binaries: alternating segments of random bytes
                               (incompressible), fixed-size records, string tables and zero padding

so that zstd has realistic work (text compresses several times, random data not at all), and
the archiver has tens of thousands of small files to walk (~80 000 for 1G).
"""

import argparse
import os
import random
import struct
import sys

MiB = 1 << 20

KEYWORDS = ["const", "let", "var", "function", "return", "if", "else", "for", "while", "import",
            "export", "class", "extends", "new", "this", "await", "async", "typeof", "null", "true",
            "false", "undefined", "throw", "try", "catch", "switch", "case", "break", "default"]
SYLLABLES = ["get", "set", "on", "handle", "parse", "to", "from", "make", "build", "create", "update",
             "render", "load", "save", "read", "write", "use", "with", "is", "has", "can", "should",
             "config", "option", "value", "item", "list", "map", "node", "tree", "path", "file", "buffer",
             "stream", "event", "error", "state", "props", "context", "request", "response", "token",
             "cache", "index", "key", "name", "type", "id", "data", "meta", "util", "helper", "manager",
             "service", "client", "server", "router", "schema", "model", "view", "store", "query", "result"]


def parse_size(text):
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = t[-1] if t and t[-1] in "KMG" else ""
    number = t[:-1] if unit else t
    try:
        value = int(float(number) * units[unit])
    except ValueError:
        raise argparse.ArgumentTypeError(f"size '{text}' is not like 100M, 1G or 12345")
    if value < 4 * MiB:
        raise argparse.ArgumentTypeError(f"size '{text}' is below the 4M minimum")
    return value


class Generator:
    def __init__(self, seed, size):
        # Seeded by (seed, size): a 100M tree is not a prefix of a 1G tree, and need not be.
        self.rng = random.Random(seed * 1_000_003 + size)
        rng = self.rng
        self.words = []
        for _ in range(6000):
            parts = [rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))]
            self.words.append(parts[0] + "".join(p.capitalize() for p in parts[1:]))
        # A pool of code lines larger than zstd's window at level 3 (2-8 MiB): lines recur
        # across files as they do in real code, but not so often that text compresses absurdly.
        self.lines = [self._code_line() for _ in range(1 << 17)]
        # Constant-pool entries of .class-like files: a tag, a length, a name, a few binary bytes.
        self.pool_entries = []
        for _ in range(1 << 16):
            name = self.word().encode()
            self.pool_entries.append(struct.pack(">BH", 1, len(name)) + name + rng.randbytes(rng.randint(2, 12)))
        # Source-map VLQ segments.
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        self.segments = [
            "".join(rng.choices(alphabet[:26] if rng.random() < 0.7 else alphabet, k=rng.choice([4, 4, 4, 5, 6]))) + ","
            for _ in range(1 << 14)
        ] + [";"] * 400

    def word(self):
        return self.rng.choice(self.words)

    def _code_line(self):
        rng, w = self.rng, self.word
        indent = "  " * rng.choice([0, 1, 1, 2, 2, 2, 3, 4])
        kind = rng.random()
        if kind < 0.25:
            text = f"{rng.choice(['const', 'let', 'var'])} {w()} = {w()}.{w()}({w()}, {rng.randint(0, 4096)});"
        elif kind < 0.40:
            text = f"if ({w()}.{w()} {rng.choice(['===', '!==', '<', '>=', '&&'])} {w()}) {{"
        elif kind < 0.52:
            text = f"return {w()}({w()}, {{ {w()}: {w()}, {w()}: '{w()}' }});"
        elif kind < 0.62:
            text = f"// {' '.join(w() for _ in range(rng.randint(3, 10)))}"
        elif kind < 0.70:
            text = f"function {w()}({', '.join(w() for _ in range(rng.randint(0, 4)))}) {{"
        elif kind < 0.78:
            text = f"import {{ {w()}, {w()} }} from './{w()}/{w()}';"
        elif kind < 0.86:
            text = f"  \"{w()}\": \"{rng.choice(['^', '~', ''])}{rng.randint(0, 20)}.{rng.randint(0, 40)}.{rng.randint(0, 99)}\","
        elif kind < 0.93:
            text = "}" if rng.random() < 0.6 else "});"
        else:
            text = f"{w()}.{w()}.{w()} = {rng.choice(KEYWORDS)} {w()};"
        return indent + text + "\n"

    def text(self, size):
        out = bytearray()
        rng = self.rng
        while len(out) < size:
            out += "".join(rng.choices(self.lines, k=64)).encode()
            # A few file-specific identifiers, as every real file has.
            out += f"export const {self.word()}_{rng.getrandbits(32):08x} = {rng.getrandbits(24)};\n".encode()
        return bytes(out[:size])

    def class_file(self, size):
        """Semi-binary: a constant pool of names with short binary runs between them."""
        out = bytearray(b"\xca\xfe\xba\xbe\x00\x00\x00\x3d")
        while len(out) < size:
            out += b"".join(self.rng.choices(self.pool_entries, k=256))
            out += self.rng.randbytes(16)  # this file's own bits
        return bytes(out[:size])

    def sourcemap(self, size):
        head = '{"version":3,"sources":["' + '","'.join(f"src/{self.word()}.ts" for _ in range(40)) + '"],"mappings":"'
        out = bytearray(head.encode())
        while len(out) < size:
            out += "".join(self.rng.choices(self.segments, k=4096)).encode()
        return bytes(out[:size])

    def binary(self, size):
        """A large binary: segments of random bytes, fixed records, string tables, zero padding."""
        rng = self.rng
        chunks, done, counter = [], 0, 0
        while done < size:
            kind = rng.random()
            seg = min(size - done, rng.randint(256 << 10, 4 * MiB))
            if kind < 0.50:
                data = rng.randbytes(seg)
            elif kind < 0.75:
                n = seg // 32 + 1
                noise = rng.randbytes(4 * n)
                kinds = rng.choices(range(8), k=n)
                pack = struct.Struct("<QII4s12x").pack
                data = b"".join(pack(counter + i, kinds[i], i & 0xFF, noise[4 * i:4 * i + 4]) for i in range(n))[:seg]
                counter += n
            elif kind < 0.90:
                data = self.text(seg)
            else:
                seg = min(seg, MiB)
                data = bytes(seg)
            chunks.append(data)
            done += len(data)
        return b"".join(chunks)

    def random_blob(self, size):
        return self.rng.randbytes(size)


def write(path, data, executable=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o755 if executable else 0o644)


def small_size(rng, lo=200, hi=24 << 10, median=3000):
    return max(lo, min(hi, int(rng.lognormvariate(0, 0.8) * median)))


def generate_tree(gen, size, out):
    rng = gen.rng
    stats = {"files": 0, "dirs": 0, "symlinks": 0}
    written = [0]

    def emit(rel, data, executable=False):
        # Random names can repeat in a folder: never overwrite (every byte written must count).
        base, ext = os.path.splitext(rel)
        n = 1
        while os.path.lexists(os.path.join(out, rel)):
            n += 1
            rel = f"{base}-{n}{ext}"
        write(os.path.join(out, rel), data, executable)
        stats["files"] += 1
        written[0] += len(data)

    def budget_loop(share, make_one):
        target = written[0] + int(size * share)
        while written[0] < target:
            make_one(target - written[0])

    # ~22%: node_modules packages, a few nested.
    packages = []

    def package(remaining):
        base = "node_modules"
        if packages and rng.random() < 0.2:
            base = f"{rng.choice(packages)}/node_modules"
        name = f"{gen.word().lower()}-{gen.word().lower()}"
        if rng.random() < 0.15:
            name = f"@{gen.word().lower()}/{name}"
        root = f"{base}/{name}"
        if root in packages:
            return
        packages.append(root)
        emit(f"{root}/package.json", gen.text(min(remaining, small_size(rng, median=900))))
        folders = ["lib", "dist", "src", "types"] + [f"lib/{gen.word()}" for _ in range(rng.randint(0, 4))]
        for _ in range(rng.randint(3, 60)):
            n = min(small_size(rng), max(1, remaining))  # the last file shrinks to the budget
            folder = rng.choice(folders)
            ext = rng.choice([".js", ".js", ".js", ".d.ts", ".mjs", ".json", ".md"])
            emit(f"{root}/{folder}/{gen.word()}{ext}", gen.text(n))
            remaining -= n
            if remaining <= 0:
                break
        if rng.random() < 0.3:
            cli = f"{root}/bin/cli.js"
            emit(cli, b"#!/usr/bin/env node\n" + gen.text(small_size(rng, median=600)), executable=True)
            link = f"node_modules/.bin/{name.split('/')[-1]}"
            target = os.path.relpath(cli, "node_modules/.bin")
            os.makedirs(os.path.join(out, "node_modules/.bin"), exist_ok=True)
            if not os.path.lexists(os.path.join(out, link)):
                os.symlink(target, os.path.join(out, link))
                stats["symlinks"] += 1

    budget_loop(0.22, package)

    # ~6%: .class-like files in Java package folders.
    modules = [f"classes/com/acme/{gen.word().lower()}" for _ in range(12)]

    def classes(remaining):
        folder = f"{rng.choice(modules)}/{gen.word().lower()}"
        for _ in range(rng.randint(5, 40)):
            n = min(small_size(rng, median=2500), max(1, remaining))
            emit(f"{folder}/{gen.word().capitalize()}{rng.choice(['', '$1', '$Builder'])}.class", gen.class_file(n))
            remaining -= n
            if remaining <= 0:
                break

    budget_loop(0.06, classes)

    # ~17%: medium files.
    def medium(remaining):
        kind = rng.random()
        n = min(remaining, rng.randint(64 << 10, 3 * MiB))
        if kind < 0.45:
            emit(f"lib/{gen.word()}-{rng.randint(1, 9)}.{rng.randint(0, 30)}.jar", gen.random_blob(n))
        elif kind < 0.75:
            emit(f"static/js/{gen.word()}.{rng.getrandbits(32):08x}.js.map", gen.sourcemap(n))
        else:
            n = min(n, 600 << 10)
            emit(f"static/img/{gen.word()}-{rng.randint(1, 999)}.png", gen.random_blob(n))

    budget_loop(0.17, medium)

    # The rest: a few large binaries, the last one landing exactly on SIZE.
    rest = size - written[0]
    count = max(2, min(6, size // (160 * MiB) + 1))
    names = ["bin/app-server", "data/model.bin", "data/index.db", "bin/native-image", "data/assets.pak", "data/cache.bin"]
    for i in range(count):
        n = rest // count if i < count - 1 else size - written[0]
        emit(names[i], gen.binary(n), executable=names[i].startswith("bin/"))

    for _, dirs, _ in os.walk(out):
        stats["dirs"] += len(dirs)
    assert written[0] == size, (written[0], size)
    return stats


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", required=True, type=parse_size, help="total bytes of file content: 100M, 1G, 12345 …")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", help="folder to create (must not exist or be empty)")
    where.add_argument("--file", help="write one large binary file instead of a tree")
    args = p.parse_args()

    gen = Generator(args.seed, args.size)
    if args.file:
        tmp = args.file + ".partial"
        with open(tmp, "wb") as f:
            left = args.size
            while left:  # in 64 MiB pieces: memory stays small
                n = min(left, 64 * MiB)
                f.write(gen.binary(n))
                left -= n
        os.replace(tmp, args.file)
        print(f"{args.file}: {args.size} bytes (seed {args.seed})")
        return

    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit(f"gen-tree.py: {args.out} exists and is not empty; remove it first")
    os.makedirs(args.out, exist_ok=True)
    stats = generate_tree(gen, args.size, args.out)
    print(f"{args.out}: {args.size} bytes in {stats['files']} files, {stats['dirs']} folders, "
          f"{stats['symlinks']} symlinks (seed {args.seed})")


if __name__ == "__main__":
    main()
