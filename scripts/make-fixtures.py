#!/usr/bin/env python3
"""Write the project's fixtures: small synthetic lex Sarah reports (invented people, invented
addresses, Skatteverket test personnummer), as text files in three encodings and as
born-digital PDFs. Run from the repository root: python3 scripts/make-fixtures.py"""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")

REPORT_A = """Rapport enligt lex Sarah

Ekby kommun, vård- och omsorgsförvaltningen
Diarienummer VO 2031/77

Rapportör
Namn Linnea Vassgård\tTitel Enhetschef
E-post linnea.vassgard@ekby.example.se

Beskrivning av händelsen

Ett brev med uppgifter om en brukare skickades till fel mottagare. Felet upptäcktes av
handläggaren när mottagaren hörde av sig dagen efter. Brevet innehöll beslut om
hemtjänstinsatser och kontaktuppgifter till brukarens anhöriga.

Åtgärder

- Rutinen för utskick har gåtts igenom på arbetsplatsträff.
- Två personer kontrollerar adressen innan breven skickas.

Förslag till beslut

Det inträffade bedöms utgöra en påtaglig risk för ett missförhållande.
"""

REPORT_B = """Utredning av händelse – obehörig åtkomst

Verksamhetsområde
Individ- och familjeomsorg, barn och unga

Bakgrund

En medarbetare öppnade en akt i verksamhetssystemet utan att ha ett ärende som krävde det.
Loggkontrollen visade fyra slagningar under en vecka. Frågor om utredningen besvaras av
utredaren Aurora Pettersén, aurora.pettersen@kommun.example.org.

Orsaksanalys

Behörigheterna var för vida och rutinen för loggkontroller var inte känd i arbetsgruppen.

Beslut

Händelsen bedöms utgöra ett allvarligt missförhållande och anmäls till IVO.
"""

LONG_PARAGRAPH = ("Utredningen har gått igenom hur informationen hanteras på enheten och "
                  "vilka rutiner som finns för att skydda uppgifter om enskilda. ") * 3


def write_text():
    os.makedirs(HERE, exist_ok=True)
    with open(os.path.join(HERE, "rapport-utf8.txt"), "w", encoding="utf-8") as f:
        f.write(REPORT_A)
    with open(os.path.join(HERE, "utredning-cp1252.txt"), "wb") as f:
        f.write(REPORT_B.replace("\n", "\r\n").encode("cp1252"))
    with open(os.path.join(HERE, "rapport-utf16.txt"), "wb") as f:
        f.write(b"\xff\xfe" + REPORT_A.replace("Linnea Vassgård", "Mirjam Olofsdotter")
                .replace("linnea.vassgard", "mirjam.olofsdotter").encode("utf-16-le"))


def pdf_string(s):
    b = s.encode("cp1252")
    return b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def wrap(text, width=85):
    lines = []
    for para in text.split("\n"):
        words, line = para.split(" "), ""
        for w in words:
            if line and len(line) + 1 + len(w) > width:
                lines.append(line)
                line = w
            else:
                line = (line + " " + w) if line else w
        lines.append(line)
    return lines


def make_pdf(pages_text, info):
    """A plain born-digital PDF: Helvetica with WinAnsiEncoding, one content stream per
    page, an Info dictionary (metadata a republished file must not carry over)."""
    objs = {}
    page_ids = []
    next_id = 4
    for text in pages_text:
        ops = [b"BT /F1 10 Tf 14 TL 56 790 Td"]
        for line in wrap(text.replace("\t", "    ")):
            ops.append(b"(" + pdf_string(line) + b") Tj T*")
        ops.append(b"ET")
        content = b"\n".join(ops)
        cid, pid = next_id, next_id + 1
        next_id += 2
        objs[cid] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
        objs[pid] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                     b"/Resources << /Font << /F1 3 0 R >> >> >>" % cid)
        page_ids.append(pid)
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % p for p in page_ids) + b"] /Count %d >>" % len(page_ids)
    objs[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    info_id = next_id
    objs[info_id] = b"<< " + b" ".join(b"/%s (%s)" % (k.encode(), pdf_string(v)) for k, v in info.items()) + b" >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for i in range(1, size):
        out += b"%010d 00000 n \n" % offsets[i]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, info_id, xref)
    return bytes(out)


