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
import resource
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
    """Wall-clock seconds and CPU seconds (user + system, the command and its children)."""
    argv = argv_for(command)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        sys.exit(f"bench.py: benchmark command failed (exit {p.returncode}): {command}")
    if expect and not re.search(expect, p.stdout.decode(errors="replace")):
        sys.stderr.write(p.stdout.decode(errors="replace"))
        sys.exit(f"bench.py: benchmark command did not print /{expect}/ (a no-op run is not counted): {command}")
    return elapsed, cpu


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
    cpus = {c["key"]: [] for c in cmds}
    load_before = os.getloadavg()[0]
    for r in range(args.warmup + args.runs):
        for c in cmds:
            if c["prepare"]:
                run_checked(c["prepare"], what="prepare")
            t, cpu = timed(c["command"], c["expect"])
            if r >= args.warmup:
                times[c["key"]].append(t)
                cpus[c["key"]].append(cpu)
    results = load(args.results)
    loads = [load_before, os.getloadavg()[0]]
    for c in cmds:
        ts = times[c["key"]]
        results[c["key"]] = {"command": c["command"], "times": ts, "median": statistics.median(ts),
                             "min": min(ts), "max": max(ts), "cpu": cpus[c["key"]],
                             "cpu_median": statistics.median(cpus[c["key"]]), "load1": loads}
        print(f"  {c['key']:<24} median {fmt_time(statistics.median(ts)):>9}  "
              f"min {fmt_time(min(ts)):>9}  max {fmt_time(max(ts)):>9}  "
              f"cpu {fmt_time(statistics.median(cpus[c['key']])):>9}  ({len(ts)} runs)   {c['command']}")
    save(args.results, results)


def cmd_rss(args):
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        p = subprocess.run(["/usr/bin/time", "-f", "%M %e", "-o", out.name] + args.command,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode(errors="replace"))
            sys.exit(f"bench.py: {' '.join(args.command)} failed (exit {p.returncode})")
        kib, seconds = out.read().split()[-2:]
    results = load(args.results)
    results[args.key] = {"command": " ".join(args.command), "rss_kib": int(kib), "seconds": float(seconds)}
    try:  # a --json command's output is kept (e.g. the archive's size)
        results[args.key]["output"] = json.loads(p.stdout)
    except ValueError:
        pass
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


