//! Detection speed on generated Swedish report text (about 12 MB), single-threaded:
//! every detector the default configuration builds (the structured kinds, e-mail, and the
//! deny-list), through `Detectors::detect_str`.
//!
//!     cargo bench --bench detect
//!
//! The text comes from the templates below (invented sentences, Skatteverket test
//! personnummer, made-up numbers), mixed by a fixed pseudo-random sequence so every run
//! measures the same bytes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use maskera::config::Config;
use maskera::detect::Detectors;

/// Sentences without personal data: the bulk of a report, with the numbers reports have
/// (dates, law references, amounts, case numbers, times, years).
const PROSE: [&str; 16] = [
    "Händelsen inträffade den 2023-05-17 på avdelningen och rapporterades samma dag till enhetschefen.",
    "Enligt 14 kap. 3 § socialtjänstlagen ska den som fullgör uppgifter inom socialtjänsten rapportera missförhållanden.",
    "Verksamheten har gått igenom rutinerna för läkemedelshantering och beslutat om en ny genomförandeplan.",
    "Utredningen visar att personalen inte hade fått tillräcklig introduktion under perioden 2022-09-01–2022-12-31.",
    "Kostnaden för åtgärderna beräknas till 125 000 kronor och ryms inom budgeten för år 2024.",
    "Ärendet har diarienummer SN 2023/1234 och handläggs av socialförvaltningen.",
    "Mötet hölls kl. 09.30–11.00 med samtliga medarbetare på boendet.",
    "Den enskilde fick vänta i drygt 45 minuter innan personal kom till lägenheten.",
    "Bedömningen är att händelsen utgjorde ett allvarligt missförhållande enligt 14 kap. 7 § SoL.",
    "Anmälan till IVO gjordes den 12 juni 2023 i enlighet med lex Sarah.",
    "Orsaken var brister i kommunikationen mellan dag- och nattpersonal vid överlämningen.",
    "Åtgärder: uppdaterad rutin, utbildning för all personal och uppföljning efter tre månader.",
    "Av 24 brukare på enheten hade 3 ingen aktuell genomförandeplan vid tillfället.",
    "Handlingsplan 2 upprättades och följs upp vid nästa arbetsplatsträff i vecka 37.",
    "Larmet aktiverades 02.15 men besvarades först 02.58 enligt loggen i systemet.",
    "Beslutet fattades med stöd av 4 kap. 1 § SoL och gäller till och med 2024-06-30.",
];

/// Sentences with structured personal data (made up; personnummer are test numbers).
const PERSONAL: [&str; 10] = [
    "Rapporten gäller brukaren med personnummer 19850101-2382 som bor på enheten.",
    "Kontaktperson nås på 070-123 45 67 eller via växeln 08-123 456 78.",
    "Skicka svar till handlaggare.namn@kommun.example.se senast fredag.",
    "Brukaren bor på Storgatan 12 B, 111 22 Stockholm sedan flera år.",
    "Anhörig kan nås på +46 (0)70 765 43 21 under kvällstid.",
    "Handlingarna skickades till Box 1234, 123 45 Orten.",
    "Den enskilde (090101+9810) har insatser enligt LSS.",
    "Fordonet med registreringsnummer KTR 482 stod parkerat utanför.",
    "Uppgifterna finns hos namn (at) kommun punkt se enligt beslutet.",
    "Samordningsnummer 700178-2395 användes i journalen.",
];

fn report_text(min_bytes: usize) -> String {
    let mut text = String::with_capacity(min_bytes + 4096);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    while text.len() < min_bytes {
        // A paragraph of 4–8 sentences; about one in twelve sentences holds personal data.
        for _ in 0..4 + next() % 5 {
            let r = next();
            let s = if r % 12 == 0 { PERSONAL[r / 12 % PERSONAL.len()] } else { PROSE[r % PROSE.len()] };
            text.push_str(s);
            text.push(' ');
        }
        text.push_str("\n\n");
    }
    text
}

fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn bench(c: &mut Criterion) {
    let text = report_text(12 * 1024 * 1024);
    let detectors = Detectors::build(&Config::default()).expect("detectors build");
    let mut group = c.benchmark_group("detect");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("wall_time", |b| b.iter(|| black_box(detectors.detect_str(black_box(&text)))));
    // The same measured in this thread's CPU time: on a shared, loaded machine wall time
    // also counts the time other processes had the core.
    group.bench_function("thread_cpu_time", |b| {
        b.iter_custom(|iters| {
            let start = thread_cpu_time();
            for _ in 0..iters {
                black_box(detectors.detect_str(black_box(&text)));
            }
            thread_cpu_time() - start
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
