#!/usr/bin/env bash
# bench-ocr.sh [PDF|DIR]...: OCR the same page images with the `tesseract` command alone and
# with maskera, in one run, and print maskera's total time per page ÷ Tesseract's.
#
# The page images are the scans' embedded JPEGs (what maskera passes to Tesseract as they are),
# taken out with `pdfimages -j`. Tesseract alone runs exactly as maskera calls it
# (`tesseract IMG stdout -l swe --psm 3`, OMP_THREAD_LIMIT=1; LANGS to change), JOBS pages at a time; maskera
# runs the whole pipeline (extraction, OCR, normalisation, detection, rendering of all five
# files, verification) with `-j JOBS`. The two alternate for ROUNDS rounds so that load from
# other work on the machine falls on both alike.
#
# Environment: MASKERA (default target/release/maskera), JOBS (default: number of cores),
# ROUNDS (default 2), DOCS (how many PDFs when given a folder; default 10).
# Default input: the development corpus's image-only scans.
set -euo pipefail
maskera=${MASKERA:-target/release/maskera}
jobs=${JOBS:-$(nproc)}
rounds=${ROUNDS:-2}
docs=${DOCS:-10}
langs=${LANGS:-swe}  # as maskera's default ocr.language
[ $# -gt 0 ] || set -- "$(cd "$(dirname "$0")/.." && pwd)/../shared/corpus/inputs/image"
for tool in tesseract pdfimages "$maskera"; do
  command -v "$tool" >/dev/null || { echo "bench-ocr: $tool not found" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in" "$work/img"
n=0
for arg in "$@"; do
  if [ -d "$arg" ]; then
    find "$arg" -maxdepth 1 -name '*.pdf' | sort | head -n "$docs"
  else
    echo "$arg"
  fi
done | while read -r pdf; do
  n=$((n + 1))
  cp "$pdf" "$work/in/doc$n.pdf"
  pdfimages -j "$pdf" "$work/img/doc$n"
done
if ls "$work/img" | grep -qv '\.jpg$'; then
  echo "bench-ocr: some page images are not JPEG; give scans whose pages are one JPEG each" >&2
  exit 2
fi
pages=$(ls "$work/img" | wc -l)
[ "$pages" -gt 0 ] || { echo "bench-ocr: no page images found" >&2; exit 2; }

now() { date +%s%N; }
t_tess=0; t_mask=0
for r in $(seq "$rounds"); do
  s=$(now)
  find "$work/img" -name '*.jpg' -print0 | sort -z |
    xargs -0 -P "$jobs" -I{} env OMP_THREAD_LIMIT=1 tesseract {} stdout -l "$langs" --psm 3 >/dev/null 2>&1
  t_tess=$((t_tess + $(now) - s))
  rm -rf "$work/out"
  s=$(now)
  "$maskera" run "$work/in" --out "$work/out" -j "$jobs" --quiet || { echo "bench-ocr: maskera failed (see $work/out/manifest.jsonl)" >&2; exit 1; }
  t_mask=$((t_mask + $(now) - s))
done
ocr_pages=$(python3 -c "import json,sys; print(sum(len(json.loads(l).get('ocr_pages',[])) for l in open(sys.argv[1])))" "$work/out/manifest.jsonl")
python3 - "$pages" "$ocr_pages" "$rounds" "$jobs" "$t_tess" "$t_mask" <<'PY'
import sys
pages, ocr_pages, rounds, jobs = map(int, sys.argv[1:5])
tess, mask = int(sys.argv[5]) / 1e9, int(sys.argv[6]) / 1e9
per_t, per_m = tess / (pages * rounds), mask / (pages * rounds)
print(f"pages: {pages} (maskera OCR'd {ocr_pages}), rounds: {rounds}, parallel jobs: {jobs}")
print(f"tesseract alone: {tess:.1f} s total, {per_t:.3f} s/page")
print(f"maskera:         {mask:.1f} s total, {per_m:.3f} s/page")
print(f"ratio maskera/tesseract: {per_m / per_t:.3f} (target <= 1.15)")
PY
