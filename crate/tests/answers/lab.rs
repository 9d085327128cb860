//! Beyond the post: the modern guidance family (guidance interval, APG, CFG-Zero*, autoguidance,
//! guidance rescale) against CFG on `overlapping`, `face` and `spirals`, network and exact field, each at the
//! strength where every class's hit rate first reaches 0.99 (or its best), and CFG-Zero* on a
//! model stopped at a tenth of its training. Prints docs/results.md's tables and checks the answers.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use cfg_playground::datasets::Dataset;
use cfg_playground::field::Source;
use cfg_playground::method::rescale::DEFAULT_PHI;
use cfg_playground::method::{self, Apg, Method, Models, Schedule, DEFAULT_INTERVAL, DEFAULT_ZERO_STEPS};
use cfg_playground::method::{Autoguidance, CfgRescale, CfgZeroStar, GuidanceInterval};
use cfg_playground::metrics;
use cfg_playground::mixture::Mixture;
use cfg_playground::model_file::ModelFile;
use cfg_playground::rng::{self, stream};
use cfg_playground::sample::SampleConfig;
use ndarray::Array2;

use super::model;

/// Samples per class (fewer than the other tables: this one runs about 200 sampling runs).
const N: usize = 2000;
/// The strengths scanned, lowest first.
const WS: [f32; 8] = [1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 9.0];
/// The hit rate every class must reach.
const TARGET: f64 = 0.99;
const DATA: [&str; 3] = ["overlapping", "face", "spirals"];

/// One data set's reference data and support threshold (the schedules' answers use it too).
pub(crate) struct Bench {
    pub(crate) d: Dataset,
    pub(crate) mixture: Mixture,
    pub(crate) threshold: f64,
    pub(crate) class_data: Vec<Array2<f32>>,
}

impl Bench {
    pub(crate) fn new(d: Dataset) -> Bench {
        let mixture = d.mixture();
        let mut r = rng::seeded(0, stream::EVAL_REF);
        let (all, _) = d.sample(20_000, &mut r);
        let threshold = metrics::support_threshold(&mixture, all.view());
        let class_data = (0..d.n_classes()).map(|c| d.sample_class(c as u32, N, &mut r)).collect();
        Bench { d, mixture, threshold, class_data }
    }
}

/// A method measured at one strength: the worst class's hit rate, the others averaged over classes.
#[derive(Clone, Copy, Debug)]
struct Point {
    w: f32,
    hit: f64,
    div: f64,
    off: f64,
    w2: f64,
    calls: usize,
}

fn measure(b: &Bench, source: Source, models: Models, m: &Method, w: f32) -> Point {
    let cfg = SampleConfig { n: N, steps: 100, guidance: w, ..SampleConfig::default() };
    let k = b.d.n_classes();
    let mut proj = rng::seeded(0, stream::PROJECTIONS);
    let mut p = Point { w, hit: 1.0, div: 0.0, off: 0.0, w2: 0.0, calls: 0 };
    for c in 0..k as u32 {
        let (x, stats) = method::generate_with(&b.d, source, models, m, Some(c), &cfg).unwrap();
        p.hit = p.hit.min(metrics::hit_rate(&metrics::classify(&b.mixture, x.view()), c));
        p.div += metrics::diversity(x.view(), &b.mixture, Some(c)) / k as f64;
        p.off += metrics::off_support(&b.mixture, x.view(), b.threshold) / k as f64;
        p.w2 += metrics::sliced_w2(x.view(), b.class_data[c as usize].view(), 64, &mut proj) / k as f64;
        p.calls = stats.calls_per_sample;
    }
    p
}

/// The first strength of [`WS`] where every class's hit rate reaches [`TARGET`], or the best
/// (the lowest w of the highest hit rate); and whether it reached.
fn at_target(b: &Bench, source: Source, models: Models, m: &Method) -> (Point, bool) {
    let mut best: Option<Point> = None;
    for w in WS {
        let p = measure(b, source, models, m, w);
        if p.hit >= TARGET {
            return (p, true);
        }
        if best.is_none_or(|q| p.hit > q.hit) {
            best = Some(p);
        }
    }
    (best.unwrap(), false)
}

