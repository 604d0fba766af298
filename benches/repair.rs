//! Throughput of OCR repair: damaged Swedish text (repaired) and intact text (the damage
//! detector says there is nothing to do). The text is generated here from hand-written
//! sentences, degraded the way an English-model OCR reads Swedish (å/ä → a, ö → o/é/6,
//! bullets → e); nothing comes from the development corpus.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use maskera::normalize::ocr;

const SENTENCES: &[&str] = &[
    "Händelsen inträffade på ett särskilt boende för äldre under en helg i början av året.",
    "Personalen upptäckte att läkemedel inte hade delats ut enligt ordinationen under två dagar.",
    "Enhetschefen fick kännedom om det inträffade och gjorde en anmälan till förvaltningen.",
    "Utredningen bedömer att bristerna i rutinerna har bidragit till missförhållandet.",
    "Åtgärder som har vidtagits är att rutinen för överlämning har förtydligats för all personal.",
    "Brukaren har inte fått någon bestående skada men händelsen kunde ha fått allvarliga följder.",
    "Socialförvaltningen ska följa upp att de nya rutinerna är kända i hela verksamheten.",
    "Det är viktigt att dokumentationen görs löpande och att avvikelser rapporteras i tid.",
    "Nämnden beslutar att ärendet är avslutat och att en återkoppling lämnas inom sex månader.",
    "Omsorgspersonalen på natten har fått utbildning i hur larmen ska hanteras på avdelningen.",
    "En ny arbetsordning för ansvarsfördelningen mellan sjuksköterskor och undersköterskor införs.",
    "Anhöriga har informerats om händelsen och om vilka åtgärder som planeras framöver.",
    "Orsaksanalysen visar att kommunikationen mellan enheterna brustit vid flera tillfällen.",
    "Förbättringsarbetet följs upp på arbetsplatsträffar varje månad under det kommande året.",
    "Det fanns även brister i hur informationen om brukarens behov fördes vidare.",
    "Verksamheten bör säkerställa att vikarier får en introduktion innan de arbetar ensamma.",
];

/// Degrade Swedish text the way Tesseract's English model does, deterministically.
fn degrade(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        match c {
            'å' | 'ä' => out.push(if i % 23 == 0 { '&' } else { 'a' }),
            'Å' | 'Ä' => out.push('A'),
            'ö' => out.push(match i % 7 {
                0 => 'é',
                1 => '6',
                _ => 'o',
            }),
            'Ö' => out.push('O'),
            _ => out.push(c),
        }
    }
    out
}

/// About `bytes` of text: paragraphs of sentences in a shuffled order, with bullet lists.
fn document(bytes: usize) -> String {
    let mut s = String::new();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    while s.len() < bytes {
        for _ in 0..4 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push_str(SENTENCES[(x % SENTENCES.len() as u64) as usize]);
            s.push(' ');
        }
        s.push_str("\n• Rutinen ses över.\n• Personalen får utbildning.\n\n");
    }
    s
}

fn bench(c: &mut Criterion) {
    let clean = document(64 * 1024);
    let damaged = degrade(&clean).replace("\n• ", "\ne ");
    assert!(ocr::repair_text(&clean).is_none(), "intact text must pass through");
    assert!(ocr::repair_text(&damaged).is_some(), "degraded text must be detected");
    let mut g = c.benchmark_group("ocr_repair");
    g.throughput(Throughput::Bytes(damaged.len() as u64));
    // Cold: the per-thread cache of token decisions is emptied before every run (one new
    // document whose words were never seen). Warm: a batch where words recur.
    g.bench_function("damaged_64k_cold", |b| {
        b.iter(|| {
            ocr::clear_cache();
            ocr::repair_text(std::hint::black_box(&damaged))
        })
    });
    g.bench_function("damaged_64k_warm", |b| {
        b.iter(|| ocr::repair_text(std::hint::black_box(&damaged)))
    });
    g.throughput(Throughput::Bytes(clean.len() as u64));
    g.bench_function("clean_64k", |b| b.iter(|| ocr::repair_text(std::hint::black_box(&clean))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
