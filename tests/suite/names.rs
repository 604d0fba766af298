//! End-to-end tests of name detection (issue 16) on the invented minutes in
//! `fixtures/names-protokoll.txt`: attendee lists with check boxes, surname-first entries,
//! a register, population-wide names, particles, possessives, initials in signatures, e-mail
//! headers, names that are also words, and English and Norwegian passages. Every person in
//! the fixture is invented.

use std::process::Command;

use crate::support::{BIN, fixtures};

/// Publish one fixture; its manifest entry and published text.
fn publish(fixture: &str) -> (serde_json::Value, String) {
    let tmp = tempfile::tempdir().unwrap();
    let input = fixtures().join(fixture);
    let out = tmp.path().join("out");
    let o = Command::new(BIN)
        .arg("run")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .output()
        .unwrap();
    let manifest = std::fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(manifest.lines().next().unwrap()).unwrap();
    assert_eq!(o.status.code(), Some(0), "{entry}");
    let id = entry["id"].as_str().unwrap();
    let txt =
        std::fs::read_to_string(out.join("public/reports").join(format!("{id}.txt"))).unwrap();
    (entry, txt)
}

/// The placeholder standing where `before` is followed by `after` in the published text.
fn placeholder_between(txt: &str, before: &str, after: &str) -> String {
    let start =
        txt.find(before).unwrap_or_else(|| panic!("{before:?} not in {txt}")) + before.len();
    let rest = &txt[start..];
    let end = rest.find(after).unwrap_or_else(|| panic!("{after:?} not after {before:?} in {txt}"));
    rest[..end].trim().to_string()
}

#[test]
fn every_name_form_is_masked_and_every_word_kept() {
    let (entry, txt) = publish("names-protokoll.txt");
    assert_eq!(entry["status"], "published");
    // No name of the fixture is readable, in any form.
    for name in [
        "Oksana",
        "Hrytsenko",
        "Wennerholm",
        "Gunvor",
        "Halonen",
        "HALONEN",
        "Tuulikki",
        "Signy",
        "Þórsdóttir",
        "Hrafnhildur",
        "Östen",
        "Quist",
        "Amadou",
        "Jelena",
        "Mihajlović",
        "Thanawat",
        "Srisuk",
        "Ghorbani",
        "Ottilia",
        "Ruuth",
        "Beatrice",
        "Essen",
        "Björn Ek",
        "Viola Lind",
        "/ TH",
        "Sign. OH",
        "91 64 31 25",
        "99461800",
    ] {
        assert!(!txt.contains(name), "{name} readable in:\n{txt}");
    }
    // Ordinary words stay: headings, a shortened compound, words that are also names, and
    // the English and Norwegian passages.
    for word in [
        "Årets uppföljning",
        "INGÅR I UPPDRAGET",
        "Vård- och omsorgsnämnden",
        "En björn sågs vid ån, och i\nparken växer en ek och en lind. Hon spelar viola.",
        "Den som har saken er ikke til stede.",
        "The Board of Directors met on Monday. The Annual Report and the Financial Statement",
        "approved by the Board, and the Board thanked the Staff.",
    ] {
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat(&txt).contains(&flat(word)), "{word:?} lost in:\n{txt}");
    }
}

#[test]
fn a_person_keeps_one_number_in_every_form() {
    let (_, txt) = publish("names-protokoll.txt");
    // Surname first in the attendee list, given name first in the text, the surname alone,
    // ALL CAPS and in the register: one number.
    let chair = placeholder_between(&txt, "[X] ", ", ordförande");
    assert!(chair.starts_with("[PERSON "), "{chair}");
    assert_eq!(placeholder_between(&txt, "Ordföranden ", " öppnade"), chair);
    assert_eq!(placeholder_between(&txt, "mötet. ", " hälsade"), chair);
    assert_eq!(placeholder_between(&txt, "välkomna och ", " konstaterade"), chair);
    assert_eq!(placeholder_between(&txt, "Kontaktlista\n", "\n"), chair);
    // Initials in signature position are the person's whose initials they are.
    assert_eq!(placeholder_between(&txt, "______ / ", "\n"), chair);
    let sender = placeholder_between(&txt, "Från: ", " <");
    assert_eq!(placeholder_between(&txt, "Sign. ", "\n"), sender);
    // The child named in the possessive is the child named in full.
    let child = placeholder_between(&txt, "kom från ", " skola");
    assert_eq!(placeholder_between(&txt, "där ", " går"), child);
    // Two persons sharing a surname that is a word are two persons.
    assert_ne!(
        placeholder_between(&txt, "sekreterare [X] ", "\n"),
        placeholder_between(&txt, " och ", " hade")
    );
}