def write_pdfs():
    page1 = REPORT_B.split("Orsaksanalys")[0] + LONG_PARAGRAPH
    page2 = "Orsaksanalys" + REPORT_B.split("Orsaksanalys")[1]
    with open(os.path.join(HERE, "utredning.pdf"), "wb") as f:
        f.write(make_pdf([page1, page2], {"Title": "Utredning", "Author": "Aurora Pettersén"}))
    # A file name holding a person's name: the published id must not carry it.
    with open(os.path.join(HERE, "Rapport Linnea Vassgård.pdf"), "wb") as f:
        f.write(make_pdf([REPORT_A], {"Author": "Linnea Vassgård"}))


def bench_corpus(n, out):
    """n synthetic born-digital report PDFs with planted personal data, for benchmarks.
    People come from the Faker name lists and personnummer from Skatteverket's test numbers
    in ../shared/data when present (invented fallbacks otherwise)."""
    import json, random
    rnd = random.Random(20261129)
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
    def names(f, fallback):
        try:
            return [l.split(",")[0] for l in open(os.path.join(data, "faker-sv_SE", f), encoding="utf-8").read().split("\n")[1:] if l]
        except OSError:
            return fallback
    first = names("first_names_female.csv", ["Tove", "Siri"]) + names("first_names_male.csv", ["Arvid", "Nils"])
    last = names("last_names.csv", ["Lindqvist", "Holmgren"])
    try:
        pins = json.load(open(os.path.join(data, "personnummer-meta", "allPins.json")))
    except OSError:
        pins = ["19121212-1212"]
    kinds = ["ett e-postmeddelande skickades till fel mottagare", "en pärm lämnades olåst i ett mötesrum",
             "en medarbetare läste en journal utan att ha ett ärende", "ett larm från trygghetslarmet besvarades inte",
             "läkemedel gavs vid fel tidpunkt", "ett beslut skickades till fel adress"]
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        p1 = f"{rnd.choice(first)} {rnd.choice(last)}"
        p2 = f"{rnd.choice(first)} {rnd.choice(last)}"
        pin = str(rnd.choice(pins))
        body = [f"Rapport enligt lex Sarah nr {i}", "",
                f"Namn {p1}\tTitel Enhetschef",
                f"Telefon 070-{rnd.randint(100,999)} {rnd.randint(10,99)} {rnd.randint(10,99)}\tE-post {p1.lower().replace(' ', '.')}@kommun.example.se",
                "", "Beskrivning av händelsen", ""]
        for _ in range(rnd.randint(6, 40)):
            body.append(f"Den {rnd.randint(1,28)} mars {rnd.randint(2015,2025)} uppmärksammades att {rnd.choice(kinds)}. "
                        f"Händelsen rör brukaren med personnummer {pin}, som bor på Ekvägen {rnd.randint(1,99)}, "
                        f"{rnd.randint(100,999)} {rnd.randint(10,99)} Ekby. Handläggaren {p2} kontaktade enhetschefen samma dag "
                        f"och åtgärder vidtogs enligt rutinen för avvikelsehantering.")
        body += ["", "Förslag till beslut", "", "Det inträffade bedöms utgöra ett missförhållande.", "", p2, "Utredare"]
        text = "\n".join(body)
        lines = wrap(text.replace("\t", "    "))
        pages = ["\n".join(lines[k:k + 52]) for k in range(0, len(lines), 52)]
        with open(os.path.join(out, f"rapport-{i:05}.pdf"), "wb") as f:
            f.write(make_pdf(pages, {"Author": p1}))


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 4 and sys.argv[1] == "--bench-corpus":
        bench_corpus(int(sys.argv[2]), sys.argv[3])
    else:
        write_text()
        write_pdfs()
