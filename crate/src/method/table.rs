//! The method table: one row per sampling method ([`METHODS`], the types in `method/spec.rs`),
//! the list of methods ([`Method`] and its switches, generated from the same entries by
//! `methods!` in `method/list.rs`), and `docs/methods.md` generated from it ([`markdown`];
//! `UPDATE_DOCS=1 cargo test --lib method::table` rewrites it, and a test fails while it is
//! stale). Adding a method adds one entry here: `Variant in module = its row`.

use serde::Serialize;

use super::apg::{MAX_ETA, MAX_NORM_THRESHOLD};
use super::autoguidance::{DEFAULT_WIDEN, MAX_WIDEN};
use super::list::methods;
use super::rescale::DEFAULT_PHI;
use super::rule::MethodRule;
use super::schedule::{Schedule, Shape};
use super::spec::{Kind, MethodSpec, Needs, Param, Runs, Values};
use super::{DEFAULT_INTERVAL, DEFAULT_ZERO_STEPS};
use crate::caps::{MAX_GUIDANCE, MAX_NOISE_SCALE, MAX_SAMPLER_STEPS, MAX_VELOCITY_SCALE};
use crate::sampler::Solver;
use crate::sde::{DEFAULT_SDE_NOISE, MAX_SDE_NOISE};
use crate::temperature::{Clock, TEMPERATURE_RANGE};

const fn number(
    name: &'static str,
    flag: Option<&'static str>,
    js: &'static str,
    lo: f64,
    hi: f64,
    default: f64,
    doc: &'static str,
) -> Param {
    Param { name, flag, js, kind: Kind::Number { lo, hi, open: false }, default: Some(default), doc }
}

const RCFG: [Param; 2] = [
    number(
        "lambda_max",
        Some("--lambda-max"),
        "lambdaMax",
        0.0,
        MAX_GUIDANCE,
        2.0,
        "λ_max in α(t) = λ_max·(1 − t)^γ",
    ),
    number("gamma", Some("--gamma"), "gamma", 0.0, 10.0, 1.0, "γ in α(t) = λ_max·(1 − t)^γ"),
];
const NOISE_SCALE: [Param; 1] =
    [number("tau", Some("--tau"), "tau", 0.0, MAX_NOISE_SCALE, 1.0, "τ of the start noise x0 ~ N(0, τ²I)")];
const CLOCKS: [&str; 2] = ["sampler", "rescaled"];
const VELOCITY_SCALE: [Param; 2] = [
    number("temperature", Some("--temperature"), "temperature", 0.0, MAX_VELOCITY_SCALE, 1.0, "T in v ← T·v"),
    Param {
        name: "clock",
        flag: None,
        js: "clock",
        kind: Kind::Choice { of: &CLOCKS },
        default: Some(0.0),
        doc: "the time T·v is read at: the sampler's t (the post's loop) or T·t (an exact time rescaling)",
    },
];
const TEMPERED: [Param; 1] = [number(
    "temperature",
    Some("--temperature"),
    "temperature",
    TEMPERATURE_RANGE.0,
    TEMPERATURE_RANGE.1,
    1.0,
    "T in p(x|c)^(1/T)",
)];
/// The window [t_lo, t_hi]: guidance-interval's interval, and the `interval` schedule's window.
const INTERVAL: [Param; 2] = [
    number(
        "t_lo",
        Some("--t-lo"),
        "tLo",
        0.0,
        1.0,
        DEFAULT_INTERVAL.0 as f64,
        "the window [t_lo, t_hi] of guidance-interval and of the interval schedule (t = 0 noise, 1 data)",
    ),
    number("t_hi", Some("--t-hi"), "tHi", 0.0, 1.0, DEFAULT_INTERVAL.1 as f64, "the end of that window"),
];
const ZERO_STAR: [Param; 1] = [Param {
    name: "zero_steps",
    flag: Some("--zero-steps"),
    js: "zeroSteps",
    kind: Kind::Whole { lo: 0.0, hi: MAX_SAMPLER_STEPS as f64 },
    default: Some(DEFAULT_ZERO_STEPS as f64),
    doc: "the first K steps output zero velocity (at most the run's steps)",
}];
const APG: [Param; 3] = [
    number(
        "eta",
        Some("--eta"),
        "eta",
        0.0,
        MAX_ETA,
        0.0,
        "weight η of the guidance's part parallel to the data prediction",
    ),
    Param {
        name: "norm_threshold",
        flag: Some("--norm-threshold"),
        js: "normThreshold",
        kind: Kind::Number { lo: 0.0, hi: MAX_NORM_THRESHOLD, open: false },
        default: None,
        doc: "cap r on the guidance's norm in data-prediction space (none: no cap)",
    },
    Param {
        name: "momentum",
        flag: Some("--momentum"),
        js: "momentum",
        kind: Kind::Number { lo: 0.0, hi: 1.0, open: true },
        default: Some(0.0),
        doc: "momentum β of the guidance's running average",
    },
];
const AUTOGUIDANCE: [Param; 1] = [number(
    "guide_widen",
    Some("--guide-widen"),
    "guideWiden",
    1.0,
    MAX_WIDEN,
    DEFAULT_WIDEN,
    "on the exact field: the guide mixture's covariances are the data's times this factor",
)];

