#!/usr/bin/env python3
"""Build the Swedish lexicon used by OCR repair (src/normalize/ocr/) into patterns/lexicon/.

Usage: scripts/build-lexicon.py   (from the crate root)
Needs: Debian packages hunspell-sv (sv_SE.dic/.aff) and hunspell-tools (unmunch);
       `pip install wordfreq`; cargo (builds examples/build_fst.rs to write the FSTs).

Writes two separate files, each derived from one source and covered by its own licence
(see patterns/NOTICE):
  patterns/lexicon/sv-hunspell.fst  FST set: hunspell-sv full word forms, lower-cased (LGPL-3)
  patterns/lexicon/sv-wordfreq.fst  FST map: word -> round(10 * Zipf frequency), wordfreq 'sv'
                                    'large' list, words with Zipf >= MIN_ZIPF (CC BY-SA 4.0)
"""
import os, re, subprocess, sys, tempfile

DIC = "/usr/share/hunspell/sv_SE.dic"
AFF = "/usr/share/hunspell/sv_SE.aff"
MIN_ZIPF = 1.0  # prune: rarer wordfreq entries are mostly noise and cost space
WORD = re.compile(r"[a-zåäöéü]+(-[a-zåäöéü]+)?")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "patterns", "lexicon")
    os.makedirs(out, exist_ok=True)
    full = subprocess.run(["unmunch", DIC, AFF], capture_output=True, text=True, check=True).stdout
    forms = {w.lower() for w in (l.strip() for l in full.splitlines()) if WORD.fullmatch(w.lower())}
    import wordfreq
    rows = []
    for w in wordfreq.get_frequency_dict("sv", "large"):
        z = wordfreq.zipf_frequency(w, "sv")
        if z >= MIN_ZIPF and WORD.fullmatch(w):
            rows.append((w, int(round(z * 10))))
    key = lambda s: s.encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        h, f = os.path.join(tmp, "h.txt"), os.path.join(tmp, "f.tsv")
        with open(h, "w", encoding="utf-8") as fh:
            fh.write("".join(w + "\n" for w in sorted(forms, key=key)))
        with open(f, "w", encoding="utf-8") as fh:
            fh.write("".join(f"{w}\t{v}\n" for w, v in sorted(rows, key=lambda r: key(r[0]))))
        build = ["cargo", "run", "--quiet", "--release", "--example", "build_fst", "--"]
        subprocess.run(build + ["set", h, os.path.join(out, "sv-hunspell.fst")], cwd=root, check=True)
        subprocess.run(build + ["map", f, os.path.join(out, "sv-wordfreq.fst")], cwd=root, check=True)
    print(f"{len(forms)} hunspell forms, {len(rows)} wordfreq words", file=sys.stderr)


if __name__ == "__main__":
    main()
