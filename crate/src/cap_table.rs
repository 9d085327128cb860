//! The table of every cap, for docs/limits.md (`UPDATE_README=1 cargo test --lib limits`
//! rewrites it; a test fails when it is stale) and the wasm build's `limits()`.
//!
//! The caps themselves are named in [`crate::caps`]; this is only their listing, with where each
//! is enforced. It is a module of its own, above the others, because it also lists the bounds of
//! the guidance methods' parameters, which `crate::method` declares with each method, and
//! `caps` is a leaf that every layer imports, so it cannot import `method`.

use crate::caps::*;
use crate::method::{apg, autoguidance};

/// One cap: what it limits, its value, and where it is enforced.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    pub what: &'static str,
    pub value: f64,
    pub enforced_by: &'static str,
}

/// Every cap, in the order docs/limits.md lists them.
pub fn all() -> Vec<Limit> {
    let l = |what, value: f64, enforced_by| Limit { what, value, enforced_by };
    vec![
        l("network width", MAX_WIDTH as f64, "mlp::MlpConfig::validate"),
        l("network depth (hidden layers)", MAX_DEPTH as f64, "mlp::MlpConfig::validate"),
        l("classes", MAX_CLASSES as f64, "mlp::MlpConfig::validate"),
        l("training steps per run", MAX_TRAIN_STEPS as f64, "descent::TrainConfig::validate"),
        l("training batch", MAX_TRAIN_BATCH as f64, "descent::TrainConfig::validate"),
        l("training batch in the page", MAX_PAGE_BATCH as f64, "options::ModelOptions::training"),
        l("training steps per Trainer.train call (wasm)", MAX_TRAIN_CALL as f64, "web::Trainer::train"),
        l("points per sampling run (CLI, evaluate)", MAX_POINTS as f64, "sample::SampleConfig"),
        l("sampler steps (CLI, evaluate)", MAX_SAMPLER_STEPS as f64, "sample::SampleConfig"),
        l("particles per flow (page)", MAX_PARTICLES as f64, "particles::Particles::new"),
        l("sampler steps per flow (page)", MAX_FLOW_STEPS as f64, "particles::Particles::new"),
        l(
            "recorded trajectory positions per flow (particles × (steps + 1))",
            MAX_RECORDED as f64,
            "particles::Particles::new",
        ),
        l("guidance scale w, either sign", MAX_GUIDANCE, "sample::SampleConfig, method::Method, web"),
        l("noise scale τ (noise-scale)", MAX_NOISE_SCALE, "method::Method::validate"),
        l("velocity scale T (velocity-scale)", MAX_VELOCITY_SCALE, "method::Method::validate"),
        l(
            "SDE noise level η (--sde-noise, sdeNoise; solver sde and fkc)",
            MAX_SDE_NOISE,
            "sample::SampleConfig, sde::check_noise",
        ),
        l("parallel weight η (apg)", apg::MAX_ETA, "method::Apg::validate"),
        l("norm threshold r (apg)", apg::MAX_NORM_THRESHOLD, "method::Apg::validate"),
        l(
            "guide covariance factor (autoguidance, exact)",
            autoguidance::MAX_WIDEN,
            "method::Method::validate",
        ),
        l("image side in pixels", MAX_IMAGE_SIDE as f64, "render::Image::reset (clamps), web::Painter"),
        l("density grid cells per side", MAX_DENSITY_BINS as f64, "web::Painter::density, logDensity"),
        l("probability-path bins", MAX_PROJECTION_BINS as f64, "web::Painter::projection, pathStrip"),
        l(
            "exact-density grid cells per side",
            MAX_PATH_SIDE as f64,
            "density::GridPath::new, web::DensityPath",
        ),
        l("exact-density times per path", MAX_PATH_TIMES as f64, "density::GridPath::new, web::DensityPath"),
        l(
            "exact-density integration steps per unit time",
            MAX_PATH_STEPS as f64,
            "density::GridPath::new, web::DensityPath",
        ),
        l(
            "exact-density grid points per path (times × side²)",
            MAX_PATH_POINTS as f64,
            "density::GridPath::new",
        ),
        l("arrow grid per side", MAX_ARROW_GRID as f64, "web::Painter::arrows"),
        l(
            "a unit's heat map, cells per side (forward pass)",
            MAX_MAP_SIDE as f64,
            "activations::Probe::unit_map, web::Model::unitMap",
        ),
        l("trail length in frames", MAX_TRAIL as f64, "web::Painter::trails"),
        l(
            "points per velocities/vectors call",
            MAX_CALL_POINTS as f64,
            "web::Model::velocities, web::Painter::vectors",
        ),
        l("drawn points (draw your own)", MAX_DRAWN_POINTS as f64, "datasets::Dataset::custom"),
        l("points read from a points file (CSV)", MAX_CSV_ROWS as f64, "points_csv::read"),
        l("bytes per line of a points file", MAX_CSV_LINE_BYTES as f64, "points_csv::read"),
        l(
            "points kept from a points file (a seeded subsample above it)",
            MAX_CSV_POINTS as f64,
            "points_csv::PointsCsv::dataset",
        ),
        l("model file bytes", MAX_MODEL_FILE_BYTES as f64, "model_file::ModelFile::check_text"),
    ]
}

