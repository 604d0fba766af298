//! Context words: what stands before or after a name and says "this is a person" (roles,
//! form labels, speech verbs, titles), and what says "this is not" (organisations, systems,
//! `lex`, places after a preposition). All keys are folded (see [`super::lexicon::fold`]).

use std::sync::LazyLock;

/// Role and title endings: `socialsekreterare`, `biträdande enhetschef`, `undersköterska` …
const ROLE_ENDINGS: &[&str] = &[
    "chef",
    "sekreterare",
    "handlaggare",
    "utredare",
    "samordnare",
    "ledare",
    "utvecklare",
    "ansvarig",
    "assistent",
    "skoterska",
    "skotare",
    "direktor",
    "strateg",
    "jurist",
    "pedagog",
    "coach",
    "kurator",
    "lakare",
    "psykolog",
    "ombud",
    "inspektor",
    "handledare",
    "ordforande",
    "stodjare",
    "terapeut",
    "konsult",
    "controller",
    "rektor",
    "larare",
    "bitrade",
    "vardare",
    "medarbetare",
    "kollega",
    "mottagare",
    "anmalare",
    "rapportor",
    "klient",
    "brukare",
    "patient",
    "elev",
    "vardnadshavare",
    "forvaltare",
    "doktor",
    "registrator",
    "specialist",
    "administrator",
    "radgivare",
    "utbildare",
    "forestandare",
    "sjukgymnast",
    "fysioterapeut",
    "arbetsterapeut",
    "barnmorska",
    "tolk",
    "revisor",
    "handlaggaren",
    "namndsekreterare",
    "journalist",
    "reporter",
    "fotograf",
    "talesperson",
    "presschef",
    "kommunikator",
    "kontaktperson",
    "kontaktman",
    "anhorig",
    "narstaende",
    "granne",
    "vikarie",
    "praktikant",
    "student",
    "personal",
    "stodperson",
    "boendestodjare",
    "familjehemsforalder",
    "ledamot",
    "suppleant",
    "kassor",
    "ersattare",
    "protokollforare",
    "justerare",
    "syster",
    "ombudsman",
    "dataskyddsombud",
];

/// Family and care relations that stand before a name: `mamman Eva`, `sonen Ali`.
const RELATIONS: &[&str] = &[
    "mamma",
    "mamman",
    "pappa",
    "pappan",
    "mor",
    "modern",
    "far",
    "fadern",
    "son",
    "sonen",
    "dotter",
    "dottern",
    "bror",
    "brodern",
    "syster",
    "systern",
    "make",
    "maken",
    "maka",
    "makan",
    "sambo",
    "sambon",
    "partner",
    "farmor",
    "farfar",
    "mormor",
    "morfar",
    "barnet",
    "pojken",
    "flickan",
    "dr",
    "fru",
    "herr",
    "froken",
    "kollegan",
    "kollegorna",
    "chefen",
    "medarbetaren",
    "mottagaren",
    "klienten",
    "brukaren",
    "patienten",
    "eleven",
    "kunden",
    "hyresgasten",
    "vardtagaren",
    "den",
    "boende",
    "boenden",
    "omsorgstagaren",
    "assistenten",
    "personen",
    "mannen",
    "kvinnan",
    "flickvannen",
    "pojkvannen",
    "vannen",
];

/// Words that introduce a quotation's speaker: `säger Eva Holt`, `uppger Ali`.
const SPEECH: &[&str] = &[
    "sager",
    "sa",
    "sade",
    "uppger",
    "uppgav",
    "berattar",
    "berattade",
    "menar",
    "skriver",
    "forklarar",
    "konstaterar",
    "enligt",
    "tillagger",
    "kommenterar",
    "understryker",
    "betonar",
    "framhaller",
    "poangterar",
    "svarar",
    "fragar",
    "meddelar",
    "meddelade",
    "intervjuad",
    "citerad",
];

/// Form labels after which a name is written (folded, punctuation dropped).
const LABELS: &[&str] = &[
    "namn",
    "fullstandigt namn",
    "for och efternamn",
    "fornamn",
    "efternamn",
    "kontaktperson",
    "kontakt",
    "rapportor",
    "rapporterad av",
    "rapporterat av",
    "utredare",
    "utredare namn befattning",
    "utredare namn",
    "underskrift",
    "namnfortydligande",
    "handlaggare",
    "ansvarig handlaggare",
    "beslutsfattare",
    "beslutat av",
    "foto",
    "text",
    "av",
    "fotograf",
    "bild",
    "uppgiftslamnare",
    "anmalare",
    "undertecknad",
    "ordforande",
    "sekreterare",
    "justerare",
    "upprattad av",
    "upprattat av",
    "skriven av",
    "granskad av",
    "godkand av",
    "mottagare",
    "avsandare",
    "fran",
    "till",
    "kopia",
    "ansvarig",
    "chef",
    "narmaste chef",
    "medarbetare",
    "brukare",
    "klient",
    "patient",
    "vardnadshavare",
    "signatur",
    "attest",
    "rapportorens namn",
    "utredarens namn",
    "beslutsfattarens namn",
];

