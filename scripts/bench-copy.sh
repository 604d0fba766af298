#!/usr/bin/env bash
# scripts/bench-copy.sh [DIR...]: the speed of masked copies (issue 17), one thread, side by
# side on the same PDFs (default: ../shared/corpus/inputs/born and .../ocr):
#   raster+text  pdftoppm -r 150 and pdftotext over every PDF, one after the other
#   text         pdftotext alone
#   run          maskera run -j 1 (the default run: masked copies and their verification)
#   no-copy      maskera run -j 1 --no-masked-copy
# Prints the median of ROUNDS rounds (default 3; the four measurements interleaved, so a slow
# spell on a shared machine hurts them alike) and the ratios run / raster+text (target <= 1.5)
# and no-copy / text (target <= 1.0). Tesseract's own threads are held to one
# (OMP_THREAD_LIMIT=1), as maskera does for every call.
# Needs: poppler-utils (pdftoppm, pdftotext); tesseract for the OCR read-back of the copies.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=${*:-../shared/corpus/inputs/born ../shared/corpus/inputs/ocr}
rounds=${ROUNDS:-3}
root=${BENCH_DIR:-target/bench-copy}
mkdir -p "$root"
cargo build --release -q
bin=$PWD/target/release/maskera
export OMP_THREAD_LIMIT=1 RAYON_NUM_THREADS=1

seconds() { # seconds CMD... -> elapsed wall time of CMD on stdout
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.3f}')"
}

raster_text() {
  local d=$1 t
  t=$(mktemp -d)
  for f in "$d"/*.pdf; do
    pdftoppm -r 150 "$f" "$t/p"
    rm -f "$t"/p*
    pdftotext "$f" "$t/t.txt"
  done
  rm -rf "$t"
}

text_only() {
  local d=$1 t
  t=$(mktemp -d)
  for f in "$d"/*.pdf; do pdftotext "$f" "$t/t.txt"; done
  rm -rf "$t"
}

median() { python3 -c "import sys,statistics; v=[float(x) for x in sys.argv[1:]]; print(f'{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})')" "$@"; }
med() { python3 -c "import sys,statistics; print(statistics.median([float(x) for x in sys.argv[1:]]))" "$@"; }

for d in $dirs; do
  # Only the PDFs: text inputs get no copy and pdftotext cannot read them.
  in="$root/in-$(basename "$d")"
  rm -rf "$in"
  mkdir -p "$in"
  cp "$d"/*.pdf "$in"/
  pages=$(for f in "$in"/*.pdf; do pdfinfo "$f" | awk '/^Pages:/ {print $2}'; done | paste -sd+ | bc)
  A=(); B=(); C=(); D=()
  for _ in $(seq "$rounds"); do
    A+=("$(seconds raster_text "$in")")
    B+=("$(seconds text_only "$in")")
    C+=("$(seconds "$bin" run "$in" --out "$root/out" -j 1 --force -q)")
    D+=("$(seconds "$bin" run "$in" --out "$root/out-nocopy" -j 1 --force -q --no-masked-copy)")
  done
  echo "== $d: $(ls "$in" | wc -l) PDFs, $pages pages, median of $rounds rounds (range), one thread"
  echo "raster+text (pdftoppm -r 150 + pdftotext): $(median "${A[@]}") s"
  echo "text        (pdftotext):                   $(median "${B[@]}") s"
  echo "run         (maskera, masked copies):      $(median "${C[@]}") s"
  echo "no-copy     (maskera --no-masked-copy):    $(median "${D[@]}") s"
  python3 -c "print(f'run / raster+text = {$(med "${C[@]}") / $(med "${A[@]}"):.2f} (target <= 1.5);  no-copy / text = {$(med "${D[@]}") / $(med "${B[@]}"):.2f} (target <= 1.0)')"
done