fn methods() -> [(&'static str, Method); 6] {
    let (t_lo, t_hi) = DEFAULT_INTERVAL;
    assert_eq!(DEFAULT_PHI, 0.7, "cfg-rescale's label names its default φ");
    [
        ("cfg", Method::CFG),
        ("guidance-interval [0.15, 0.8]", Method::GuidanceInterval(GuidanceInterval { t_lo, t_hi })),
        ("apg (η = 0)", Method::Apg(Apg::default())),
        (
            "cfg-zero-star (K = 1)",
            Method::CfgZeroStar(CfgZeroStar { zero_steps: DEFAULT_ZERO_STEPS, schedule: Schedule::CONSTANT }),
        ),
        (
            "autoguidance",
            Method::Autoguidance(Autoguidance {
                guide_widen: method::autoguidance::DEFAULT_WIDEN,
                schedule: Schedule::CONSTANT,
            }),
        ),
        ("cfg-rescale (φ = 0.7)", Method::CfgRescale(CfgRescale { phi: DEFAULT_PHI as f32 })),
    ]
}

fn row(out: &mut String, name: &str, field: &str, label: &str, p: &Point, reached: bool, exact: bool) {
    let w = if reached { format!("{}", p.w) } else { format!("{} (best; not reached)", p.w) };
    let calls = if exact { "0 (exact)".to_string() } else { p.calls.to_string() };
    writeln!(
        out,
        "| {name} | {field} | {label} | {w} | {:.3} | {:.3} | {:.4} | {:.3} | {calls} |",
        p.hit, p.div, p.off, p.w2
    )
    .unwrap();
}

/// Each method at the strength where its hit rate first reaches 0.99 (or its best).
pub fn each_method_at_equal_precision() {
    // the table is printed whole at the end: the other answers test runs in parallel
    let mut out = String::new();
    writeln!(out, "\n### The guidance family at equal precision: each method at the first w of 1, 1.5, 2, 3, 4, 5, 7, 9 where every class's hit rate reaches {TARGET} (or its best), {N} samples per class, 100 Euler steps; metrics averaged over the classes (hit: the worst class)\n").unwrap();
    writeln!(out, "| data set | field | method | w | hit | diversity | off-support | sliced W2 to the class | calls per sample |").unwrap();
    writeln!(out, "|---|---|---|---|---|---|---|---|---|").unwrap();
    let mut checks = Vec::new();
    for name in DATA {
        let file = model(name);
        let guide = model(&format!("guide-{name}"));
        let b = Bench::new(file.dataset.clone());
        for exact in [false, true] {
            let (source, field) = if exact {
                (Source::Exact, "exact (guide: covariances × 1.5)")
            } else {
                (Source::Network(&file.model), "network")
            };
            let models = if exact {
                Models::default()
            } else {
                Models { classifier: None, guide: Some(&guide.model) }
            };
            let mut cfg_point = None;
            for (label, m) in methods() {
                let (p, reached) = at_target(&b, source, models, &m);
                row(&mut out, name, field, label, &p, reached, exact);
                if m == Method::CFG {
                    cfg_point = Some(p);
                    checks.push((reached, format!("{name} {field}: CFG reaches {TARGET} by w = 9")));
                }
                if name == "overlapping" && matches!(m, Method::CfgRescale(_)) {
                    let cfg = cfg_point.unwrap();
                    // the answer docs/results.md gives: guidance rescale reaches CFG's precision at a
                    // higher w with more spread, and lands no closer to the class
                    checks.push((reached, format!("{name} {field}: cfg-rescale reaches {TARGET}")));
                    checks.push((p.w > cfg.w, format!("{name} {field}: cfg-rescale at w = {}", p.w)));
                    let div = format!(
                        "{name} {field}: cfg-rescale's diversity {} against CFG's {}",
                        p.div, cfg.div
                    );
                    checks.push((p.div > cfg.div + 0.2, div));
                    let w2 = format!("{name} {field}: cfg-rescale's W2 {} against CFG's {}", p.w2, cfg.w2);
                    checks.push((p.w2 >= cfg.w2, w2));
                }
                if name == "spirals" && !exact && matches!(m, Method::Autoguidance(_)) {
                    let cfg = cfg_point.unwrap();
                    // the answer docs/results.md gives: autoguidance reaches the precision with less
                    // off-support and no diversity loss, landing closer to the class than CFG
                    checks.push((reached, format!("spirals: autoguidance reaches {TARGET}")));
                    let off =
                        format!("spirals: autoguidance's off-support {} against CFG's {}", p.off, cfg.off);
                    checks.push((p.off <= cfg.off + 0.002, off));
                    checks.push((p.div >= 0.95, format!("spirals: autoguidance's diversity {}", p.div)));
                    checks.push((
                        p.w2 < cfg.w2,
                        format!("spirals: sliced W2 {} against CFG's {}", p.w2, cfg.w2),
                    ));
                }
            }
        }
    }
    print!("{out}");
    for (ok, what) in checks {
        assert!(ok, "{what}");
    }
}

/// A model stopped at a tenth of the shipped training (800 of 8000 steps), trained with the CLI.
fn early_model(name: &str) -> ModelFile {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let out = dir.join(format!("early-{name}.json"));
    let o = Command::new(env!("CARGO_BIN_EXE_cfg-playground"))
        .args(["train", "--dataset", name, "--width", "64", "--depth", "3", "--steps", "800", "--seed", "0"])
        .args(["--dtype", "f16", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    read(&out)
}

fn read(path: &Path) -> ModelFile {
    let bytes = std::fs::read(path).unwrap();
    ModelFile::from_json_any(&bytes).unwrap().0
}

/// Does CFG-Zero* help a model stopped at a tenth of its training? Both at w = 3, and at the
/// shipped model for comparison.
pub fn zero_star_early_in_training() {
    let mut out = String::new();
    writeln!(out, "\n### CFG-Zero* (K = 1) against CFG on a model stopped at a tenth of its training (800 of 8000 steps) and on the shipped model, w = 3, {N} samples per class, 100 Euler steps\n").unwrap();
    writeln!(
        out,
        "| data set | model | CFG hit / div / off-support / W2 | CFG-Zero* hit / div / off-support / W2 |"
    )
    .unwrap();
    writeln!(out, "|---|---|---|---|").unwrap();
    let zero =
        Method::CfgZeroStar(CfgZeroStar { zero_steps: DEFAULT_ZERO_STEPS, schedule: Schedule::CONSTANT });
    let mut checks = Vec::new();
    for name in DATA {
        let shipped = model(name);
        let early = early_model(name);
        let b = Bench::new(shipped.dataset.clone());
        for (label, file) in [("10% trained", &early), ("shipped", &shipped)] {
            let src = Source::Network(&file.model);
            let a = measure(&b, src, Models::default(), &Method::CFG, 3.0);
            let z = measure(&b, src, Models::default(), &zero, 3.0);
            writeln!(
                out,
                "| {name} | {label} | {:.3} / {:.3} / {:.4} / {:.3} | {:.3} / {:.3} / {:.4} / {:.3} |",
                a.hit, a.div, a.off, a.w2, z.hit, z.div, z.off, z.w2
            )
            .unwrap();
            // the answer docs/results.md gives: CFG-Zero* lands closer to the class at the same w, on the
            // early model and the shipped one alike (its s* < 1 weakens the guidance)
            checks
                .push((z.w2 < a.w2, format!("{name} {label}: CFG-Zero* W2 {} against CFG's {}", z.w2, a.w2)));
            checks.push((a.calls == 200, format!("{name}: CFG spends {} calls", a.calls)));
            checks.push((
                z.calls == 198,
                format!("{name}: CFG-Zero* spends {} calls, not 198 (none in its first step)", z.calls),
            ));
        }
    }
    print!("{out}");
    for (ok, what) in checks {
        assert!(ok, "{what}");
    }
}
