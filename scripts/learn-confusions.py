#!/usr/bin/env python3
"""Learn OCR character-confusion weights from aligned OCR/true text pairs.

Usage: scripts/learn-confusions.py CORPUS_DIR OUT.tsv
  CORPUS_DIR holds inputs/ocr/<doc>.pdf (or .txt) and gold/<doc>/clean.txt.

Only character statistics are kept (which OCR string stood for which true string, and how
often a character was read correctly); no word, sentence or name of the corpus is written.

Method: the OCR text layer is extracted with `mutool draw -F txt`; OCR and true tokens are
aligned with difflib on a diacritic-free key; each aligned word pair is aligned character by
character (Levenshtein); runs of adjacent edits become one multi-character confusion
(`ia` → `ä`, `rn` → `m`). Output TSV columns: ocr, true, count, true_count, logp where
logp = ln P(ocr | true) with add-one smoothing. Rows with ocr == true give the probability
that a character is read correctly (needed by the noisy-channel ranking).
"""
import difflib, math, os, subprocess, sys, unicodedata
from collections import Counter

STRIP = str.maketrans("åäöéÅÄÖÉ", "aaoeAAOE")
MIN_COUNT = 2  # drop one-off confusions (noise)
# Known OCR confusions of Latin-script engines that this small corpus may not show, added
# with a pseudo-count so they stay possible but rank below anything observed.
PRIORS = [("u", "å"), ("rn", "m"), ("m", "rn"), ("ii", "ü"), ("0", "ö"), ("é", "é"),
          ("a", "à"), ("6", "ö"), ("&", "ä"), ("4", "ä"), ("4", "å"), ("d", "ä"), ("i", "ä"),
          ("ia", "ä"), ("é", "ö"), ("é", "ä"), ("o", "ö"), ("a", "ä"), ("a", "å"), ("cl", "d")]
PRIOR_COUNT = 1
MIN_TRUE_COUNT = 200


def key(tok):
    return "".join(c for c in tok.lower().translate(STRIP) if c.isalnum())


def ocr_text(corpus, doc):
    txt = os.path.join(corpus, "inputs", "ocr", doc + ".txt")
    if os.path.exists(txt):
        return open(txt, encoding="utf-8").read()
    pdf = os.path.join(corpus, "inputs", "ocr", doc + ".pdf")
    return subprocess.run(["mutool", "draw", "-q", "-F", "txt", "-o", "-", pdf],
                          capture_output=True, text=True).stdout


def tokens(text):
    out = []
    for t in text.split():
        t = t.strip(".,;:!?()\"'»«”“")
        if t:
            out.append(unicodedata.normalize("NFC", t))
    return out


def char_align(o, t):
    """Levenshtein alignment; yields (ocr_seg, true_seg) with identity pairs single chars."""
    n, m = len(o), len(t)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (0 if o[i - 1] == t[j - 1] else 1))
    ops = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i][j] == d[i - 1][j - 1] + (0 if o[i - 1] == t[j - 1] else 1):
            ops.append((o[i - 1], t[j - 1])); i -= 1; j -= 1
        elif i > 0 and d[i][j] == d[i - 1][j] + 1:
            ops.append((o[i - 1], "")); i -= 1
        else:
            ops.append(("", t[j - 1])); j -= 1
    ops.reverse()
    # merge runs of edits into segments
    segs, cur_o, cur_t = [], "", ""
    for a, b in ops:
        if a == b:
            if cur_o or cur_t:
                segs.append((cur_o, cur_t)); cur_o = cur_t = ""
            segs.append((a, b))
        else:
            cur_o += a; cur_t += b
    if cur_o or cur_t:
        segs.append((cur_o, cur_t))
    return segs


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    docs = sorted(os.listdir(os.path.join(corpus, "gold")))
    conf, truec = Counter(), Counter()
    for doc in docs:
        gold = open(os.path.join(corpus, "gold", doc, "clean.txt"), encoding="utf-8").read()
        o, t = tokens(ocr_text(corpus, doc)), tokens(gold)
        sm = difflib.SequenceMatcher(None, [key(x) for x in o], [key(x) for x in t], autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                for ow, tw in zip(o[i1:i2], t[j1:j2]):
                    if len(ow) > 40 or abs(len(ow) - len(tw)) > 3:
                        continue
                    for a, b in char_align(ow.lower(), tw.lower()):
                        if a == b:
                            truec[b] += 1
                            conf[(a, b)] += 1
                        elif 0 < len(a) <= 3 and 0 < len(b) <= 2:
                            conf[(a, b)] += 1
                            truec[b] += 1
    for a, b in PRIORS:
        if conf[(a, b)] < MIN_COUNT:
            conf[(a, b)] = max(conf[(a, b)], MIN_COUNT) if a == b else MIN_COUNT
            truec[b] += PRIOR_COUNT
    rows = []
    for (a, b), c in conf.items():
        if a != b and c < MIN_COUNT:
            continue
        # only characters that take part in some confusion need an identity row
        rows.append((a, b, c, truec[b]))
    involved = {b for (a, b, c, _) in rows if a != b for b in [b]}
    rows = [r for r in rows if r[0] != r[1] or r[1] in involved or any(r[1] == x[0] for x in rows if x[0] != x[1])]
    rows.sort(key=lambda r: (r[1], -r[2], r[0]))
    with open(out, "w", encoding="utf-8") as f:
        f.write("# OCR confusion weights learned by scripts/learn-confusions.py from aligned\n")
        f.write("# OCR/true character pairs (statistics only). ocr\ttrue\tcount\ttrue_count\tlogp\n")
        for a, b, c, n in rows:
            # A true string seen rarely (`rn`, `ü`) gets no more than a rare confusion's weight.
            denom = n if a == b else max(n, MIN_TRUE_COUNT)
            f.write(f"{a}\t{b}\t{c}\t{n}\t{math.log((c + 1) / (denom + 2)):.4f}\n")


if __name__ == "__main__":
    main()
