//! Try OCR word repair on text from stdin: prints the damage measure and the repaired text.
use std::io::Read;

fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).expect("stdin is UTF-8 text");
    let d = maskera::normalize::ocr::Damage::measure(&s);
    eprintln!("{d:?} damaged={}", d.is_damaged());
    let (text, map) = maskera::normalize::ocr::repair_words(&s, |_| true);
    eprintln!("{} words replaced", map.edits.len());
    print!("{text}");
    if std::env::var_os("LEX").is_some() {
        let lex = maskera::normalize::ocr::lexicon::Lexicon::get();
        for w in s.split_whitespace() {
            eprintln!("{w}: {:?}", lex.freq(&w.to_lowercase()));
        }
    }
}