/// The schedule of w(t) every method with a meaningful w(t) takes, and its window (for `interval`).
pub(super) const SCHEDULE: [Param; 3] = [
    Param {
        name: "schedule",
        flag: Some("--schedule"),
        js: "schedule",
        kind: Kind::Choice { of: &Shape::NAMES },
        default: Some(0.0),
        doc: "w(t) = 1 + (w − 1)·s(t), s of mean 1 (Guidance schedules, below)",
    },
    INTERVAL[0],
    INTERVAL[1],
];
const ZERO_STAR_SCHEDULED: [Param; 4] = [ZERO_STAR[0], SCHEDULE[0], SCHEDULE[1], SCHEDULE[2]];
const APG_SCHEDULED: [Param; 6] = [APG[0], APG[1], APG[2], SCHEDULE[0], SCHEDULE[1], SCHEDULE[2]];
const AUTOGUIDANCE_SCHEDULED: [Param; 4] = [AUTOGUIDANCE[0], SCHEDULE[0], SCHEDULE[1], SCHEDULE[2]];
const WINDOW: [(&str, &str); 1] = [("t_lo", "t_hi")];

/// The schedule of a row with [`SCHEDULE`]'s parameters (one copy for the five rows: the page's
/// wasm has a size budget).
#[inline(never)]
fn schedule(v: &Values) -> Schedule {
    Schedule {
        shape: Shape::ALL[v.num("schedule") as usize],
        t_lo: v.num("t_lo") as f32,
        t_hi: v.num("t_hi") as f32,
    }
}

const FKC: [Param; 1] = [number(
    "sde_noise",
    Some("--sde-noise"),
    "sdeNoise",
    0.0,
    MAX_SDE_NOISE,
    DEFAULT_SDE_NOISE as f64,
    "noise level η of the SDE the particles follow (η = 0: the ODE, where resampling cannot spread copies); also the η of `--solver sde` for every method",
)];

const fn row(
    name: &'static str,
    what: &'static str,
    calls: &'static str,
    build: fn(&Values) -> Method,
) -> MethodSpec {
    MethodSpec {
        name,
        what,
        calls,
        needs: Needs::Nothing,
        runs: Runs::Both,
        solver: None,
        params: &[],
        ordered: &[],
        build,
    }
}

