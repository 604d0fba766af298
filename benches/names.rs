//! Throughput of the whole detector set (names, e-mail, deny-list) on generated Swedish
//! reports: `cargo bench --bench names`. The text comes from templates written for this
//! benchmark, with invented names; about 12 MB in documents of a few kilobytes each, as the
//! pipeline sees them.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use maskera::config::Config;
use maskera::detect::Detectors;

const GIVEN: &[&str] = &[
    "Vera", "Olle", "Signe", "Tage", "Rut", "Ingvar", "Maj-Britt", "Yusuf", "Leyla", "Ines", "Juha", "Tiina", "Gösta",
    "Wilma", "Irma", "Sture", "Ragnar", "Amina", "Per", "Dag", "Stig", "Bo",
];
const SURNAMES: &[&str] = &[
    "Lindqvist", "Wahlberg", "Östlund", "Borgström", "Sahlin", "Quorvist", "Ekelund", "Warsame", "Kovač", "Laaksonen",
    "Ringqvist", "Åkerlund", "Lindfors", "Ekdahl", "Holm", "Björk", "von Platen", "Hedlund", "Tornérus",
];
const ROLES: &[&str] = &["socialsekreterare", "enhetschef", "undersköterska", "handläggare", "kollegan", "mamman", "utredare"];

const TEMPLATES: &[&str] = &[
    "Lex Sarah-rapport\n\nStorviks kommun, socialförvaltningen\nDiarienummer SN 2023/{N}\n\nNamn: {G} {S}\tTitel/funktion Enhetschef\nE-postadress {g}.{s}@storvik.example.se\n\n",
    "Beskrivning av händelsen\n\nDen 2023-04-{D} skickade {R} {G} {S} ett e-postmeddelande med en utredning om {G2} {S2} till en extern mottagare i stället för till kollegan. ",
    "Det har inte gått att få kontakt med mottagaren trots flera försök. {G} upptäckte misstaget direkt och informerade sin chef {G2} {S2}.\n",
    "Utredning av bakomliggande orsaker\n\nRutiner och riktlinjer saknades i verksamheten. Personalen hade inte fått utbildning i verksamhetssystemet Treserva och uppgifterna fanns i Outlook. Per person räknades två timmar. Dag för dag blev det bättre.\n",
    "– Vi ser allvarligt på det inträffade, säger {G} {S}, förvaltningschef. Händelsen ska anmälas till Inspektionen för vård och omsorg enligt lex Sarah. Boendet ligger i Lund.\n",
    "Åtgärder\n\nRutinen har gåtts igenom på arbetsplatsträff (APT) och personalen har påmints om sekretess. AA och BB har informerats. {S}s bedömning delades av nämnden.\n",
    "Bedömning\n\nDet rapporterade bedöms utgöra ett missförhållande. Händelsen ska inte anmälas till IVO. Ärendet avslutas.\n\nStorvik den 2023-05-{D}\n\n{G} {S}\nUtredare\n\n",
];

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn documents(total: usize) -> Vec<String> {
    let mut rng = Lcg(7);
    let mut docs = Vec::new();
    let mut size = 0;
    while size < total {
        let mut doc = String::new();
        for _ in 0..3 {
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
            }
        }
        size += doc.len();
        docs.push(doc);
    }
    docs
}

fn bench(c: &mut Criterion) {
    let detectors = Detectors::build(&Config::default()).expect("detectors");
    let docs = documents(12 * 1024 * 1024);
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut g = c.benchmark_group("detectors");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(20));
    g.bench_function("all kinds, generated reports", |b| {
        b.iter(|| docs.iter().map(|d| detectors.detect_str(d).len()).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
