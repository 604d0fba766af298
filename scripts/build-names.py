#!/usr/bin/env python3
"""Build the compact name lists in patterns/names/ from the reference data.

    python3 scripts/build-names.py [--data /work/shared/data] [--hunspell /usr/share/hunspell/sv_SE.dic]

Standard library only. Writes, each sorted by key (UTF-8 byte order) so the detector can load it
straight into an FST:
  patterns/names/given.tsv     folded given name <TAB> bearers (SCB tilltalsnamn, women + men;
                               Faker's Isof top lists where SCB lacks a name)
  patterns/names/surnames.tsv  folded surname <TAB> weight per million (Faker, Skatteverket top 500)
  patterns/names/words.txt     ordinary Swedish words that collide with a name, a place or a
                               surname shape (hunspell sv_SE stems + a few function words)
  patterns/names/places.txt    Swedish places that collide with a name or a surname shape
                               (swedish-geodata localities and municipalities)
Keys are folded as the detector folds them: lower case, diacritics removed, æ→ae, ø→o, ß→ss.
"""
import argparse, csv, os, unicodedata

SPECIAL = {"æ": "ae", "ø": "o", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "œ": "oe"}

def fold(s):
    s = s.lower()
    s = "".join(SPECIAL.get(c, c) for c in s)
    s = unicodedata.normalize("NFD", s)
    return "".join(c for c in s if unicodedata.category(c) not in ("Mn", "Mc", "Me"))

# Surname endings the detector treats as a surname shape (keep in step with names/lexicon.rs).
SHAPES = ("sson", "son", "berg", "strom", "qvist", "kvist", "quist", "gren", "lund", "ius",
          "holm", "dahl", "blad", "stedt")

# Function words and other everyday words that open sentences and that the dictionary stems
# do not hold in this form (pronouns, inflected forms). Written for this project.
FUNCTION_WORDS = """
hans hennes deras dess det detta denna dessa de dem dom du ni jag mig dig sig oss er sin sitt
sina min mitt mina din ditt dina vår vårt våra er ert era kan kunde ska skulle vill ville har
hade var är blir blev får fick man men när där här som vad vem vilka vilken vilket varför hur
alla allt andra annat inga ingen inget några någon något många mycket mer mest efter enligt
under över inom utan mellan genom mot från till med för vid hos om av på i ur sedan även också
dock samt eller och att inte ej ja nej nu då så redan snart bara både
finns fanns gör gjorde görs gjordes sker skedde ses sågs anses ansågs bör borde måste kommer
kom tas togs ges gavs fås hålls
""".split()

def read_counts(path, col):
    out = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out[row["name"]] = float(row[col])
    return out

def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("--hunspell", default="/usr/share/hunspell/sv_SE.dic")
    ap.add_argument("--out", default=os.path.join(here, "..", "patterns", "names"))
    a = ap.parse_args()
    if not os.path.isdir(a.data):
        a.data = "/work/shared/data"
    os.makedirs(a.out, exist_ok=True)

    def ok(key):
        return len(key) >= 2 and key.isalpha()

    given = {}
    for sex in ("kvinnor", "man"):
        for name, n in read_counts(os.path.join(a.data, "svensktext-namn", f"tilltalsnamn-{sex}.csv"), "persons").items():
            k = fold(name)
            if ok(k):
                given[k] = given.get(k, 0) + int(n)
    for sex in ("female", "male"):
        for name in read_counts(os.path.join(a.data, "faker-sv_SE", f"first_names_{sex}.csv"), "weight"):
            k = fold(name)
            if ok(k) and k not in given:
                given[k] = 1000   # on Isof's top-500 list, so at least this common

    surnames = {}
    for name, w in read_counts(os.path.join(a.data, "faker-sv_SE", "last_names.csv"), "weight").items():
        k = fold(name)
        if ok(k):
            surnames[k] = max(surnames.get(k, 0), max(1, round(w * 1_000_000)))

    places = set()
    geo = os.path.join(a.data, "swedish-geodata")
    with open(os.path.join(geo, "municipalities.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            places.add(fold(row["municipality_name_short"]))
    with open(os.path.join(geo, "postal_to_municipality.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            places.add(fold(row["locality"]))
    places = {p for p in places if ok(p)}

    def shaped(k):
        return any(k.endswith(s) and len(k) > len(s) for s in SHAPES) or k in SHAPES

    words = set(fold(w) for w in FUNCTION_WORDS)
    with open(a.hunspell, encoding="utf-8") as f:
        next(f)
        for line in f:
            w = line.split("/")[0].strip()
            if not w or not w[0].islower():
                continue   # capitalised entries are proper nouns: not ordinary words
            k = fold(w)
            if not ok(k):
                continue
            if k in given or k in surnames or k in places or shaped(k) or len(k) <= 4:
                words.add(k)
    places_kept = {p for p in places if p in given or p in surnames or shaped(p)}

    def write(name, lines):
        with open(os.path.join(a.out, name), "w", encoding="utf-8", newline="\n") as f:
            for line in lines:
                f.write(line + "\n")

    bkey = lambda s: s.encode("utf-8")
    write("given.tsv", (f"{k}\t{given[k]}" for k in sorted(given, key=bkey)))
    write("surnames.tsv", (f"{k}\t{surnames[k]}" for k in sorted(surnames, key=bkey)))
    write("words.txt", sorted(words, key=bkey))
    write("places.txt", sorted(places_kept, key=bkey))
    print(f"given {len(given)}, surnames {len(surnames)}, words {len(words)}, places {len(places_kept)}")

if __name__ == "__main__":
    main()
