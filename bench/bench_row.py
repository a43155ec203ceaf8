"""One row of the benchmark table, appended to $BENCH_ROWS as a JSON line
(bench/lib.sh `measure` and `timed`; bench/table.py reads them).

A row: {bench, group, label, runs, median_s, min_s, max_s, peak_rss_kb,
and when given: cpu_s, hosts ($BENCH_HOSTS), compared_with ($BENCH_BASE,
on a peer's row: the label of the daybook row it is held against)}.
Times are wall seconds of runs the caller checked.
"""
import json
import os
import statistics


def record(rows, bench, group, label, times, peak_rss_kb=0, cpu_s=None):
    """Appends the row to the file `rows` (when set); returns the median."""
    median = statistics.median(times)
    row = {"bench": bench, "group": group, "label": label, "runs": len(times), "median_s": round(median, 4),
           "min_s": round(min(times), 4), "max_s": round(max(times), 4), "peak_rss_kb": peak_rss_kb}
    if cpu_s is not None:
        row["cpu_s"] = round(cpu_s, 4)
        if os.environ.get("BENCH_HOSTS"):
            row["hosts"] = int(os.environ["BENCH_HOSTS"])
    if os.environ.get("BENCH_BASE") and not label.startswith("daybook"):
        row["compared_with"] = os.environ["BENCH_BASE"]
    if rows:
        with open(rows, "a") as out:
            out.write(json.dumps(row) + "\n")
    return median