methods! {
    Cfg in cfg = MethodSpec {
        params: &SCHEDULE,
        ordered: &WINDOW,
        ..row("cfg", "v_u + w(t)·(v_c − v_u), w(t) by its schedule", "2 (1 at w(t) ∈ {0, 1})", |v| Method::Cfg(Cfg {
            schedule: schedule(v),
        }))
    },
    RectifiedCfg in rectified_cfg = MethodSpec {
        solver: Some(Solver::Euler),
        params: &RCFG,
        ..row(
            "rectified-cfg",
            "predictor–corrector guidance, α(t) = λ_max·(1 − t)^γ (`rcfg.rs`)",
            "3",
            |v| Method::RectifiedCfg(RectifiedCfg { lambda_max: v.num("lambda_max") as f32, gamma: v.num("gamma") as f32 }),
        )
    },
    NoiseScale in noise_scale = MethodSpec {
        params: &NOISE_SCALE,
        ..row("noise-scale", "CFG at w from x0 ~ N(0, τ²I)", "as `cfg`", |v| Method::NoiseScale(NoiseScale { tau: v.num("tau") as f32 }))
    },
    VelocityScale in velocity_scale = MethodSpec {
        params: &VELOCITY_SCALE,
        ..row(
            "velocity-scale",
            "the post's \"v ← T·v\": a time rescaling, not a temperature (`temperature.rs`)",
            "as `cfg`",
            |v| Method::VelocityScale(VelocityScale {
                temperature: v.num("temperature") as f32,
                clock: if v.num("clock") == 1.0 { Clock::Rescaled } else { Clock::Sampler },
            }),
        )
    },
    Tilted in tilted = MethodSpec {
        runs: Runs::ExactOnly,
        ..row("tilted", "exact samples of p(x)^(1−w)·p(x|c)^w on a grid (no network)", "0", |_| Method::Tilted(Tilted))
    },
    Tempered in tempered = MethodSpec {
        runs: Runs::ExactOnly,
        params: &TEMPERED,
        ..row("tempered", "exact samples of p(x|c)^(1/T) on a grid (no network)", "0", |v| Method::Tempered(Tempered {
            temperature: v.num("temperature"),
        }))
    },
    Student in student = MethodSpec {
        needs: Needs::Student,
        runs: Runs::NetworkOnly,
        solver: Some(Solver::Euler),
        ..row("student", "a distilled student, w as its input (`distill.rs`)", "1", |_| Method::Student(Student))
    },
    Classifier in classifier = MethodSpec {
        needs: Needs::Classifier,
        params: &SCHEDULE,
        ordered: &WINDOW,
        ..row(
            "classifier",
            "v_u + λ·((1−t)/t)·∇log p(c|x_t), λ = w (`classifier.rs`); a classifier network or the exact Bayes classifier",
            "1 + 2 (classifier forward and backward)",
            |v| Method::Classifier(Classifier { schedule: schedule(v) }),
        )
    },
    GuidanceInterval in interval = MethodSpec {
        params: &INTERVAL,
        ordered: &[("t_lo", "t_hi")],
        ..row(
            "guidance-interval",
            "CFG at w for t in [t_lo, t_hi], w = 1 outside (Kynkäänniemi et al. 2024; `method/interval.rs`)",
            "2 inside the interval, 1 outside",
            |v| Method::GuidanceInterval(GuidanceInterval { t_lo: v.num("t_lo") as f32, t_hi: v.num("t_hi") as f32 }),
        )
    },
    CfgZeroStar in zero_star = MethodSpec {
        params: &ZERO_STAR_SCHEDULED,
        ordered: &WINDOW,
        ..row(
            "cfg-zero-star",
            "s*·v_u + w·(v_c − s*·v_u), s* = ⟨v_c, v_u⟩/‖v_u‖², zero velocity in the first K steps (Fan et al. 2025; `method/zero_star.rs`)",
            "2 (0 in the first K steps)",
            |v| Method::CfgZeroStar(CfgZeroStar { zero_steps: v.num("zero_steps") as usize, schedule: schedule(v) }),
        )
    },
    Apg in apg = MethodSpec {
        params: &APG_SCHEDULED,
        ordered: &WINDOW,
        ..row(
            "apg",
            "adaptive projected guidance: the guidance's part along x̂1_c weighted by η, its norm capped at r, momentum β (Sadat et al. 2024; `method/apg.rs`)",
            "2",
            |v| Method::Apg(Apg {
                eta: v.num("eta") as f32,
                norm_threshold: v.opt("norm_threshold").map(|r| r as f32),
                momentum: v.num("momentum") as f32,
                schedule: schedule(v),
            }),
        )
    },
    Autoguidance in autoguidance = MethodSpec {
        needs: Needs::Guide,
        params: &AUTOGUIDANCE_SCHEDULED,
        ordered: &WINDOW,
        ..row(
            "autoguidance",
            "v_bad + w·(v_good − v_bad), both conditional, the guide a weaker model of the same data; on the exact field the mixture with covariances × `guide_widen` (Karras et al. 2024; `method/autoguidance.rs`)",
            "2 (1 model + 1 guide)",
            |v| Method::Autoguidance(Autoguidance { guide_widen: v.num("guide_widen"), schedule: schedule(v) }),
        )
    },
    Fkc in fkc = MethodSpec {
        solver: Some(Solver::Sde),
        params: &FKC,
        ..row(
            "fkc",
            "Feynman–Kac-corrected CFG: particles follow the CFG SDE at η with log-weights d log W = w(w−1)·t/(1−t)·‖v_c − v_u‖² dt, resampled when the ESS falls below N/2 and at the end, so they sample p^(1−w)·p(·|c)^w (Skreta et al. 2025; `fkc.rs`); without a class, the SDE",
            "2",
            |v| Method::Fkc(Fkc { eta: v.num("sde_noise") as f32 }),
        )
    },
    CfgPlusPlus in cfg_plus_plus = MethodSpec {
        solver: Some(Solver::Euler),
        ..row(
            "cfg-plus-plus",
            "guided x̂1, renoised by the unconditional x̂0: CFG at λ·(t+h)(1−t)/h, λ = w (Chung et al. 2025)",
            "2",
            |_| Method::CfgPlusPlus(CfgPlusPlus),
        )
    },
    CfgRescale in rescale = MethodSpec {
        params: &[number(
            "phi",
            Some("--phi"),
            "phi",
            0.0,
            1.0,
            DEFAULT_PHI,
            "φ: the share of CFG's velocity rescaled to the conditional one's length (0: plain CFG)",
        )],
        ..row(
            "cfg-rescale",
            "guidance rescale: φ·(‖v_c‖/‖v_cfg‖)·v_cfg + (1 − φ)·v_cfg, v_cfg CFG's velocity (Lin et al. 2024; `method/rescale.rs`)",
            "2",
            |v| Method::CfgRescale(CfgRescale { phi: v.num("phi") as f32 }),
        )
    },
}

