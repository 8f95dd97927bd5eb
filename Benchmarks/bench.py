#!/usr/bin/env python3
"""Timing and reporting helpers for Benchmarks/run.sh.

    bench.py time --results FILE --runs N [--warmup W] \\
        --cmd KEY 'COMMAND' [--prepare 'COMMAND'] [--expect REGEX] [--cmd KEY2 …]

Runs the commands round-robin (A B A B …, not all of A then all of B), so that a change
in background load on a shared machine hits both sides of a comparison alike. Before each
run of a command its --prepare command runs untimed. Every run must exit 0, and when
--expect is given its stdout must match the regex, or the benchmark fails: a failed or
no-op run is never counted. Wall-clock times go into the results JSON under KEY.

    bench.py rss --results FILE --key KEY -- COMMAND …

Runs COMMAND once under GNU time (/usr/bin/time -f %M) and records its peak RSS (KiB).

    bench.py set --results FILE --key KEY --value V

    bench.py report --results FILE --size 1G [--markdown OUT]

Prints the table of figures, ratios and goals.
"""

import argparse
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

SHELL_CHARS = set("|&;<>$`(){}*?")


def argv_for(command):
    if SHELL_CHARS & set(command):
        return ["bash", "-o", "pipefail", "-c", command]
    return shlex.split(command)


def load(path):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {}


