#!/usr/bin/python3
"""Compares the C++ and Python import runs of bench/import/run.sh.

usage: compare.py DATA_DIR cpp_label [cpp_label ...]
Reads DATA_DIR/{py,<label>}_time.txt (/usr/bin/time -v), *_report.json and *.db; dumps
external_id<TAB>E.164 of every stored row to DATA_DIR/<name>_e164.tsv; checks that every row both
pipelines accepted has the identical E.164; prints a Markdown summary.
"""
import json
import sqlite3
import sys


def read_time(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            t = line.rsplit(" ", 1)[1]
            parts = [float(p) for p in t.split(":")]
            secs = 0.0
            for p in parts:
                secs = secs * 60 + p
            out["wall"] = secs
        elif line.startswith("User time (seconds)"):
            out["user"] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("System time (seconds)"):
            out["sys"] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("Maximum resident set size"):
            out["rss_mb"] = int(line.rsplit(" ", 1)[1]) / 1024.0
    out["cpu"] = out.get("user", 0) + out.get("sys", 0)
    return out


def dump(db_path, tsv_path):
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        "SELECT json_extract(custom_fields, '$.external_id'), phone_e164 FROM contacts").fetchall()
    conn.close()
    result = {}
    with open(tsv_path, "w") as f:
        for ext, e164 in sorted(rows, key=lambda r: int(r[0])):
            f.write(f"{ext}\t{e164}\n")
            result[ext] = e164
    return result


def main():
    data = sys.argv[1]
    labels = sys.argv[2:]
    py_time = read_time(f"{data}/py_time.txt")
    py_report = json.loads(open(f"{data}/py_report.json").read())
    py_rows = dump(f"{data}/py.db", f"{data}/py_e164.tsv")
    ok = True
    print(f"| pipeline | wall s | CPU s (user+sys) | peak RSS MB | rows | stored | "
          f"wall ratio | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| python reference | {py_time['wall']:.2f} | {py_time['cpu']:.2f} | "
          f"{py_time['rss_mb']:.0f} | {py_report['rows']} | {len(py_rows)} | 1x | 1x |")
    details = []
    for label in labels:
        t = read_time(f"{data}/{label}_time.txt")
        rep = json.loads(open(f"{data}/{label}_report.json").read())
        rows = dump(f"{data}/{label}.db", f"{data}/{label}_e164.tsv")
        both = [k for k in rows if k in py_rows]
        diff = [k for k in both if rows[k] != py_rows[k]]
        only_cpp = sum(1 for k in rows if k not in py_rows)
        only_py = sum(1 for k in py_rows if k not in rows)
        print(f"| C++ ({label}) | {t['wall']:.2f} | {t['cpu']:.2f} | {t['rss_mb']:.0f} | "
              f"{rep['rows']} | {len(rows)} | {py_time['wall'] / t['wall']:.1f}x | "
              f"{py_time['cpu'] / t['cpu']:.1f}x |")
        details.append(f"- C++ ({label}) vs Python: {len(both)} rows stored by both, "
                       f"{len(diff)} with a different E.164; {only_cpp} stored only by C++, "
                       f"{only_py} only by Python (policy differences: C++ also refuses "
                       f"fictional 555-01XX numbers and N11/reserved area codes).")
        for k in diff[:10]:
            details.append(f"  - external_id {k}: C++ {rows[k]} vs Python {py_rows[k]}")
        if diff or rep["rows"] != py_report["rows"]:
            ok = False
        if t["rss_mb"] >= 300:
            details.append(f"  - C++ ({label}) peak RSS {t['rss_mb']:.0f} MB is over the 300 MB budget")
            ok = False
    print()
    print("\n".join(details))
    print()
    print("E.164 check:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
