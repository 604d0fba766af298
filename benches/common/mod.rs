//! Text and timing helpers shared by the benchmarks (`mod common;` in each bench).
//!
//! Everything here is written for the benchmarks: invented names, made-up numbers,
//! Skatteverket test personnummer, sentences in the style of a lex Sarah report. Nothing
//! comes from the development corpus. A fixed pseudo-random sequence mixes them, so every
//! run measures the same bytes.
#![allow(dead_code)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput};

pub const GIVEN: &[&str] = &[
    "Vera",
    "Olle",
    "Signe",
    "Tage",
    "Rut",
    "Ingvar",
    "Maj-Britt",
    "Yusuf",
    "Leyla",
    "Ines",
    "Juha",
    "Tiina",
    "Gösta",
    "Wilma",
    "Irma",
    "Sture",
    "Ragnar",
    "Amina",
    "Per",
    "Dag",
    "Stig",
    "Bo",
];
pub const SURNAMES: &[&str] = &[
    "Lindqvist",
    "Wahlberg",
    "Östlund",
    "Borgström",
    "Sahlin",
    "Quorvist",
    "Ekelund",
    "Warsame",
    "Kovač",
    "Laaksonen",
    "Ringqvist",
    "Åkerlund",
    "Lindfors",
    "Ekdahl",
    "Holm",
    "Björk",
    "von Platen",
    "Hedlund",
    "Tornérus",
];
pub const ROLES: &[&str] = &[
    "socialsekreterare",
    "enhetschef",
    "undersköterska",
    "handläggare",
    "kollegan",
    "mamman",
    "utredare",
];

pub const TEMPLATES: &[&str] = &[
    "Lex Sarah-rapport\n\nStorviks kommun, socialförvaltningen\nDiarienummer SN 2023/{N}\n\nNamn: {G} {S}\tTitel/funktion Enhetschef\nE-postadress {g}.{s}@storvik.example.se\n\n",
    "Beskrivning av händelsen\n\nDen 2023-04-{D} skickade {R} {G} {S} ett e-postmeddelande med en utredning om {G2} {S2} till en extern mottagare i stället för till kollegan. ",
    "Det har inte gått att få kontakt med mottagaren trots flera försök. {G} upptäckte misstaget direkt och informerade sin chef {G2} {S2}.\n",
    "Utredning av bakomliggande orsaker\n\nRutiner och riktlinjer saknades i verksamheten. Personalen hade inte fått utbildning i verksamhetssystemet Treserva och uppgifterna fanns i Outlook. Per person räknades två timmar. Dag för dag blev det bättre.\n",
    "– Vi ser allvarligt på det inträffade, säger {G} {S}, förvaltningschef. Händelsen ska anmälas till Inspektionen för vård och omsorg enligt lex Sarah. Boendet ligger i Lund.\n",
    "Åtgärder\n\nRutinen har gåtts igenom på arbetsplatsträff (APT) och personalen har påmints om sekretess. AA och BB har informerats. {S}s bedömning delades av nämnden.\n",
    "Bedömning\n\nDet rapporterade bedöms utgöra ett missförhållande. Händelsen ska inte anmälas till IVO. Ärendet avslutas.\n\nStorvik den 2023-05-{D}\n\n{G} {S}\nUtredare\n\n",
];

/// Sentences without personal data: the bulk of a report, with the numbers reports have
/// (dates, law references, amounts, case numbers, times, years).
pub const PROSE: [&str; 16] = [
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
pub const PERSONAL: [&str; 10] = [
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

/// A linear congruential generator: deterministic and dependency-free.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, n: usize) -> usize {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Report-like documents of about 4–8 KB each, `total` bytes in all: the name templates
/// (headers, signatures, names with roles, e-mail addresses) and paragraphs of prose where
/// about one sentence in twelve holds a structured identifier (personnummer, phone,
/// address, postcode, e-mail, registration number).
pub fn reports(total: usize) -> Vec<String> {
    let mut rng = Lcg(7);
    let mut docs = Vec::new();
    let mut size = 0;
    while size < total {
        let mut doc = String::new();
        for t in TEMPLATES {
            let (g, s) = (GIVEN[rng.next(GIVEN.len())], SURNAMES[rng.next(SURNAMES.len())]);
            let (g2, s2) = (GIVEN[rng.next(GIVEN.len())], SURNAMES[rng.next(SURNAMES.len())]);
            let filled = t
                .replace("{G2}", g2)
                .replace("{S2}", s2)
                .replace("{G}", g)
                .replace("{S}", s)
                .replace("{g}", &g.to_lowercase())
                .replace("{s}", &s.to_lowercase().replace(' ', ""))
                .replace("{R}", ROLES[rng.next(ROLES.len())])
                .replace("{N}", &rng.next(5000).to_string())
                .replace("{D}", &format!("{:02}", 1 + rng.next(28)));
            doc.push_str(&filled);
            for _ in 0..2 + rng.next(4) {
                let r = rng.next(1 << 20);
                let s = if r.is_multiple_of(12) {
                    PERSONAL[r / 12 % PERSONAL.len()]
                } else {
                    PROSE[r % PROSE.len()]
                };
                doc.push_str(s);
                doc.push(' ');
            }
            doc.push_str("\n\n");
        }
        size += doc.len();
        docs.push(doc);
    }
    docs
}

/// `text` broken into lines of at most `width` characters, as a PDF text layer gives it
/// (the reflow stage joins them again).
pub fn as_page_lines(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / width);
    for para in text.split("\n\n") {
        let mut line = 0;
        for word in para.split_whitespace() {
            if line > 0 && line + 1 + word.chars().count() > width {
                out.push('\n');
                line = 0;
            } else if line > 0 {
                out.push(' ');
                line += 1;
            }
            out.push_str(word);
            line += word.chars().count();
        }
        out.push_str("\n\n");
    }
    out
}

/// CPU time of the calling thread: on a shared, loaded machine wall time also counts the
/// time other processes had the core.
#[allow(unsafe_code)]
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A benchmark group `group` of `bytes` per iteration, `seconds` of measurement, with for
/// each `(name, run)` a `name/thread_cpu_time` benchmark and, when `wall`, a
/// `name/wall_time` one.
pub fn cpu_and_wall(
    c: &mut Criterion,
    group: &str,
    bytes: usize,
    seconds: u64,
    wall: bool,
    runs: &[(&str, &dyn Fn() -> usize)],
) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(seconds));
    for (name, run) in runs {
        if wall {
            g.bench_function(format!("{name}/wall_time"), |b| b.iter(run));
        }
        g.bench_function(format!("{name}/thread_cpu_time"), |b| {
            b.iter_custom(|iters| {
                let start = thread_cpu_time();
                for _ in 0..iters {
                    black_box(run());
                }
                thread_cpu_time() - start
            })
        });
    }
    g.finish();
}

/// A PDF of `text` as maskera republishes it (nothing masked).
#[allow(dead_code)]
pub fn pdf_of(text: &str) -> Vec<u8> {
    use maskera::document::{Extracted, Findings, Format, Page, PageSource};
    let pages = vec![Page::new(1, text, PageSource::TextLayer)];
    let n = maskera::normalize::normalize(&Extracted { format: Format::Text, pages });
    let (r, _) = maskera::redact::redact(&n, &Findings::default(), &Default::default(), None);
    maskera::render::pdf::render_pdf(&maskera::render::layout::Layout::of(&r)).expect("render")
}