/// Words after a name that make it part of an organisation's name: `Kungsbacka kommun`.
const ORG_WORDS: &[&str] = &[
    "kommun",
    "kommuns",
    "region",
    "regionen",
    "regions",
    "lan",
    "lans",
    "ab",
    "hb",
    "kb",
    "stiftelse",
    "stiftelsen",
    "forvaltning",
    "forvaltningen",
    "namnd",
    "namnden",
    "sjukhus",
    "sjukhuset",
    "vardcentral",
    "vardcentralen",
    "forskola",
    "forskolan",
    "skola",
    "skolan",
    "gymnasium",
    "gymnasiet",
    "stad",
    "stads",
    "universitet",
    "hogskola",
    "kyrka",
    "kyrkan",
    "forsamling",
    "landsting",
    "bolag",
    "foretag",
    "forening",
    "foreningen",
    "gata",
    "gatan",
    "vag",
    "vagen",
    "torg",
    "torget",
    "plats",
    "platsen",
    "grand",
    "alle",
    "park",
    "parken",
    "centrum",
    "hemmet",
    "garden",
    "akademi",
    "institutet",
    "museum",
    // Company forms abroad: `… Lines Company Limited`, `… Shipping AS`.
    "company",
    "limited",
    "ltd",
    "inc",
    "llc",
    "plc",
    "corporation",
    "corp",
    "gmbh",
    "aps",
    "oy",
    "oyj",
];

/// Systems, products and bodies that may look like names. Never masked.
const NEVER: &[&str] = &[
    "treserva",
    "combine",
    "outlook",
    "procapita",
    "lifecare",
    "pulsen",
    "viva",
    "cosmic",
    "takecare",
    "teams",
    "skype",
    "excel",
    "word",
    "windows",
    "office",
    "siebel",
    "platina",
    "ciceron",
    "melior",
    "meddix",
    "evolution",
    "magna",
    "cura",
    "public",
    "google",
    "microsoft",
    "apple",
    "iphone",
    "android",
    "facebook",
    "instagram",
    "snapchat",
    "tiktok",
    "whatsapp",
    "messenger",
    "linkedin",
    "zoom",
    "bankid",
    "telia",
    "tele2",
    "telenor",
    "postnord",
    "ica",
    "coop",
    "ivo",
    "imy",
    "sol",
    "lss",
    "lvu",
    "lvm",
    "hsl",
    "osl",
    "gdpr",
    "jo",
    "jk",
    "skr",
    "lex",
    "apt",
    "hvb",
    "sis",
    "bbic",
    "ssk",
    "usk",
    "vd",
];

/// Column headings and field names that follow a label in a form: never a name.
const HEADINGS: &[&str] = &[
    "titel",
    "befattning",
    "funktion",
    "datum",
    "telefon",
    "telefonnummer",
    "adress",
    "arbetsplats",
    "enhet",
    "epost",
    "mejl",
    "mail",
    "mobil",
    "ort",
    "personnummer",
    "organisation",
    "forvaltning",
    "verksamhet",
    "roll",
    "avdelning",
    "signatur",
    "underskrift",
    "namnfortydligande",
    "namn",
    "tjanst",
    "yrke",
    "uppdrag",
    "stad",
    "kommun",
    "region",
    "diarienummer",
    "arende",
    "nej",
    "ja",
    "saknas",
    "okand",
    "ovrigt",
    "beskrivning",
    "kommentar",
];

/// Location prepositions: `i Lund`, `från Falun`.
const PLACE_PREPS: &[&str] = &[
    "i", "fran", "till", "mot", "vid", "utanfor", "nara", "inom", "via", "genom", "nordost", "hos",
];

/// Particles inside names: `von`, `af`, `de` …
const PARTICLES: &[&str] = &[
    "von", "af", "de", "van", "der", "den", "da", "di", "del", "la", "le", "bin", "ibn", "al",
    "el", "ben", "zu", "dos", "das",
];

/// Fast maps and sets for short keys (rustc-hash); nothing iterates them into output.
pub type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;
pub type FxSet<K> = rustc_hash::FxHashSet<K>;

/// A word list as a set, built on first use.
macro_rules! word_set {
    ($name:ident, $list:ident) => {
        static $name: LazyLock<FxSet<&'static str>> =
            LazyLock::new(|| $list.iter().copied().collect());
    };
}
word_set!(RELATION_SET, RELATIONS);
word_set!(SPEECH_SET, SPEECH);
word_set!(LABEL_SET, LABELS);
word_set!(ORG_SET, ORG_WORDS);
word_set!(NEVER_SET, NEVER);
word_set!(HEADING_SET, HEADINGS);
word_set!(PLACE_PREP_SET, PLACE_PREPS);
word_set!(PARTICLE_SET, PARTICLES);

