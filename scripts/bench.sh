#!/usr/bin/env bash
# scripts/bench.sh [N...]: end-to-end speed of `maskera run` against `pdftotext` alone, in
# one run, on N synthetic born-digital report PDFs (default 2000; give several sizes, e.g.
# `scripts/bench.sh 500 2000`, to see that memory does not grow with the batch).
# Prints times (the median of ROUNDS rounds, default 3, with the range), ratios, pages per
# second and peak memory (GNU time's maximum resident set). On a shared or virtual machine
# single runs vary by 20 % or more; the rounds interleave the four measurements so that a
# slow spell hurts them alike.
# Needs: poppler-utils (pdftotext), GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${*:-2000}
rounds=${ROUNDS:-3}
# Extra arguments for every maskera run, e.g. BENCH_ARGS=--no-masked-copy for the text path.
read -r -a extra <<< "${BENCH_ARGS:-}"
root=${BENCH_DIR:-target/bench}
mkdir -p "$root"
cargo build --release -q
bin=target/release/maskera
cores=$(nproc)
[ -x /usr/bin/time ] || { echo "install GNU time: apt-get install time" >&2; exit 2; }

measure() { # measure LABEL CMD... -> seconds and peak KiB into the globals T and RSS
  shift
  local log; log=$(mktemp)
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$log" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  end=$(date +%s.%N)
  T=$(python3 -c "print($end - $start)")
  RSS=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$log")
  rm -f "$log"
}

for n in $sizes; do
  in="$root/in-$n"
  if [ ! -f "$in/.complete" ]; then
    rm -rf "$in"
    python3 scripts/make-fixtures.py --bench-corpus "$n" "$in"
    touch "$in/.complete"
  fi
  echo "== $n documents ($cores cores, median of $rounds rounds, the four measurements interleaved)"
  tp=(); t1=(); ta=(); tr=(); r1=0; ra=0
  out1="$root/out1-$n"; outn="$root/outn-$n"
  for ((round = 1; round <= rounds; round++)); do
    measure pdftotext bash -c "for f in '$in'/*.pdf; do pdftotext -q \"\$f\" /dev/null; done"
    tp+=("$T")
    rm -rf "$out1"; sync
    measure maskera1 "$bin" run "$in" --out "$out1" -q -j 1 "${extra[@]}"
    t1+=("$T"); r1=$(( RSS > r1 ? RSS : r1 ))
    rm -rf "$outn"; sync
    measure maskeran "$bin" run "$in" --out "$outn" -q -j "$cores" "${extra[@]}"
    ta+=("$T"); ra=$(( RSS > ra ? RSS : ra ))
    measure rerun "$bin" run "$in" --out "$outn" -q -j "$cores" "${extra[@]}"
    tr+=("$T")
  done
  pages=$(python3 -c "import json,sys; print(sum(json.loads(l).get('pages') or 0 for l in open(sys.argv[1])))" "$outn/manifest.jsonl")
  published=$(grep -c '"unchanged"' "$outn/manifest.jsonl" || true)
  python3 - "$n" "$pages" "$published" "$r1" "$ra" "$cores" "${tp[*]}" "${t1[*]}" "${ta[*]}" "${tr[*]}" <<'PY'
import statistics, sys
n, pages, published = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
r1, ra, cores = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
runs = [list(map(float, a.split())) for a in sys.argv[7:11]]
tp, t1, ta, tr = (statistics.median(r) for r in runs)
spread = lambda r: f"[{min(r):.2f}–{max(r):.2f}]"
print(f"pages: {pages}, published (then unchanged on rerun): {published}/{n}")
print(f"pdftotext alone:        {tp:7.2f} s {spread(runs[0])}  {pages/tp:8.1f} pages/s")
print(f"maskera -j 1:           {t1:7.2f} s {spread(runs[1])}  {pages/t1:8.1f} pages/s  ratio to pdftotext {t1/tp:.2f} (target <= 2)")
print(f"maskera -j {cores}:           {ta:7.2f} s {spread(runs[2])}  {pages/ta:8.1f} pages/s  speed-up over 1 thread {t1/ta:.2f} (target >= 1.8 on 2 cores)")
print(f"rerun, nothing changed: {tr:7.2f} s {spread(runs[3])}  {100*tr/ta:.1f}% of the first run (target <= 5%)")
print(f"peak memory: {r1/1024:.0f} MiB (-j 1), {ra/1024:.0f} MiB (-j {cores}) (target <= 300 MiB)")
PY
done
