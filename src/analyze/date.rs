//! `ar`: the year the incident happened, from the report's own dates and headings: a date
//! in a form field for the incident's date ("Datum för händelsen"); else the first date
//! near words about the incident ("inträffade", "upptäcktes", "händelsen" …); else the
//! earliest full date; else the year of the case number ("Dnr SN 2021/123").

use std::sync::LazyLock;

use regex::Regex;

use super::cue::Cue;

const MONTHS: &str =
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december";

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\d])((?:19|20)\d\d)[-.](?:0?[1-9]|1[0-2])[-.](?:0?[1-9]|[12]\d|3[01])(?:$|[^\d])",
    )
    .expect("iso")
});
static COMPACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:19|20)\d\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b").expect("compact")
});
static SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:datum|den|inkom|daterad)\)?\s*:?\s*(\d\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b",
    )
    .expect("short")
});
static DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./]((?:19|20)\d\d)\b")
        .expect("dmy")
});
static TEXTUAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?(?::[ae])?\s+)?(?:{MONTHS})\s+((?:19|20)\d\d)\b"
    ))
    .expect("textual")
});
static YEAR_IN_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:v[aå]ren|sommaren|h[oöé]sten|vintern|under|[aå]r|i början av|i slutet av|i mitten av)\s+((?:19|20)\d\d)\b")
        .expect("year")
});
/// The year of a case number: "Dnr SN 2021/123", "diarienummer 2019-0456".
static CASE_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:dnr|diarienr|diarienummer|ärendenummer|ärende)\.?\s*:?\s*(?:[a-zåäö]{1,5}\s*)?((?:19|20)\d\d)\s*[/:-]\s*\d")
        .expect("case year")
});

/// Every date in `lower` as (byte position, year), in document order.
fn dates(lower: &str) -> Vec<(usize, i32)> {
    let mut out = Vec::new();
    for re in [&*ISO, &*COMPACT, &*DMY, &*TEXTUAL, &*YEAR_IN_CONTEXT] {
        for c in re.captures_iter(lower) {
            let m = c.get(1).expect("group");
            if let Ok(y) = m.as_str().parse::<i32>() {
                out.push((m.start(), y));
            }
        }
    }
    for c in SHORT.captures_iter(lower) {
        let m = c.get(1).expect("group");
        if let Ok(y) = m.as_str().parse::<i32>() {
            out.push((m.start(), 2000 + y));
        }
    }
    out.sort();
    out.dedup_by_key(|d| d.0);
    out
}

/// The words the year is read near.
pub struct YearWords<'a> {
    /// About the incident ("inträffade", "händelsen" …).
    pub incident: &'a [Cue],
    /// Form fields holding the incident's date ("datum för händelsen" …).
    pub fields: &'a [Cue],
}

/// The year of the incident in `lower` (the evidence lines of a report, lower-cased, one per
/// line), and the byte position it was read at.
pub fn year(lower: &str, words: &YearWords, this_year_max: i32) -> Option<(i32, usize)> {
    let ds: Vec<(usize, i32)> =
        dates(lower).into_iter().filter(|(_, y)| (1990..=this_year_max).contains(y)).collect();
    // 1. a date in the incident-date field: on the field's line or the next one
    for cue in words.fields {
        for (_, end) in cue.find_all(lower) {
            let line_end = lower[end..].find('\n').map_or(lower.len(), |p| end + p);
            let next_end = lower[line_end.min(lower.len())..]
                .char_indices()
                .skip(1)
                .find(|(_, c)| *c == '\n')
                .map_or(lower.len(), |(p, _)| line_end + p);
            if let Some(&(pos, y)) = ds.iter().find(|(pos, _)| *pos >= end && *pos < next_end) {
                return Some((y, pos));
            }
        }
    }
    // 2. the first date shortly after a word about the incident
    let near_incident = ds.iter().find(|(pos, _)| {
        let start = lower[..*pos].char_indices().rev().nth(150).map(|(i, _)| i).unwrap_or(0);
        let window = &lower[start..*pos];
        words.incident.iter().any(|w| w.is_in(window))
    });
    if let Some(&(pos, y)) = near_incident.or_else(|| ds.iter().min_by_key(|(_, y)| *y)) {
        return Some((y, pos));
    }
    // 3. the case number's year
    CASE_YEAR.captures(lower).and_then(|c| {
        let m = c.get(1)?;
        let y: i32 = m.as_str().parse().ok()?;
        (1990..=this_year_max).contains(&y).then_some((y, m.start()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> (Vec<Cue>, Vec<Cue>) {
        let t = super::super::taxonomy::Taxonomy::builtin();
        (t.incident_words.clone(), t.incident_fields.clone())
    }

    fn year(lower: &str, max: i32) -> Option<i32> {
        let (incident, fields) = words();
        super::year(lower, &YearWords { incident: &incident, fields: &fields }, max).map(|(y, _)| y)
    }

    #[test]
    fn incident_date_wins_over_earlier_other_dates() {
        let t =
            "utbildning gavs 2014-03-02. händelsen inträffade den 2019-06-22. beslut 2019-09-01.";
        assert_eq!(year(t, 2100), Some(2019));
        assert_eq!(year("undertecknat den 2021-08-22 av utredaren", 2100), Some(2021));
        assert_eq!(
            year("felet uppstod 23 november 2023 och rapporterades den 240614", 2100),
            Some(2023)
        );
        assert_eq!(year("datum 200918 veckodag fredag", 2100), Some(2020));
        assert_eq!(year("personnummer 201207032382 och sfs 2014:5", 2100), None);
        assert_eq!(year("upptäcktes 22-26:e februari 2019", 2100), Some(2019));
        assert_eq!(year("händelserna pågick under hösten 2022", 2100), Some(2022));
        assert_eq!(
            year("rapporten skrevs 2021-03-02.\ndatum för händelsen:\n2020-12-30", 2100),
            Some(2020)
        );
        assert_eq!(year("utskick 3/11 2019 och 14.2.2020", 2100), Some(2020));
        assert_eq!(year("dnr son 2018/4411\nett ärende utan datum", 2100), Some(2018));
    }
}
