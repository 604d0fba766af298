//! `ar`: the year the incident happened. The first date near words about the incident
//! ("inträffade", "upptäcktes", "händelsen" …); without one, the earliest full date.

use std::sync::LazyLock;

use regex::Regex;

const MONTHS: &str = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december";

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])((?:19|20)\d\d)[-.](?:0?[1-9]|1[0-2])[-.](?:0?[1-9]|[12]\d|3[01])(?:$|[^\d])").expect("iso")
});
static COMPACT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b((?:19|20)\d\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b").expect("compact"));
static SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:datum|den|inkom|daterad)\)?\s*:?\s*(\d\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b").expect("short")
});
static TEXTUAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\b(?:\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?(?::[ae])?\s+)?(?:{MONTHS})\s+((?:19|20)\d\d)\b")).expect("textual")
});

static YEAR_IN_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:v[aå]ren|sommaren|h[oöé]sten|vintern|under|[aå]r|i början av|i slutet av)\s+((?:19|20)\d\d)\b").expect("year")
});

const INCIDENT: [&str; 12] = [
    "inträffa", "intraffa", "hände", "hande", "händelse", "handelse", "upptäck", "upptack", "uppmärksamma", "uppmarksamma",
    "skedde", "ägde rum",
];

/// Every date in `lower` as (byte position, year), in document order.
fn dates(lower: &str) -> Vec<(usize, i32)> {
    let mut out = Vec::new();
    for re in [&*ISO, &*COMPACT, &*TEXTUAL, &*YEAR_IN_CONTEXT] {
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

/// The year of the incident, from the whole (redacted, lower-cased) text.
pub fn year(lower: &str, this_year_max: i32) -> Option<i32> {
    let ds: Vec<(usize, i32)> = dates(lower).into_iter().filter(|(_, y)| (1990..=this_year_max).contains(y)).collect();
    let near_incident = ds.iter().find(|(pos, _)| {
        let start = lower[..*pos].char_indices().rev().nth(150).map(|(i, _)| i).unwrap_or(0);
        let window = &lower[start..*pos];
        INCIDENT.iter().any(|w| window.contains(w))
    });
    near_incident.or_else(|| ds.iter().min_by_key(|(_, y)| *y)).map(|(_, y)| *y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_date_wins_over_earlier_other_dates() {
        let t = "utbildning gavs 2014-03-02. händelsen inträffade den 2019-06-22. beslut 2019-09-01.";
        assert_eq!(year(t, 2100), Some(2019));
        assert_eq!(year("undertecknat den 2021-08-22 av utredaren", 2100), Some(2021));
        assert_eq!(year("felet uppstod 23 november 2023 och rapporterades den 240614", 2100), Some(2023));
        assert_eq!(year("datum 200918 veckodag fredag", 2100), Some(2020));
        assert_eq!(year("personnummer 201207032382 och sfs 2014:5", 2100), None);
        assert_eq!(year("upptäcktes 22-26:e februari 2019", 2100), Some(2019));
        assert_eq!(year("händelserna pågick under hösten 2022", 2100), Some(2022));
    }
}
