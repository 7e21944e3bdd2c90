#!/usr/bin/env python3
"""Writes bench/run.sh's figures into BENCHMARKS.md between the bench/run.sh markers.

usage: report.py RESULTS.jsonl BENCHMARKS.md COMMAND LOAD_BEFORE LOAD_AFTER

Every results-*.jsonl next to RESULTS is read; for each database and size the latest run is kept
(all endpoints of one database and size come from one server run, /healthz included), so that
running the sizes one at a time still fills the whole table.
"""
import glob
import json
import os
import platform
import sys
from datetime import datetime, timezone

START = "<!-- bench/run.sh:start -->"
END = "<!-- bench/run.sh:end -->"


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), {mem}, {platform.system()} {platform.release()}"


def main():
    results, bench_md, command, load_before, load_after = sys.argv[1:6]
    groups = {}
    seeds = {}
    for path in sorted(glob.glob(os.path.join(os.path.dirname(results), "results-*.jsonl"))):
        stamp = os.path.basename(path)[len("results-"):-len(".jsonl")]
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                key = (r["db"], r["size"])
                if r["endpoint"] == "seed":
                    seeds[key] = r["seconds"]
                    continue
                g = groups.setdefault(key, {}).setdefault(stamp, {"rows": {}, "order": []})
                if r["endpoint"] not in g["rows"]:
                    g["order"].append(r["endpoint"])
                g["rows"][r["endpoint"]] = r
    runs = {}
    for key, by_stamp in groups.items():
        complete = [st for st, g in by_stamp.items() if "healthz" in g["rows"]]
        if complete:
            st = max(complete)
            runs[key] = dict(by_stamp[st], stamp=st)
            if key in seeds:
                runs[key]["seed"] = seeds[key]
    out = [START, "", "## Read path at scale (issue 13): `bench/run.sh`", ""]
    out.append(f"Last written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `{command}`.")
    out.append(f"Machine: {machine()}; load average (1, 5, 15 min) before {load_before}, after "
               f"{load_after} (the machine is shared with other builds).")
    out.append("")
    for db in ("sqlite", "postgres"):
        sizes = sorted(s for (d, s) in runs if d == db)
        if not sizes:
            continue
        out.append(f"### {'SQLite' if db == 'sqlite' else 'PostgreSQL'}")
        out.append("")
        order = []
        for s in sizes:
            for e in runs[(db, s)]["order"]:
                if e not in order:
                    order.append(e)
        head = "| endpoint |"
        rule = "|---|"
        for s in sizes:
            head += f" {s:,} req/s | % healthz | p50 ms | p99 ms |"
            rule += "---:|---:|---:|---:|"
        if len(sizes) > 1:
            head += f" p99 {sizes[-1]:,} ÷ {sizes[0]:,} |"
            rule += "---:|"
        out += [head, rule]
        for e in order:
            if e == "peak memory":
                continue
            line = f"| {e} |"
            for s in sizes:
                run = runs[(db, s)]
                r = run["rows"].get(e)
                h = run["rows"].get("healthz")
                if r is None:
                    line += " – | – | – | – |"
                    continue
                if "rows_per_s" in r:  # a streamed export: one download, timed whole
                    line += f" {r['rows_per_s']:,} rows/s | {r['rows']:,} rows in {r['seconds']} s | | |"
                    continue
                pct = f"{100 * r['rps'] / h['rps']:.1f} %" if h and h["rps"] else "–"
                bad = ""
                if r.get("errors"):
                    bad = f" ({r['errors']} failed)"
                if not (200 <= r.get("status", 200) < 400):
                    bad += f" (HTTP {r['status']})"
                line += f" {r['rps']:,.0f}{bad} | {pct} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} |"
            if len(sizes) > 1:
                a = runs[(db, sizes[0])]["rows"].get(e)
                b = runs[(db, sizes[-1])]["rows"].get(e)
                line += (f" {b['p99_ms'] / a['p99_ms']:.2f} |"
                         if a and b and a.get("p99_ms") else " – |")
            out.append(line)
        mem = "| server peak memory (VmHWM) |"
        seed = "| seeding time (`mediation seed`) |"
        for s in sizes:
            run = runs[(db, s)]
            m = run["rows"].get("peak memory")
            mem += f" {m['vmhwm_kb'] / 1024:.0f} MB | | | |" if m else " – | | | |"
            seed += f" {run['seed']} s | | | |" if "seed" in run else " (reused) | | | |"
        if len(sizes) > 1:
            mem += " |"
            seed += " |"
        out += [mem, seed, ""]
        runs_at = ", ".join(f"{s:,}: {runs[(db, s)]['stamp']}" for s in sizes)
        out += [f"Runs: {runs_at}.", ""]
    out.append(END)
    block = "\n".join(out) + "\n"
    text = open(bench_md).read() if os.path.exists(bench_md) else "# Benchmarks\n"
    if START in text and END in text:
        before = text[: text.index(START)]
        after = text[text.index(END) + len(END):].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    with open(bench_md, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
