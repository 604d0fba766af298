#!/usr/bin/env bash
# bench-ocr.sh [PDF|DIR]...: OCR the same page images with the `tesseract` command alone and
# with maskera, in one run, and print maskera's total time per page ÷ Tesseract's.
# bench-ocr.sh --variants [OCR_DIR IMAGE_DIR]: run maskera over the same scans twice — once
# with their English OCR text layer (re-OCR'd by default where the layer is damaged), once as
# bare images — and print the time of the first ÷ the second (target <= 1.15).
#
# The page images are the scans' embedded JPEGs (what maskera passes to Tesseract as they are),
# taken out with `pdfimages -j`. Tesseract alone runs exactly as maskera calls it
# (`tesseract IMG stdout -l swe --psm 3 tsv`, OMP_THREAD_LIMIT=1; LANGS to change), JOBS pages
# at a time; maskera runs the whole pipeline (extraction, OCR, normalisation, detection,
# rendering of all five files, verification) with `-j JOBS`. The two sides alternate for
# ROUNDS rounds so that load from other work on the machine falls on both alike.
#
# Environment: MASKERA (default target/release/maskera), JOBS (default: number of cores),
# ROUNDS (default 2), DOCS (how many PDFs when given a folder; default 10; with --variants,
# the first DOCS file names found in both folders).
# Default input: the development corpus's image-only scans (and, with --variants, its
# English-OCR'd copies of the same scans).
set -euo pipefail
maskera=${MASKERA:-target/release/maskera}
jobs=${JOBS:-$(nproc)}
rounds=${ROUNDS:-2}
docs=${DOCS:-10}
langs=${LANGS:-swe}  # as maskera's default ocr.language
corpus="$(cd "$(dirname "$0")/.." && pwd)/../shared/corpus/inputs"
now() { date +%s%N; }

if [ "${1:-}" = "--variants" ]; then
  ocr_dir=${2:-$corpus/ocr}; image_dir=${3:-$corpus/image}
  command -v "$maskera" >/dev/null || { echo "bench-ocr: $maskera not found" >&2; exit 2; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/ocr" "$work/image"
  find "$ocr_dir" -maxdepth 1 -name '*.pdf' -printf '%f\n' | sort | while read -r f; do
    [ -f "$image_dir/$f" ] && echo "$f"
  done | head -n "$docs" | while read -r f; do
    cp "$ocr_dir/$f" "$work/ocr/$f"; cp "$image_dir/$f" "$work/image/$f"
  done
  n=$(ls "$work/ocr" | wc -l)
  [ "$n" -gt 0 ] || { echo "bench-ocr: no PDF found in both folders" >&2; exit 2; }
  t_ocr=0; t_img=0
  for r in $(seq "$rounds"); do
    for v in ocr image; do
      rm -rf "$work/out-$v"
      s=$(now)
      "$maskera" run "$work/$v" --out "$work/out-$v" -j "$jobs" --quiet ||
        { echo "bench-ocr: maskera failed on the $v variant" >&2; exit 1; }
      d=$(( $(now) - s ))
      if [ "$v" = ocr ]; then t_ocr=$((t_ocr + d)); else t_img=$((t_img + d)); fi
    done
  done
  count() { python3 -c "import json,sys; print(sum(len(json.loads(l).get(sys.argv[2],[])) for l in open(sys.argv[1])))" "$1" "$2"; }
  python3 - "$n" "$rounds" "$jobs" "$t_ocr" "$t_img" \
    "$(count "$work/out-ocr/manifest.jsonl" reocr_pages)" "$(count "$work/out-image/manifest.jsonl" ocr_pages)" <<'PY'
import sys
n, rounds, jobs = map(int, sys.argv[1:4])
ocr, img = int(sys.argv[4]) / 1e9, int(sys.argv[5]) / 1e9
print(f"documents: {n}, rounds: {rounds}, parallel jobs: {jobs}")
print(f"ocr variant:   {ocr:.1f} s total ({sys.argv[6]} pages re-OCR'd per round)")
print(f"image variant: {img:.1f} s total ({sys.argv[7]} pages OCR'd per round)")
print(f"ratio ocr/image: {ocr / img:.3f} (target <= 1.15)")
PY
  exit 0
fi

[ $# -gt 0 ] || set -- "$corpus/image"
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

t_tess=0; t_mask=0
for r in $(seq "$rounds"); do
  s=$(now)
  find "$work/img" -name '*.jpg' -print0 | sort -z |
    xargs -0 -P "$jobs" -I{} env OMP_THREAD_LIMIT=1 tesseract {} stdout -l "$langs" --psm 3 tsv >/dev/null 2>&1
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
