#!/usr/bin/python3
"""Reference Python import pipeline for the benchmark (run with Debian's /usr/bin/python3, which
has python3-phonenumbers). Same work as the C++ pipeline: stdlib csv, phonenumbers.parse +
is_valid_number + format_number(E164), US-only region check, in-file dedupe with a set, national
DNC flag from a Python set, sqlite3 executemany in batches of 1,000 into a file with the same
unique (list_id, phone_e164) constraint.

usage: reference_pipeline.py data.csv dnc.txt out.db
Prints one JSON line with counts and timings.
"""
import csv
import json
import os
import sqlite3
import sys
import time

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

US_REGIONS = {"US", "PR", "VI", "GU", "MP", "AS"}
BATCH = 1000


def main():
    csv_path, dnc_path, db_path = sys.argv[1:4]
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db_path + suffix):
            os.remove(db_path + suffix)
    t0 = time.time()
    with open(dnc_path) as f:
        dnc = {int(line) for line in f if line.strip()}
    t_dnc = time.time() - t0

    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL,"
        " list_id INTEGER NOT NULL, phone_e164 TEXT NOT NULL, first_name TEXT, last_name TEXT,"
        " email TEXT, timezone TEXT, state TEXT, tags TEXT, custom_fields TEXT, line_type TEXT,"
        " national_dnc INTEGER, created_at INTEGER, UNIQUE (list_id, phone_e164))")
    sql = ("INSERT OR IGNORE INTO contacts (tenant_id, list_id, phone_e164, first_name, last_name,"
           " email, timezone, state, tags, custom_fields, line_type, national_dnc, created_at)"
           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")

    rows = accepted = rejected = duplicates = flagged = 0
    seen = set()
    batch = []
    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        for row in reader:
            rows += 1
            raw = (row.get("phone") or "").strip()
            try:
                num = phonenumbers.parse(raw, "US")
            except NumberParseException:
                rejected += 1
                continue
            if not phonenumbers.is_valid_number(num):
                rejected += 1
                continue
            if phonenumbers.region_code_for_number(num) not in US_REGIONS:
                rejected += 1
                continue
            e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
            if e164 in seen:
                duplicates += 1
                rejected += 1
                continue
            seen.add(e164)
            is_dnc = num.country_code == 1 and num.national_number in dnc
            flagged += is_dnc
            accepted += 1
            tags = [t.strip() for t in (row.get("tags") or "").replace("|", ";").split(";") if t.strip()]
            custom = {"external_id": row["external_id"], "company": row["company"]}
            batch.append((1, 1, e164, row["first_name"], row["last_name"], row["email"],
                          row["timezone"], row["state"], json.dumps(tags), json.dumps(custom),
                          "unknown", int(is_dnc), 0))
            if len(batch) >= BATCH:
                conn.executemany(sql, batch)
                batch.clear()
    if batch:
        conn.executemany(sql, batch)
    conn.commit()
    conn.close()
    total = time.time() - t0
    print(json.dumps({"rows": rows, "accepted": accepted, "rejected": rejected,
                      "duplicates": duplicates, "dnc_flagged": flagged, "dnc_load_s": round(t_dnc, 3),
                      "total_s": round(total, 3), "rows_per_s": round(rows / total)}))


if __name__ == "__main__":
    main()
