#!/usr/bin/env python3
"""The benchmark table: bench/all.sh's rows (JSON lines, bench/lib.sh) as
BUILD/bench/results.json and results.md, printed too.

Each peer row carries `compared_with`, the label of daybook's row in the
same group it is held against; its ratio is peer median / daybook median
(above 1: daybook is faster). The goals of the benchmark issue are checked
against the rows and listed as met or NOT met, with the figures they read.
Usage: table.py ROWS_FILE OUT_DIR
"""
import datetime
import json
import os
import platform
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
out = sys.argv[2]
os.makedirs(out, exist_ok=True)


def find(bench, label, group=None):
    for r in rows:
        if r["bench"] == bench and r["label"] == label and (group is None or r["group"] == group):
            return r
    return None


for r in rows:
    base = r.get("compared_with") and find(r["bench"], r["compared_with"], r["group"])
    if r.get("compared_with") and not base:
        sys.exit(f"table.py: {r['label']!r} ({r['group']}) is held against {r['compared_with']!r}, which no row of its group is")
    if base and "median_s" in r:
        ratio = r["median_s"] / base["median_s"]
        r["ratio_to_daybook"] = round(ratio, 1) if ratio >= 10 else round(ratio, 2) if ratio >= 0.1 else round(ratio, 3)


def mib(kb):
    return kb / 1024


goals = []


def goal(what, value, limit, unit, source):
    if value is None:
        goals.append({"goal": what, "limit": limit, "unit": unit, "value": None, "met": None, "source": "not measured in this run"})
    else:
        value = round(value, 2)  # met or not as shown
        goals.append({"goal": what, "limit": limit, "unit": unit, "value": value, "met": value <= limit, "source": source})


fanout_groups = sorted({r["group"] for r in rows if r["bench"] == "fanout"}, key=lambda g: int(g.split()[0]))
largest = fanout_groups[-1] if fanout_groups else None
thousand = "1000 hosts" if "1000 hosts" in fanout_groups else None
for label in ("daybook ping", "daybook push, nothing to change"):
    r = thousand and find("fanout", label, thousand)
    goal(f"controller peak memory, {label}, 1,000 hosts", r and mib(r["peak_rss_kb"]), 64, "MiB", f"fanout, {thousand}")
for label, limit in (("agent RSS idle (median)", 8), ("agent RSS after a push (median)", 12)):
    r = largest and find("fanout", label, largest)
    goal(label, r and mib(r["value"]), limit, "MiB", f"fanout, {largest}")
one_host = next((r["group"] for r in rows if r["bench"] == "deploy" and r["group"].startswith("first deploy") and r["group"].endswith(", 1 host")), None)
push, clone = one_host and find("deploy", "daybook push", one_host), one_host and find("deploy", "git clone --no-local", one_host)
goal("first deploy ÷ git clone, 1 host", push and clone and push["median_s"] / clone["median_s"], 1.5, "×", one_host)
dry = next((r for r in rows if r["bench"] == "patch" and r["label"] == "unattended-upgrade --dry-run -d"), None)
plan = dry and find("patch", "daybook plan", dry["group"])
goal("security plan ÷ unattended-upgrade --dry-run", plan and plan["median_s"] / dry["median_s"], 1.2, "×", dry and dry["group"])

doc = {"generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
       "machine": {"cpus": os.cpu_count(), "kernel": platform.release()}, "rows": rows, "goals": goals}
json.dump(doc, open(os.path.join(out, "results.json"), "w"), indent=1)


def cell_rss(r):
    return f"{mib(r['peak_rss_kb']):.1f} MiB" if r.get("peak_rss_kb") else "-"


def cell_cpu(r):
    if "cpu_s" not in r:
        return "-"
    if r.get("hosts"):
        return f"{r['cpu_s']:.2f} s ({1000 * r['cpu_s'] / r['hosts']:.1f} ms/host)"
    return f"{r['cpu_s']:.2f} s"


lines = [f"Generated {doc['generated_at']} on {doc['machine']['cpus']} CPUs (kernel {doc['machine']['kernel']}). "
         "Medians of each row's runs, spread min–max. Largest process: the peak RSS of the largest single process the measured "
         "command ran (the controller, for daybook's rows; one ssh or one Ansible fork for a peer's, not their sum). CPU: user + system "
         "seconds of the command and all its children, per run, and per host where the row names a fleet. "
         "× daybook: the row's median over the median of the daybook row named in brackets (above 1: daybook is faster). "
         "Rows timed by hand (steps that are not one command) have no RSS or CPU. Rows with a figure and no spread are "
         "readings (memory, sizes), not timings.", "",
         "| benchmark | group | what | median | spread | largest process | CPU | × daybook |", "|---|---|---|---|---|---|---|---|"]
for r in rows:
    if "median_s" in r:
        ratio = f"{r['ratio_to_daybook']}× ({r['compared_with']})" if "ratio_to_daybook" in r else ""
        lines.append(f"| {r['bench']} | {r['group']} | {r['label']} | {r['median_s']:.3f} s | "
                     f"{r['min_s']:.3f}–{r['max_s']:.3f} s ({r['runs']} run{'s' if r['runs'] != 1 else ''}) | {cell_rss(r)} | {cell_cpu(r)} | {ratio} |")
    else:
        value = f"{mib(r['value']):.1f} MiB" if r["unit"] == "KiB" else f"{r['value']:g} {r['unit']}"
        lines.append(f"| {r['bench']} | {r['group']} | {r['label']} | {value} | | | | |")
lines += ["", "Goals: ratios here are daybook ÷ peer (at most the limit).", "",
          "| goal | limit | measured | met | from |", "|---|---|---|---|---|"]
for g in goals:
    measured = "not measured" if g["value"] is None else f"{g['value']} {g['unit']}"
    met = "not measured" if g["met"] is None else "yes" if g["met"] else "**NOT met**"
    lines.append(f"| {g['goal']} | ≤ {g['limit']} {g['unit']} | {measured} | {met} | {g['source']} |")
open(os.path.join(out, "results.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
