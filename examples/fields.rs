//! Print the learning fields, with their evidence, of published (redacted) text files:
//! `cargo run --release --example fields -- out/public/reports/*.txt`. With `CHECK=1`, also
//! run the detectors over the fields as they are written to `<id>.json` and print what they
//! find (a developer's aid: it prints text of the files).
use maskera::analyze::Analyzer;

fn main() {
    let analyzer = Analyzer::build(None).expect("built-in taxonomy");
    let detectors = std::env::var_os("CHECK")
        .map(|_| maskera::detect::Detectors::build(&Default::default()).expect("detectors"));
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("a UTF-8 text file");
        let fields = analyzer.analyze_published(&text);
        if std::env::var_os("EXPLAIN").is_some() {
            println!("{}", analyzer.explain(&text));
        }
        println!("== {path}\n{}", serde_json::to_string_pretty(&fields).expect("json"));
        if let Some(d) = &detectors {
            let compact = serde_json::to_string(&fields).expect("json");
            for s in d.detect_str(&compact) {
                let from = compact.floor_char_boundary(s.start.saturating_sub(40));
                let to = compact.ceil_char_boundary((s.end + 20).min(compact.len()));
                let (a, b, c) =
                    (&compact[from..s.start], &compact[s.start..s.end], &compact[s.end..to]);
                println!("!! {:?}: …{a}<<{b}>>{c}…", s.kind);
            }
        }
    }
}
