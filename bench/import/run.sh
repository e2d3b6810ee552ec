#!/usr/bin/env bash
# Import benchmark: generate 1M contacts, run the C++ pipeline (SQLite driver and raw sqlite3
# store) and the Python reference on the same data, compare E.164 outputs row by row, print
# wall/CPU/RSS and the ratios. Data and databases go to bench/data/ (gitignored).
#   bench/import/run.sh            # 1M rows
#   ROWS=100000 bench/import/run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build-import}
DATA=${DATA:-$ROOT/bench/data}
ROWS=${ROWS:-1000000}
BATCH=${BATCH:-50000}
PY=/usr/bin/python3   # Debian's python with python3-phonenumbers (not the pyenv one on PATH)

if [ ! -f "$BUILD/CMakeCache.txt" ]; then cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo; fi
cmake --build "$BUILD" --target import_bench import_gen -j2
mkdir -p "$DATA"
CSV=$DATA/contacts_$ROWS.csv
DNC=$DATA/dnc_$ROWS.txt
if [ ! -f "$CSV" ] || [ ! -f "$DNC" ]; then
  "$BUILD/bench/import/import_gen" "$CSV" "$DNC" "$ROWS"
fi
echo "data: $(wc -l < "$CSV") lines in $CSV, $(wc -l < "$DNC") DNC numbers"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# Each pipeline deletes its previous database itself too, but deleting a 170 MB file is not part
# of an import (~0.07 s on this machine's ext4 mounted with discard): done here, untimed.
for store in driver raw; do
  rm -f "$DATA/cpp_${store}.db" "$DATA/cpp_${store}.db-wal" "$DATA/cpp_${store}.db-shm"
  /usr/bin/time -v -o "$DATA/cpp_${store}_time.txt" \
    "$BUILD/bench/import/import_bench" --csv "$CSV" --dnc "$DNC" --db "$DATA/cpp_${store}.db" \
    --store "$store" --batch "$BATCH" > "$DATA/cpp_${store}_report.json"
  echo "C++ ($store): $(cat "$DATA/cpp_${store}_report.json")"
done
rm -f "$DATA/py.db" "$DATA/py.db-wal" "$DATA/py.db-shm" "$DATA/py.db-journal"
/usr/bin/time -v -o "$DATA/py_time.txt" \
  "$PY" "$ROOT/bench/import/reference_pipeline.py" "$CSV" "$DNC" "$DATA/py.db" > "$DATA/py_report.json"
echo "Python: $(cat "$DATA/py_report.json")"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"$PY" "$ROOT/bench/import/compare.py" "$DATA" cpp_driver cpp_raw
