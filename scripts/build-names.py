#!/usr/bin/env python3
"""Build the compact name lists in patterns/names/ from the reference data.

    pip install faker==40.63.0      # development time only; the lists are committed
    python3 scripts/build-names.py [--data /work/shared/data] [--hunspell /usr/share/hunspell/sv_SE.dic]

Needs the Debian packages hunspell-sv-se (sv_SE.dic/.aff) and hunspell-tools (unmunch), and the
Python package faker (its person providers: name lists of many countries, MIT). Writes, each sorted by key (UTF-8 byte order) so the detector can load it
straight into an FST:
  patterns/names/given.tsv     folded given name <TAB> bearers (SCB tilltalsnamn, women + men;
                               Faker's Isof top lists where SCB lacks a name)
  patterns/names/surnames.tsv  folded surname <TAB> weight per million (Faker, Skatteverket top 500)
  patterns/names/world.tsv     folded name <TAB> g, s or gs: given names and surnames of the
                               population lists (Faker's person providers of the countries
                               people in Sweden come from; Cyrillic transliterated) that the
                               Swedish lists lack
  patterns/names/words.txt     ordinary Swedish words (any inflected form of a lower-case
                               hunspell sv_SE entry) that collide with a name, a place or a
                               surname shape, plus a few function words
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


# Faker person providers whose names are written in Latin script (or transliterated below):
# the countries most people in Sweden who were born abroad, or whose parents were, come from.
FAKER_LATIN = """fi_FI et_EE tr_TR az_AZ uz_UZ pl_PL hr_HR sl_SI cs_CZ sk_SK hu_HU ro_RO lt_LT lv_LV
de_DE de_AT de_CH nl_NL nl_BE fr_FR fr_BE fr_DZ es_ES es_MX es_CO es_CL es_AR es_CA pt_BR pt_PT
it_IT en_GB en_US en_IE ga_IE en_NZ en_PK en_IN en_TH en_KE en_NG ha_NG yo_NG ig_NG tw_GH zu_ZA
sw id_ID vi_VN da_DK no_NO is_IS sv_SE""".split()
FAKER_CYRILLIC = "ru_RU uk_UA bg_BG mk_MK".split()

# Cyrillic to Latin, as names are written in passports and in English (ICAO-like), and the
# Swedish way (sj, tj, zj, j): both spellings occur in Swedish documents.
CYR = dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziiklmnoprstufye"))
CYR.update({"ё": "e", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
            "ъ": "", "ь": "", "ю": "yu", "я": "ya", "є": "ye", "і": "i", "ї": "yi", "ґ": "g",
            "й": "y", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "gj",
            "ќ": "kj", "ѕ": "dz"})
SWEDISH_CYR = {"zh": "zj", "kh": "ch", "ch": "tj", "sh": "sj", "shch": "sjtj", "y": "j",
               "yu": "ju", "ya": "ja", "ye": "je", "yi": "ji"}

def translit(name, swedish=False):
    out = []
    for c in name.lower():
        t = CYR.get(c, c)
        if swedish:
            t = SWEDISH_CYR.get(t, t)
        out.append(t)
    return "".join(out)

def faker_names():
    """(given, surnames) folded keys from the Faker person providers, or two empty sets when
    faker is not installed (then world.tsv is left as it is)."""
    try:
        import importlib
        importlib.import_module("faker.providers.person")
    except ImportError:
        return None
    given, surnames = set(), set()
    for loc in FAKER_LATIN + FAKER_CYRILLIC:
        P = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for attr in dir(P):
            if attr.startswith("_") or not ("first_name" in attr or "last_name" in attr):
                continue
            v = getattr(P, attr)
            if callable(v) or isinstance(v, (str, property)) or not hasattr(v, "__iter__"):
                continue
            target = given if "first_name" in attr else surnames
            for n in v:
                if not isinstance(n, str) or n in ("John", "Jane", "Doe"):
                    continue
                for part in n.replace("-", " ").split():
                    forms = [part]
                    if loc in FAKER_CYRILLIC:
                        forms = [translit(part), translit(part, swedish=True)]
                    for f in forms:
                        k = fold(f).replace("'", "").replace("\u2019", "")
                        if len(k) >= 3 and k.isalpha() and k.isascii():
                            target.add(k)
    return given, surnames

def hunspell_forms(dic, aff, lower=True):
    """Every inflected form of the lower-case (ordinary word) entries of a hunspell
    dictionary, folded: `årets`, `armén`, `ingår` as well as their stems; with lower=False,
    the forms of the capitalised entries (proper nouns) instead."""
    import subprocess, tempfile
    with open(dic, encoding="utf-8") as f:
        next(f)
        entries = [l for l in f if l[:1].islower() == lower and l.strip()]
    with tempfile.NamedTemporaryFile("w", suffix=".dic", encoding="utf-8", delete=False) as t:
        t.write(f"{len(entries)}\n")
        t.writelines(entries)
    try:
        out = subprocess.run(["unmunch", t.name, aff], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(t.name)
    return {fold(w) for w in out.split() if w[:1].islower() == lower}

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

    world = os.path.join(a.out, "world.tsv")
    fk = faker_names()
    if fk is None:
        print("faker is not installed: world.tsv kept as it is (pip install faker==40.63.0)")
        wgiven, wsur = set(), set()
        with open(world, encoding="utf-8") as f:
            for line in f:
                k, v = line.rstrip("\n").split("\t")
                (wgiven.add(k) if "g" in v else None, wsur.add(k) if "s" in v else None)
    else:
        wgiven, wsur = fk
    wgiven -= set(given)
    wsur -= set(surnames)

    words = set(fold(w) for w in FUNCTION_WORDS)
    aff = a.hunspell[:-4] + ".aff"
    stems = set()
    with open(a.hunspell, encoding="utf-8") as f:
        next(f)
        for line in f:
            w = line.split("/")[0].strip()
            if w and w[0].islower():
                stems.add(fold(w))
    named = lambda k: k in given or k in surnames or k in places or k in wgiven or k in wsur
    forms = hunspell_forms(a.hunspell, aff)
    for k in forms:
        if not ok(k):
            continue
        # A stem that is a name is a word (`björn`, `viola`); an inflected form only when
        # the name is rare (`armén`, `ingår`), not for common names (`inger`, a form of
        # `inge`, is first of all a name).
        rare = given.get(k, 0) < 1000 and (k in given or k in wgiven or k in surnames or k in wsur
                                           or k in places)
        if (k in stems and (named(k) or shaped(k) or len(k) <= 4)) or rare or shaped(k):
            words.add(k)
    # Proper nouns of the dictionary (people, places, brands) that are no ordinary word: the
    # Swedish lexicon shared with OCR repair holds them lower-cased, and they must not count
    # as ordinary words (`Blomdahl`).
    propers = {k for k in hunspell_forms(a.hunspell, aff, lower=False) if ok(k)} - forms
    places_kept = {p for p in places if p in given or p in surnames or shaped(p)}

    def write(name, lines):
        with open(os.path.join(a.out, name), "w", encoding="utf-8", newline="\n") as f:
            for line in lines:
                f.write(line + "\n")

    bkey = lambda s: s.encode("utf-8")
    write("given.tsv", (f"{k}\t{given[k]}" for k in sorted(given, key=bkey)))
    write("surnames.tsv", (f"{k}\t{surnames[k]}" for k in sorted(surnames, key=bkey)))
    write("words.txt", sorted(words, key=bkey))
    write("propers.txt", sorted(propers, key=bkey))
    wkeys = sorted(wgiven | wsur, key=bkey)
    write("world.tsv", (f"{k}\t{'g' if k in wgiven else ''}{'s' if k in wsur else ''}" for k in wkeys))
    write("places.txt", sorted(places_kept, key=bkey))
    print(f"given {len(given)}, surnames {len(surnames)}, world {len(wkeys)}, words {len(words)}, "
          f"places {len(places_kept)}, propers {len(propers)}")

if __name__ == "__main__":
    main()
