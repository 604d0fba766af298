//! Tests for the name detector, with invented names.

use super::*;

fn masked(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    Names::new().unwrap().detect(text, &mut v);
    v.sort_by_key(|s| s.start);
    v.iter().map(|s| text[s.start..s.end].to_string()).collect()
}

fn entities(text: &str) -> Vec<(String, String)> {
    let mut v = Vec::new();
    Names::new().unwrap().detect(text, &mut v);
    v.sort_by_key(|s| s.start);
    v.iter().map(|s| (text[s.start..s.end].to_string(), s.entity.clone().unwrap())).collect()
}

#[test]
fn smoke() {
    assert_eq!(masked("Socialsekreterare Vera Lindqvist ringde."), ["Vera Lindqvist"]);
}
