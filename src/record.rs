//! The masking record of a published report: how many values of each kind were masked,
//! on which legal ground (`[grounds]` in the configuration), and one Swedish sentence per
//! ground — "maskning enligt 26 kap. 1 § OSL: 7 uppgifter". Counts only, never a value.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::DEFAULT_GROUND;
use crate::document::Kind;

/// One line of the record: masked ranges of one kind and their legal ground.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordEntry {
    pub kind: &'static str,
    pub ground: String,
    pub count: usize,
}

/// The record (kinds in their fixed order, kinds with no masking left out) and the
/// statements, one per ground in order of its first kind. `grounds` are the configured
/// legal grounds per kind (kinds left out take [`DEFAULT_GROUND`]).
pub fn masking_record(
    counts: &BTreeMap<Kind, usize>,
    grounds: &BTreeMap<Kind, String>,
) -> (Vec<RecordEntry>, Vec<String>) {
    let ground =
        |k: &Kind| grounds.get(k).map(String::as_str).unwrap_or(DEFAULT_GROUND).to_string();
    let record: Vec<RecordEntry> = Kind::ALL
        .iter()
        .filter_map(|k| {
            let n = counts.get(k).copied().unwrap_or(0);
            (n > 0).then(|| RecordEntry { kind: k.as_str(), ground: ground(k), count: n })
        })
        .collect();
    let mut per_ground: Vec<(&str, usize)> = Vec::new();
    for e in &record {
        match per_ground.iter_mut().find(|(g, _)| *g == e.ground) {
            Some((_, n)) => *n += e.count,
            None => per_ground.push((&e.ground, e.count)),
        }
    }
    let statements = per_ground
        .into_iter()
        .map(|(g, n)| {
            format!("maskning enligt {g}: {n} {}", if n == 1 { "uppgift" } else { "uppgifter" })
        })
        .collect();
    (record, statements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_per_ground_with_swedish_number() {
        let mut cfg = crate::config::Config::default();
        cfg.grounds.insert(Kind::Regnr, "21 kap. 7 § OSL".into());
        let counts: BTreeMap<Kind, usize> =
            [(Kind::Name, 4), (Kind::Email, 3), (Kind::Regnr, 1), (Kind::Phone, 0)]
                .into_iter()
                .collect();
        let (record, statements) = masking_record(&counts, &cfg.grounds);
        let kinds: Vec<_> = record.iter().map(|e| (e.kind, e.count)).collect();
        assert_eq!(kinds, [("NAME", 4), ("EMAIL", 3), ("REGNR", 1)]);
        assert_eq!(
            statements,
            [
                "maskning enligt 26 kap. 1 § OSL: 7 uppgifter",
                "maskning enligt 21 kap. 7 § OSL: 1 uppgift"
            ]
        );
        let (r, s) = masking_record(&BTreeMap::new(), &cfg.grounds);
        assert!(r.is_empty() && s.is_empty());
        let json = serde_json::to_string(&record[0]).unwrap();
        assert_eq!(json, r#"{"kind":"NAME","ground":"26 kap. 1 § OSL","count":4}"#);
    }
}