/// docs/limits.md's table of caps.
pub fn markdown() -> String {
    let mut s = String::from("| limit | cap | enforced by |\n|---|---|---|\n");
    for l in all() {
        s.push_str(&format!("| {} | {} | `{}` |\n", l.what, thousands(l.value), l.enforced_by));
    }
    s
}

fn thousands(v: f64) -> String {
    let digits = format!("{}", v as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::Dataset;
    use crate::mlp::MlpConfig;
    use crate::sampler::Solver;
    use crate::{descent, model_file};

    /// The file the table is generated into.
    const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/limits.md");
    const START: &str = "<!-- limits:start (generated: UPDATE_README=1 cargo test --lib limits) -->";
    const END: &str = "<!-- limits:end -->";

    #[test]
    fn docs_limits_lists_every_cap() {
        let path = DOC;
        let text = std::fs::read_to_string(path).unwrap();
        let (a, b) =
            (text.find(START).expect("docs/limits.md has the limits markers"), text.find(END).unwrap());
        let body = format!("\n{}", markdown());
        if std::env::var_os("UPDATE_README").is_some() {
            std::fs::write(path, format!("{}{}{}", &text[..a + START.len()], body, &text[b..])).unwrap();
        } else {
            assert_eq!(&text[a + START.len()..b], body, "stale: UPDATE_README=1 cargo test --lib limits");
        }
    }

    #[test]
    fn the_listed_network_caps_are_the_enforced_ones() {
        let ok = |f: &dyn Fn(&mut MlpConfig)| {
            let mut c = MlpConfig::velocity(3, 8, 1);
            f(&mut c);
            c.validate().is_ok()
        };
        assert!(ok(&|c| c.width = MAX_WIDTH) && !ok(&|c| c.width = MAX_WIDTH + 1));
        assert!(ok(&|c| c.depth = MAX_DEPTH) && !ok(&|c| c.depth = MAX_DEPTH + 1));
        assert!(ok(&|c| c.n_classes = MAX_CLASSES) && !ok(&|c| c.n_classes = MAX_CLASSES + 1));
    }

    #[test]
    fn counts_over_a_cap_are_errors_before_any_allocation() {
        use crate::particles::Particles;
        assert!(Particles::new(MAX_PARTICLES + 1, 1, Solver::Euler, 0, vec![0], false).is_err());
        assert!(Particles::new(1, MAX_FLOW_STEPS + 1, Solver::Euler, 0, vec![0], false).is_err());
        assert!(Particles::new(MAX_RECORDED / 100, 100, Solver::Euler, 0, vec![0], true).is_err());
        assert!(Particles::new(usize::MAX, 1, Solver::Euler, 0, vec![0], false).is_err());
        let c = descent::TrainConfig { steps: MAX_TRAIN_STEPS + 1, ..Default::default() };
        assert!(c.validate().unwrap_err().to_string().contains("steps"));
        let c = descent::TrainConfig { steps: usize::MAX, ..Default::default() };
        assert!(c.validate().is_err());
        let c = descent::TrainConfig { batch: MAX_TRAIN_BATCH + 1, ..Default::default() };
        assert!(c.validate().unwrap_err().to_string().contains("batch"));
        let pts = vec![("a".to_string(), vec![[0.0, 0.0]; MAX_DRAWN_POINTS + 1])];
        assert!(Dataset::custom(pts, 0.1).is_err());
        let big = vec![b' '; MAX_MODEL_FILE_BYTES + 1];
        assert!(model_file::ModelFile::from_json(&big).unwrap_err().to_string().contains("limit"));
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1_000_000.0), "1,000,000");
        assert_eq!(thousands(512.0), "512");
        assert_eq!(thousands(8192.0), "8,192");
    }
}
