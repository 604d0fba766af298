//! Every Skatteverket test personnummer (41,129) and samordningsnummer (2,264) from the
//! personnummer project's test data, in every written form inside a sentence, must be
//! masked; the organisation numbers must not be. The data is in
//! `tests/data/personnummer-meta` (MIT, see its NOTICE).

use std::path::{Path, PathBuf};

use maskera::config::DetectSettings;
use maskera::detect::Detectors;
use maskera::document::Kind;

/// The test vectors, kept in `tests/data/personnummer-meta` (see its NOTICE).
fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/personnummer-meta")
}

/// A test-vector file, read from `NAME` or from its gzip-compressed `NAME.gz`.
fn load(dir: &Path, file: &str) -> serde_json::Value {
    let text = match std::fs::read_to_string(dir.join(file)) {
        Ok(t) => t,
        Err(_) => {
            use std::io::Read;
            let gz = std::fs::File::open(dir.join(format!("{file}.gz")))
                .expect("test vectors in fixtures");
            let mut t = String::new();
            flate2::read::GzDecoder::new(gz).read_to_string(&mut t).expect("readable test vectors");
            t
        }
    };
    serde_json::from_str(&text).expect("valid JSON test data")
}

/// Sentences to put numbers in (none of them names the number).
const FRAMES: [(&str, &str); 4] = [
    ("Uppgiften ", " fanns i akten."),
    ("Brukaren (", ") flyttade i går."),
    ("Hen hade nummer ", ", enligt beslutet."),
    ("Se ", "\n"),
];

/// Damage up to two digits the way OCR does (never the first: most digits survive).
fn ocr_damage(n: &str) -> String {
    let mut out = String::with_capacity(n.len());
    let mut damaged = 0;
    for (i, c) in n.chars().enumerate() {
        let swap = match c {
            '0' => Some('O'),
            '1' => Some('l'),
            '5' => Some('S'),
            '8' => Some('B'),
            '2' => Some('Z'),
            _ => None,
        };
        match swap {
            Some(s) if i > 0 && damaged < 2 && i % 3 == 1 => {
                out.push(s);
                damaged += 1;
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every written form of a 12-digit number `yyyymmddnnnn`.
fn forms(pin: &str) -> Vec<String> {
    let (long_date, short_date, last) = (&pin[..8], &pin[2..8], &pin[8..]);
    vec![
        pin.to_string(),
        format!("{long_date}-{last}"),
        format!("{short_date}{last}"),
        format!("{short_date}-{last}"),
        format!("{short_date}+{last}"),
        format!("{short_date} {last}"),
        format!("{short_date}\u{2013}{last}"),
        format!("{long_date} - {last}"),
        // A stray space inside the digits.
        format!("{} {}-{last}", &short_date[..4], &short_date[4..]),
        format!("{short_date}-{} {}", &last[..2], &last[2..]),
        format!("{} {}{last}", &long_date[..4], &long_date[4..]),
        // Partial forms.
        format!("{short_date}-XXXX"),
        format!("{long_date}-xxxx"),
        // OCR damage.
        ocr_damage(&format!("{short_date}-{last}")),
        ocr_damage(pin),
    ]
}

/// Put every value in a sentence; return the text and the byte range of each value.
fn sentences(values: &[String]) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut ranges = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let (pre, post) = FRAMES[i % FRAMES.len()];
        text.push_str(pre);
        ranges.push((text.len(), text.len() + v.len()));
        text.push_str(v);
        text.push_str(post);
        text.push(' ');
    }
    (text, ranges)
}

/// The values not wholly covered by PERSONNUMMER spans.
fn unmasked<'a>(detectors: &Detectors, values: &'a [String]) -> Vec<&'a str> {
    let (text, ranges) = sentences(values);
    let mut spans: Vec<_> =
        detectors.detect_str(&text).into_iter().filter(|s| s.kind == Kind::Personnummer).collect();
    spans.sort_by_key(|s| (s.start, s.end));
    let mut missed = Vec::new();
    for (v, (s, e)) in values.iter().zip(ranges) {
        let from = spans.partition_point(|sp| sp.start < s.saturating_sub(40));
        let mut at = s;
        for sp in &spans[from..] {
            if sp.start > at {
                break;
            }
            at = at.max(sp.end);
        }
        if at < e {
            missed.push(v.as_str());
        }
    }
    missed
}

#[test]
fn every_test_personnummer_and_samordningsnummer_is_masked_in_every_form() {
    let dir = data_dir();
    let detectors = Detectors::build(&DetectSettings::default()).unwrap();
    let mut pins: Vec<String> = Vec::new();
    for file in ["allPins.json", "allCoords.json"] {
        let list = load(&dir, file);
        pins.extend(
            list.as_array()
                .expect("a JSON list")
                .iter()
                .map(|p| p.as_str().expect("a string").to_string()),
        );
    }
    assert_eq!(pins.len(), 41_129 + 2_264);
    let values: Vec<String> = pins.iter().flat_map(|p| forms(p)).collect();
    let missed = unmasked(&detectors, &values);
    assert!(
        missed.is_empty(),
        "{} of {} written forms not masked, e.g. {:?}",
        missed.len(),
        values.len(),
        missed.iter().step_by((missed.len() / 12).max(1)).collect::<Vec<_>>()
    );
}

#[test]
fn interim_numbers_are_masked() {
    let dir = data_dir();
    let detectors = Detectors::build(&DetectSettings::default()).unwrap();
    let list = load(&dir, "interim.json");
    let mut values = Vec::new();
    for item in list.as_array().expect("a JSON list") {
        if item["valid"].as_bool() != Some(true) {
            continue;
        }
        for key in ["long_format", "short_format", "separated_format", "separated_long"] {
            values.push(item[key].as_str().expect("a string").to_string());
        }
    }
    assert!(!values.is_empty());
    let missed = unmasked(&detectors, &values);
    assert!(missed.is_empty(), "interim numbers not masked: {missed:?}");
}

#[test]
fn organisation_numbers_are_kept_unless_configured() {
    let dir = data_dir();
    let list = load(&dir, "orgnumber.json");
    let mut values = Vec::new();
    for item in list.as_array().expect("a JSON list") {
        for key in ["short_format", "separated_format"] {
            values.push(item[key].as_str().expect("a string").to_string());
        }
    }
    assert!(!values.is_empty());
    let keep = Detectors::build(&DetectSettings::default()).unwrap();
    assert_eq!(unmasked(&keep, &values).len(), values.len(), "an organisation number was masked");
    let mask = Detectors::build(&DetectSettings {
        keep_organisation_numbers: false,
        ..DetectSettings::default()
    })
    .unwrap();
    assert!(unmasked(&mask, &values).is_empty());
}
