#!/usr/bin/env bash
# stress-determinism.sh [BINARY] [CORPUS]: the same inputs must give the same published bytes
# whatever the load, the threads and the input order. Runs the development corpus's `ocr` and
# `born` variants twice AT ONCE — once with -j 1 on the files in their order, once with -j 2
# on copies under shuffled names — and compares the published trees byte for byte.
#   scripts/stress-determinism.sh target/release/maskera ../shared/corpus
# VARIANTS="born" runs only some of the variants.
set -euo pipefail
bin=${1:-target/release/maskera}
corpus=${2:-../shared/corpus}
work=$(mktemp -d "${TMPDIR:-/tmp}/maskera-stress.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
for v in ${VARIANTS:-ocr born}; do
  in="$corpus/inputs/$v"
  [ -d "$in" ] || { echo "no $in" >&2; exit 2; }
  # Copies under shuffled names (a fixed seed: the same shuffle every time).
  mkdir -p "$work/$v-shuffled"
  i=0
  for f in $(ls "$in" | python3 -c 'import random,sys; l=sys.stdin.read().split(); random.Random(7).shuffle(l); print("\n".join(l))'); do
    cp "$in/$f" "$work/$v-shuffled/$(printf 'x%03d' $i)-$f"; i=$((i+1))
  done
  "$bin" run "$in" --out "$work/$v-a" -q -j 1 & a=$!
  "$bin" run "$work/$v-shuffled" --out "$work/$v-b" -q -j 2 & b=$!
  wait $a || true; wait $b || true
  if diff -r "$work/$v-a/public" "$work/$v-b/public" >/dev/null; then
    echo "$v: identical ($(find "$work/$v-a/public" -type f | wc -l) files)"
  else
    echo "$v: DIFFERENT published trees:"; diff -rq "$work/$v-a/public" "$work/$v-b/public" | head; status=1
  fi
  # The failures must be the same too (by id).
  fa=$({ grep -h '"failed"' "$work/$v-a/manifest.jsonl" || true; } | python3 -c 'import json,sys; print(sorted(json.loads(l)["id"] for l in sys.stdin))')
  fb=$({ grep -h '"failed"' "$work/$v-b/manifest.jsonl" || true; } | python3 -c 'import json,sys; print(sorted(json.loads(l)["id"] for l in sys.stdin))')
  [ "$fa" = "$fb" ] || { echo "$v: different failures: $fa vs $fb"; status=1; }
done
exit $status