def table(headers, rows):
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    text = ["  ".join(str(h).ljust(widths[i]) for i, h in enumerate(headers)).rstrip(),
            "  ".join("-" * w for w in widths)]
    text += ["  ".join(str(c).ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    md = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    md += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(text), "\n".join(md)


def mib(n):
    return f"{n / 2**20:.1f} MiB"


def cmd_report(args):
    R = load(args.results)
    big, small = args.size, args.small

    def med(key):
        return R[key]["median"] if key in R else None

    def cpu(key):
        return fmt_time(R[key]["cpu_median"]) if key in R else "-"

    # ---- time: a, b, d
    rows = []

    def ratio_row(ident, what, h_key, b_key, goal):
        h, b = med(h_key), med(b_key)
        if h is None or b is None:
            return
        r = h / b
        verdict = "-" if goal is None else ("ok" if r <= goal else "MISSED")
        rows.append((ident, what, fmt_time(h), fmt_time(b), f"{r:.2f}×", "-" if goal is None else f"≤ {goal:.2f}×",
                     verdict, f"{cpu(h_key)} / {cpu(b_key)}"))

    size_file = R.get("file_bytes")
    if med("hash.hangar") and med("hash.openssl") and size_file:
        h = size_file / med("hash.hangar") / 2**20
        o = size_file / med("hash.openssl") / 2**20
        r = h / o
        rows.append(("a", f"SHA-256 of a {big} file (page cache warm): hangar digest vs openssl dgst -sha256",
                     f"{h:.0f} MiB/s", f"{o:.0f} MiB/s", f"{r:.2f}×", "≥ 0.90×", "ok" if r >= 0.9 else "MISSED",
                     f"{cpu('hash.hangar')} / {cpu('hash.openssl')}"))
    for comp, goal, base in (("none", 1.2, "bsdtar | openssl"), ("zstd", 1.1, "bsdtar | zstd -3 -T1 | openssl")):
        ratio_row("b", f"{comp}: hangar archive (archive+hash) vs {base}", f"archive.{comp}", f"baseline.{comp}", goal)
        ratio_row("b", f"{comp}: hangar cut, fresh store (archive+hash+store, fsync) vs {base}",
                  f"cut.{comp}", f"baseline.{comp}", goal)
        ratio_row("b", f"{comp}: (reference) hangar cut vs {base.replace('| openssl', '| tee FILE | openssl')}; sync FILE",
                  f"cut.{comp}", f"baseline.{comp}.stored", None)
        ratio_row("b", f"{comp}: dedup re-cut (tree already stored, new candidate) vs {base}",
                  f"recut.{comp}", f"baseline.{comp}", None)
    big_artifact = R.get("file_bytes") or 0
    label = f"{big_artifact / 2**30:.2f} GiB" if big_artifact >= 2**30 else f"{big_artifact / 2**20:.0f} MiB"
    for env in ("sandbox", "staging"):
        ratio_row("d", f"promote into {env}, per real pointer move: {label} artifact vs 1 KiB artifact",
                  f"promote.{env}.big", f"promote.{env}.small", 1.2)
    time_text, time_md = table(("", "benchmark", "hangar", "baseline", "ratio", "goal", "verdict", "CPU hangar / baseline"), rows)

    # ---- memory: c
    mrows = []
    entries = {"small": R.get("tree_entries.small"), "big": R.get("tree_entries.big")}
    for what, key, per_entry in (("hangar digest FILE", "rss.digest", False),
                                 ("hangar archive FILE (one file, zstd)", "rss.archive.file", False),
                                 ("hangar archive TREE --compression none", "rss.archive.none", True),
                                 ("hangar archive TREE (zstd)", "rss.archive", False),
                                 ("hangar cut TREE (zstd, fresh store)", "rss.cut", False)):
        a, b = R.get(f"{key}.small"), R.get(f"{key}.big")
        if not a or not b:
            continue
        ka, kb = a["rss_kib"] * 1024, b["rss_kib"] * 1024
        growth = kb - ka
        flat = kb <= ka * 1.10
        note = ""
        if per_entry and entries["small"] and entries["big"] and growth > 0:
            note = f" (+{growth / (entries['big'] - entries['small']):.0f} B per tree entry: {entries['small']} → {entries['big']} entries)"
        mrows.append(("c", what, mib(ka), mib(kb), ("+" if growth >= 0 else "-") + mib(abs(growth)),
                      "flat" if flat else "grew" + note))
    mem_text, mem_md = table(("", "peak RSS (GNU time)", f"{small} input", f"{big} input", "growth", "verdict"), mrows)

    info = R.get("machine", {})
    loads = [l for v in R.values() if isinstance(v, dict) and "load1" in v for l in v["load1"]]
    header = (f"Hangar benchmarks — {info.get('date', '?')} — commit {info.get('commit', '?')}\n"
              f"machine: {info.get('cores', '?')} cores ({info.get('cpu', '?')}), {info.get('mem', '?')} RAM, "
              f"{info.get('kernel', '?')}, {info.get('fs', '?')}\n"
              f"load average (1 min) at start {info.get('load_start', '?')}; during runs "
              f"{min(loads, default=0):.2f}–{max(loads, default=0):.2f}\n"
              f"data: {big} tree = {R.get('tree_bytes', '?')} bytes in {R.get('tree_files', '?')} files, "
              f"{R.get('tree_entries.big', '?')} entries (zstd archive {R.get('rss.archive.big', {}).get('output', {}).get('size', '?')} bytes); "
              f"{big} file = {size_file or '?'} bytes\n"
              f"times: medians of {R.get('runs', '?')} runs after 1 warm-up (a: {(R.get('runs') or 0) + 2}; reference lines: 3; "
              f"d: {R.get('promote_runs', '?')}), commands of a comparison run round-robin; "
              f"CPU = user+sys of the command and its children")
    print(header + "\n\n" + time_text + "\n\n" + mem_text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(header.replace("\n", "  \n") + "\n\n" + time_md + "\n\n" + mem_md + "\n")


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