/// Role endings grouped by their last two bytes, for a quick suffix test.
static ENDINGS_BY_TAIL: LazyLock<FxMap<[u8; 2], Vec<&'static str>>> = LazyLock::new(|| {
    let mut m: FxMap<[u8; 2], Vec<&'static str>> = FxMap::default();
    for e in ROLE_ENDINGS {
        let b = e.as_bytes();
        m.entry([b[b.len() - 2], b[b.len() - 1]]).or_default().push(e);
    }
    m
});

fn ends_with_role(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 2 {
        return false;
    }
    ENDINGS_BY_TAIL.get(&[b[b.len() - 2], b[b.len() - 1]]).is_some_and(|es| {
        es.iter().any(|e| s.ends_with(e) && (s.len() == e.len() || s.len() >= e.len() + 2))
    })
}

/// A role or title word (`enhetschef`, `kollegan`, `sjuksköterskan`), definite forms too.
pub fn is_role(key: &str) -> bool {
    if key != "den" && RELATION_SET.contains(key) {
        return true;
    }
    // Definite forms: `-n`/`-en` (`kuratorn`, `chefen`), `-et` of neuter roles (`ombudet`,
    // `biträdet`), `-erna` in the plural, `-s` in the genitive.
    let stems = [
        Some(key),
        key.strip_suffix('n'),
        key.strip_suffix("en"),
        key.strip_suffix("et"),
        key.strip_suffix("erna"),
        key.strip_suffix('s'),
    ];
    stems.into_iter().flatten().any(ends_with_role)
}

/// A role word that may stand right before a name (roles plus `den` is excluded).
pub fn is_role_before(key: &str) -> bool {
    key != "den" && key != "personal" && key != "boende" && is_role(key)
}

/// [`is_role_before`] for a word already known to be a role.
pub fn role_may_precede(key: &str) -> bool {
    key != "den" && key != "personal" && key != "boende"
}

pub fn is_speech(key: &str) -> bool {
    SPEECH_SET.contains(key)
}

pub fn is_label(folded_words: &str) -> bool {
    LABEL_SET.contains(folded_words)
}

/// The last word of some form label (`namn` in `Fullständigt namn`).
pub fn is_label_end(key: &str) -> bool {
    static ENDS: LazyLock<FxSet<&'static str>> =
        LazyLock::new(|| LABELS.iter().map(|l| l.rsplit(' ').next().unwrap_or(l)).collect());
    ENDS.contains(key)
}

pub fn is_org_word(key: &str) -> bool {
    const COMPOUND_ENDS: [&str; 12] = [
        "sjukhus",
        "sjukhuset",
        "skola",
        "skolan",
        "gymnasiet",
        "hemmet",
        "garden",
        "boende",
        "boendet",
        "forskola",
        "forskolan",
        "vardcentral",
    ];
    ORG_SET.contains(key) || COMPOUND_ENDS.iter().any(|e| key.ends_with(e))
}

pub fn is_never(key: &str) -> bool {
    NEVER_SET.contains(key)
}

pub fn is_heading(key: &str) -> bool {
    HEADING_SET.contains(key) || LABEL_SET.contains(key)
}

/// Words that stand before a title: `biträdande enhetschef`, `tf. rektor`.
pub fn is_modifier(key: &str) -> bool {
    matches!(
        key,
        "bitradande"
            | "tf"
            | "tillforordnad"
            | "tillforordnade"
            | "ansvarig"
            | "socialt"
            | "medicinskt"
            | "forste"
            | "vice"
            | "ledande"
            | "overgripande"
            | "verksamhetsansvarig"
    )
}

pub fn is_place_prep(key: &str) -> bool {
    PLACE_PREP_SET.contains(key)
}

pub fn is_particle(word: &str) -> bool {
    PARTICLE_SET.contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_with_and_without_article() {
        for w in [
            "socialsekreterare",
            "enhetschef",
            "chefen",
            "handlaggaren",
            "underskoterska",
            "kollegan",
            "mottagaren",
            "sonen",
            "ombudet",
            "dataskyddsombudet",
        ] {
            assert!(is_role(w), "{w}");
        }
        for w in ["kommun", "chefer", "och", "den", "telefon"] {
            assert!(!is_role_before(w), "{w}");
        }
    }

    #[test]
    fn labels_and_speech() {
        assert!(is_label("namnfortydligande"));
        assert!(is_label("utredare namn befattning"));
        assert!(is_speech("uppger"));
        assert!(!is_label("beskrivning"));
    }
}