/// `docs/methods.md`: the method table and the parameter table.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Sampling methods\n\n\
         Generated from the method table in `crate/src/method/table.rs` (`UPDATE_DOCS=1 cargo test --lib \
         method::table` rewrites this file; a test fails while it is stale). The CLI (`sample --method`, \
         `eval --method`) and the page (`new Method(name, options)`, `methodTable()`) read the same table.\n\n\
         | name | what | needs | exact field | solver | network calls per step |\n|---|---|---|---|---|---|\n",
    );
    for m in &METHODS {
        let runs = match m.runs {
            Runs::Both => "yes (or a network)",
            Runs::NetworkOnly => "no (a network only)",
            Runs::ExactOnly => "only (no network, no flow)",
        };
        let solver = m.solver.map_or("as asked", |s| match s {
            Solver::Euler => "Euler",
            Solver::Heun => "Heun",
            Solver::Sde => "SDE",
        });
        let what = m.what.replace('|', "\\|");
        s += &format!("| `{}` | {what} | {} | {runs} | {solver} | {} |\n", m.name, m.needs.name(), m.calls);
    }
    s += &format!(
        "\nEvery method also takes the run's guidance scale w (`--guidance`; the page's `w`, in \
          [-{MAX_GUIDANCE}, {MAX_GUIDANCE}]) and its source (`--model FILE` or `--exact`; the page's `exact`). Classifier \
          guidance takes a classifier (`--classifier FILE`; `method.setClassifier`), autoguidance on a \
          network a guide (`--guide FILE`; `method.setGuide`).\n\n\
          | method | parameter | CLI flag | page option | range | default | what |\n|---|---|---|---|---|---|---|\n"
    );
    for m in &METHODS {
        for p in m.params {
            s += &format!(
                "| `{}` | `{}` | {} | `{}` | {} | {} | {} |\n",
                m.name,
                p.name,
                p.flag.map_or("(page only)".to_string(), |f| format!("`{f}`")),
                p.js,
                p.range_text(),
                p.default_text(),
                p.doc.replace('|', "\\|")
            );
        }
    }
    s + &super::schedule::markdown()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::method::spec::{Given, MethodParams, Spelling};

    #[test]
    fn the_docs_method_table_is_fresh() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/methods.md");
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs")).unwrap();
            std::fs::write(path, markdown()).unwrap();
        } else {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            assert!(text == markdown(), "stale: UPDATE_DOCS=1 cargo test --lib method::table");
        }
    }

    #[test]
    fn every_row_builds_its_method_by_name_with_its_defaults() {
        assert_eq!(METHODS.map(|s| s.name), Method::NAMES);
        for s in &METHODS {
            let m = s.build(&MethodParams::default());
            assert_eq!(m.name(), s.name);
            // the variant's name (as `eval` reports it) is the row's
            assert_eq!(serde_json::to_value(m).unwrap()["method"], s.name);
            m.validate().unwrap_or_else(|e| panic!("{}: {e}", s.name));
            assert_eq!(m.needs(), s.needs);
            for p in s.params {
                if let (Some(d), false) = (p.default, matches!(p.kind, Kind::Choice { .. })) {
                    assert_eq!(p.check(&Given::Number(d), Spelling::Js).ok(), Some(d), "{}", p.name);
                }
            }
        }
        // the defaults are the core's
        let default = |name| MethodSpec::find(name).unwrap().build(&MethodParams::default());
        assert_eq!(default("rectified-cfg"), Method::RectifiedCfg(RectifiedCfg::default()));
        assert_eq!(default("apg"), Method::Apg(Apg::default()));
    }

    /// The core's own checks ([`Method::validate`]) refuse what the table refuses: a value just
    /// outside each parameter's range builds a method that does not validate.
    #[test]
    fn the_table_ranges_are_the_cores() {
        for s in &METHODS {
            for p in s.params {
                let (lo, hi, open) = match p.kind {
                    Kind::Number { lo, hi, open } => (lo, hi, open),
                    Kind::Whole { lo, hi } => (lo, hi, false),
                    Kind::Choice { .. } => continue,
                };
                let below = match p.kind {
                    // (a count below 0 is not one: the core's type cannot hold it)
                    Kind::Whole { .. } if lo == 0.0 => f64::NAN,
                    Kind::Whole { .. } => lo - 1.0,
                    _ if lo == 0.0 => -1e-3,
                    _ => lo * (1.0 - 1e-3),
                };
                let above = if open { hi } else { hi * (1.0 + 1e-3) + 1.0 };
                for bad in [below, above].into_iter().filter(|v| !v.is_nan()) {
                    let m = s.build(&MethodParams::default().with(p.name, bad));
                    assert!(m.validate().is_err(), "{} {} = {bad} validates", s.name, p.name);
                    assert!(p.check(&Given::Number(bad), Spelling::Cli).is_err());
                }
                for good in [lo, if open { hi * 0.99 } else { hi }] {
                    assert!(p.check(&Given::Number(good), Spelling::Cli).is_ok(), "{} {good}", p.name);
                }
            }
        }
    }
}
