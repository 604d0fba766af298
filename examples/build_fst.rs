//! Build the lexicon FSTs in `patterns/` from sorted text lists (run by scripts/build-lexicon.py).
//!
//! Usage: build_fst set  WORDS.txt  OUT.fst   (one word per line, sorted by bytes, unique)
//!        build_fst map  WORDS.tsv  OUT.fst   (word TAB value, sorted by bytes, unique)
use std::io::{BufRead, BufReader, BufWriter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        return Err("usage: build_fst set|map INPUT OUTPUT".into());
    }
    let input = BufReader::new(std::fs::File::open(&args[2])?);
    let out = BufWriter::new(std::fs::File::create(&args[3])?);
    match args[1].as_str() {
        "set" => {
            let mut b = fst::SetBuilder::new(out)?;
            for line in input.lines() {
                b.insert(line?.as_bytes())?;
            }
            b.finish()?;
        }
        "map" => {
            let mut b = fst::MapBuilder::new(out)?;
            for line in input.lines() {
                let line = line?;
                let (w, v) = line.split_once('\t').ok_or("a line has no TAB")?;
                b.insert(w.as_bytes(), v.trim().parse::<u64>()?)?;
            }
            b.finish()?;
        }
        other => return Err(format!("unknown mode {other}: use set or map").into()),
    }
    Ok(())
}