def save(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def run_checked(command, expect=None, what="command"):
    p = subprocess.run(argv_for(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        sys.exit(f"bench.py: {what} failed (exit {p.returncode}): {command}")
    if expect and not re.search(expect, p.stdout.decode(errors="replace")):
        sys.stderr.write(p.stdout.decode(errors="replace"))
        sys.exit(f"bench.py: {what} did not print /{expect}/: {command}")


def timed(command, expect):
    argv = argv_for(command)
    start = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        sys.exit(f"bench.py: benchmark command failed (exit {p.returncode}): {command}")
    if expect and not re.search(expect, p.stdout.decode(errors="replace")):
        sys.stderr.write(p.stdout.decode(errors="replace"))
        sys.exit(f"bench.py: benchmark command did not print /{expect}/ (a no-op run is not counted): {command}")
    return elapsed


def cmd_time(args):
    cmds = []
    for item in args.items:
        kind, value = item
        if kind == "cmd":
            cmds.append({"key": value[0], "command": value[1], "prepare": None, "expect": None})
        elif not cmds:
            sys.exit(f"bench.py: --{kind} must follow a --cmd")
        else:
            cmds[-1][kind] = value
    times = {c["key"]: [] for c in cmds}
    for r in range(args.warmup + args.runs):
        for c in cmds:
            if c["prepare"]:
                run_checked(c["prepare"], what="prepare")
            t = timed(c["command"], c["expect"])
            if r >= args.warmup:
                times[c["key"]].append(t)
    results = load(args.results)
    load1 = os.getloadavg()[0]
    for c in cmds:
        ts = times[c["key"]]
        results[c["key"]] = {"command": c["command"], "times": ts, "median": statistics.median(ts),
                             "min": min(ts), "max": max(ts), "load1_after": load1}
        print(f"  {c['key']:<28} median {fmt_time(statistics.median(ts)):>9}  "
              f"min {fmt_time(min(ts)):>9}  max {fmt_time(max(ts)):>9}  ({len(ts)} runs)   {c['command']}")
    save(args.results, results)


def cmd_rss(args):
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        p = subprocess.run(["/usr/bin/time", "-f", "%M %e", "-o", out.name] + args.command,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode(errors="replace"))
            sys.exit(f"bench.py: {' '.join(args.command)} failed (exit {p.returncode})")
        kib, seconds = out.read().split()[-2:]
    results = load(args.results)
    results[args.key] = {"command": " ".join(args.command), "rss_kib": int(kib), "seconds": float(seconds)}
    save(args.results, results)
    print(f"  {args.key:<28} peak RSS {int(kib) / 1024:8.1f} MiB  ({seconds} s)   {' '.join(args.command)}")


def cmd_set(args):
    results = load(args.results)
    try:
        value = json.loads(args.value)
    except json.JSONDecodeError:
        value = args.value
    results[args.key] = value
    save(args.results, results)


def fmt_time(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def cmd_report(args):
    R = load(args.results)
    big, small = args.size, args.small
    rows = []  # (id, what, hangar, baseline, ratio, goal, verdict)

    def med(key):
        return R[key]["median"] if key in R else None

    def ratio_row(ident, what, h_key, b_key, goal, note=""):
        h, b = med(h_key), med(b_key)
        if h is None or b is None:
            return
        r = h / b
        verdict = "ok" if r <= goal else "MISSED"
        rows.append((ident, what, fmt_time(h), fmt_time(b), f"{r:.2f}×", f"≤ {goal:.2f}×", verdict + note))

    # a. hashing
    size_file = R.get("file_bytes")
    if med("hash.hangar") and med("hash.openssl") and size_file:
        h = size_file / med("hash.hangar") / 2**20
        o = size_file / med("hash.openssl") / 2**20
        r = h / o
        rows.append(("a", f"SHA-256 of a {big} file, page cache warm (MiB/s)", f"{h:.0f} MiB/s", f"{o:.0f} MiB/s",
                     f"{r:.2f}×", "≥ 0.90×", "ok" if r >= 0.9 else "MISSED"))
    # b. archive + hash (+ store)
    tree = R.get("tree_bytes")
    for comp, goal, base in (("none", 1.2, "bsdtar | openssl"), ("zstd", 1.1, "bsdtar | zstd -3 -T1 | openssl")):
        ratio_row(f"b.{comp}", f"archive+hash {big} tree, {comp}: hangar archive vs {base}",
                  f"archive.{comp}", f"baseline.{comp}", goal)
        ratio_row(f"b.{comp}", f"archive+hash+store, {comp}: hangar cut (fresh store, fsynced) vs {base}",
                  f"cut.{comp}", f"baseline.{comp}", goal)
        if med(f"cut.{comp}") and med(f"baseline.{comp}.stored"):
            h, b = med(f"cut.{comp}"), med(f"baseline.{comp}.stored")
            rows.append((f"b.{comp}", f"  (reference) cut vs the same baseline | tee FILE, then fsync FILE",
                         fmt_time(h), fmt_time(b), f"{h / b:.2f}×", "-", "info"))
        if med(f"recut.{comp}") and med(f"baseline.{comp}"):
            h, b = med(f"recut.{comp}"), med(f"baseline.{comp}")
            rows.append((f"b.{comp}", f"  dedup re-cut, {comp} (same tree, new candidate, nothing stored)",
                         fmt_time(h), fmt_time(b), f"{h / b:.2f}×", "-", "info"))
    # c. peak memory
    for what, key in (("hangar archive (zstd)", "rss.archive"), ("hangar cut (zstd, fresh store)", "rss.cut"),
                      ("hangar archive (none)", "rss.archive.none"), ("hangar digest", "rss.digest")):
        s, b = R.get(f"{key}.small"), R.get(f"{key}.big")
        if not s or not b:
            continue
        s_mib, b_mib = s["rss_kib"] / 1024, b["rss_kib"] / 1024
        r = b_mib / s_mib
        flat = r <= 1.25
        rows.append(("c", f"peak RSS of {what}: {small} vs {big} input", f"{s_mib:.1f} MiB", f"{b_mib:.1f} MiB",
                     f"{r:.2f}×", "flat", "ok (flat)" if flat else "MISSED (grew)"))
    # d. promotion
    big_artifact = R.get("file_bytes")
    big_label = f"{big_artifact / 2**30:.2f} GiB" if big_artifact and big_artifact >= 2**30 else f"{(big_artifact or 0) / 2**20:.0f} MiB"
    for env in ("sandbox", "staging"):
        ratio_row("d", f"promote into {env}: candidate with a {big_label} artifact vs a 1 KiB one (per move)",
                  f"promote.{env}.big", f"promote.{env}.small", 1.2)

    headers = ("", "benchmark", "hangar / 1st", "baseline / 2nd", "ratio", "goal", "verdict")
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    lines = []
    lines.append("  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)))
    lines.append("  ".join("-" * widths[i] for i in range(len(headers))))
    for r in rows:
        lines.append("  ".join(str(c).ljust(widths[i]) for i, c in enumerate(r)))
    info = R.get("machine", {})
    header = (f"Hangar benchmarks — {info.get('date', '?')} — commit {info.get('commit', '?')}\n"
              f"machine: {info.get('cores', '?')} cores, {info.get('cpu', '?')}, {info.get('mem', '?')} RAM, "
              f"{info.get('kernel', '?')}, {info.get('fs', '?')}; load average at start {info.get('load_start', '?')}, "
              f"at end {os.getloadavg()[0]:.2f}\n"
              f"data: tree {big} = {tree or '?'} bytes in {R.get('tree_files', '?')} files "
              f"(zstd archive {R.get('tree_zstd_bytes', '?')} bytes); file {big} = {size_file or '?'} bytes\n"
              f"times are medians of {R.get('runs', '?')} round-robin runs after 1 warm-up")
    print(header)
    print()
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(header.replace("\n", "  \n") + "\n\n")
            f.write("| " + " | ".join(headers) + " |\n|" + "|".join("---" for _ in headers) + "|\n")
            for r in rows:
                f.write("| " + " | ".join(str(c) for c in r) + " |\n")


class Append(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        items = getattr(namespace, "items", None) or []
        items.append((self.dest, values))
        namespace.items = items


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("time")
    t.add_argument("--results", required=True)
    t.add_argument("--runs", type=int, required=True)
    t.add_argument("--warmup", type=int, default=1)
    t.add_argument("--cmd", nargs=2, metavar=("KEY", "COMMAND"), action=Append, dest="cmd")
    t.add_argument("--prepare", action=Append, dest="prepare")
    t.add_argument("--expect", action=Append, dest="expect")
    r = sub.add_parser("rss")
    r.add_argument("--results", required=True)
    r.add_argument("--key", required=True)
    r.add_argument("command", nargs=argparse.REMAINDER)
    s = sub.add_parser("set")
    s.add_argument("--results", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--value", required=True)
    rep = sub.add_parser("report")
    rep.add_argument("--results", required=True)
    rep.add_argument("--size", required=True)
    rep.add_argument("--small", required=True)
    rep.add_argument("--markdown")
    args = p.parse_args()
    if args.mode == "time":
        if not getattr(args, "items", None):
            sys.exit("bench.py time: give at least one --cmd KEY COMMAND")
        cmd_time(args)
    elif args.mode == "rss":
        if args.command and args.command[0] == "--":
            args.command = args.command[1:]
        cmd_rss(args)
    elif args.mode == "set":
        cmd_set(args)
    else:
        cmd_report(args)


if __name__ == "__main__":
    main()
