#!/usr/bin/env python3
"""Generates Hangar's hostile extraction fixtures (see README.md) next to this script.

Deterministic: fixed mtimes, owners and names, gzip with no timestamp or file name, so
running it again gives byte-identical files. Usage: python3 Fixtures/hostile/make.py
"""
import gzip
import io
import os
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))


def info(name, kind=tarfile.REGTYPE, size=0, mode=0o644, link=""):
    t = tarfile.TarInfo(name)
    t.type = kind
    t.size = size
    t.mode = mode
    t.linkname = link
    t.mtime = 0
    t.uid = t.gid = 0
    t.uname = t.gname = ""
    return t


def file(name, data=b"", mode=0o644):
    return (info(name, size=len(data), mode=mode), data)


def folder(name):
    return (info(name, tarfile.DIRTYPE, mode=0o755), None)


def symlink(name, target):
    return (info(name, tarfile.SYMTYPE, mode=0o777, link=target), None)


def hardlink(name, target):
    return (info(name, tarfile.LNKTYPE, link=target), None)


def special(name, kind, major=0, minor=0):
    t = info(name, kind)
    t.devmajor, t.devminor = major, minor
    return (t, None)


def write_tar(filename, members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member, data in members:
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
    with open(os.path.join(HERE, filename), "wb") as out:
        out.write(buffer.getvalue())


def write_gzip(filename, chunks):
    with open(os.path.join(HERE, filename), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as out:
            for chunk in chunks:
                out.write(chunk)


def declared_bomb():
    """A header declaring 100 GiB, followed by 1 MiB of zeros and then nothing."""
    header = info("huge.bin", size=100 << 30).tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
    yield header
    yield bytes(1 << 20)


def zeros_bomb():
    """A real 1 GiB entry of zeros (about 1 MB gzipped)."""
    yield info("zeros.bin", size=1 << 30).tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
    chunk = bytes(1 << 20)
    for _ in range(1 << 10):
        yield chunk
    yield bytes(1024)  # end of archive


FIXTURES = {
    "traversal.tar": [file("ok.txt", b"fine\n"), file("../evil", b"evil\n")],
    "traversal-nested.tar": [folder("a"), file("a/../../evil", b"evil\n")],
    "absolute.tar": [file("ok.txt", b"fine\n"), file("/tmp/hangar-evil", b"evil\n")],
    "symlink-escape.tar": [symlink("link", "../../etc"), file("link/passwd", b"evil\n")],
    "symlink-absolute.tar": [symlink("escape", "/etc"), file("escape/passwd", b"evil\n")],
    "symlink-chain.tar": [
        folder("d"),
        symlink("d/l", ".."),
        symlink("d/l/l2", ".."),
        file("d/l/l2/x", b"evil\n"),
    ],
    "symlink-write-through.tar": [folder("sub"), symlink("s", "sub"), file("s/file", b"through a link\n")],
    "symlink-late-escape.tar": [symlink("x", "d/.."), symlink("d", ".")],
    "hardlink-escape.tar": [file("ok.txt", b"fine\n"), hardlink("h", "../../etc/passwd")],
    "hardlink-missing.tar": [hardlink("h", "nothere")],
    "hardlink-to-folder.tar": [folder("d"), hardlink("h", "d")],
    "device-char.tar": [special("null", tarfile.CHRTYPE, 1, 3)],
    "device-block.tar": [special("disk", tarfile.BLKTYPE, 8, 0)],
    "fifo.tar": [special("pipe", tarfile.FIFOTYPE)],
    "duplicate-type.tar": [file("a", b"file\n"), folder("a")],
    "empty-name.tar": [file("", b"nameless\n")],
    "setuid.tar": [
        folder("bin"),
        file("bin/tool", b"#!/bin/sh\n", mode=0o4755),
        file("bin/group", b"data\n", mode=0o2644),
        (info("shared", tarfile.DIRTYPE, mode=0o1777), None),
    ],
}


def main():
    for filename, members in FIXTURES.items():
        write_tar(filename, members)
    write_gzip("bomb-declared.tar.gz", declared_bomb())
    write_gzip("bomb-zeros.tar.gz", zeros_bomb())


if __name__ == "__main__":
    main()
