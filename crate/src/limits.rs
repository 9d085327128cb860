//! Every resource cap in one place: how many particles, steps, grid cells, points and bytes any
//! caller (the CLI, the page, an embed, a hand-written script calling the wasm build) may ask for.
//!
//! The caps live next to the code that enforces them (in the core: [`crate::descent`],
//! [`crate::particles`], [`crate::caps`] (the sampling runs' caps, a leaf module every layer can
//! import), [`crate::render`], [`crate::model_file`], [`crate::datasets`], [`crate::points_csv`],
//! [`crate::mlp`], [`crate::activations`], [`crate::density::path`]); the caps of the wasm facade
//! (`crate::web`, the only way JavaScript reaches the core) are defined here. [`all`] lists them, and docs/limits.md's
//! table is generated from it (`UPDATE_README=1 cargo test --lib limits` rewrites it; a test
//! fails when it is stale). A request over a cap is an error naming the cap, never a silent clamp,
//! except image sides, which [`crate::render::Image::reset`] clamps.

use crate::{
    activations, caps, datasets, density, descent, model_file, options, particles, points_csv, render,
};

/// Training steps one `Trainer.train` call of the wasm build may run (keeps a worker responsive).
pub const MAX_TRAIN_CALL: usize = 10_000;
/// Points one `Model.velocities` or `Painter.vectors` call may take.
pub const MAX_CALL_POINTS: usize = 10_000;
/// Cells per side of a density grid (`Painter.density`).
pub const MAX_DENSITY_BINS: usize = 512;
/// Bins of a probability-path strip (`Painter.projection`, `Painter.pathStrip`).
pub const MAX_PROJECTION_BINS: usize = 1024;
/// Arrows per side of a velocity grid (`Painter.arrows`).
pub const MAX_ARROW_GRID: usize = 100;
/// Frames in one drawn trail (`Painter.trails`).
pub const MAX_TRAIL: usize = 1000;
/// Largest |w| (guidance scale) anywhere.
pub const MAX_GUIDANCE: f64 = caps::MAX_GUIDANCE;
/// Largest network width ([`crate::mlp::MlpConfig::validate`]).
pub const MAX_WIDTH: usize = 512;
/// Largest number of hidden layers ([`crate::mlp::MlpConfig::validate`]).
pub const MAX_DEPTH: usize = 8;
/// Largest number of classes ([`crate::mlp::MlpConfig::validate`]).
pub const MAX_CLASSES: usize = 16;

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
        l("training steps per run", descent::MAX_STEPS as f64, "descent::TrainConfig::validate"),
        l("training batch", descent::MAX_BATCH as f64, "descent::TrainConfig::validate"),
        l("training batch in the page", options::MAX_PAGE_BATCH as f64, "options::ModelOptions::training"),
        l("training steps per Trainer.train call (wasm)", MAX_TRAIN_CALL as f64, "web::Trainer::train"),
        l("points per sampling run (CLI, evaluate)", caps::MAX_POINTS as f64, "sample::SampleConfig"),
        l("sampler steps (CLI, evaluate)", caps::MAX_SAMPLER_STEPS as f64, "sample::SampleConfig"),
        l("particles per flow (page)", particles::MAX_PARTICLES as f64, "particles::Particles::new"),
        l("sampler steps per flow (page)", particles::MAX_STEPS as f64, "particles::Particles::new"),
        l(
            "recorded trajectory positions per flow (particles × (steps + 1))",
            particles::MAX_RECORDED as f64,
            "particles::Particles::new",
        ),
        l("guidance scale w, either sign", MAX_GUIDANCE, "sample::SampleConfig, method::Method, web"),
        l("noise scale τ (noise-scale)", caps::MAX_NOISE_SCALE, "method::Method::validate"),
        l("velocity scale T (velocity-scale)", caps::MAX_VELOCITY_SCALE, "method::Method::validate"),
        l("parallel weight η (apg)", crate::method::apg::MAX_ETA, "method::Apg::validate"),
        l("norm threshold r (apg)", crate::method::apg::MAX_NORM_THRESHOLD, "method::Apg::validate"),
        l(
            "guide covariance factor (autoguidance, exact)",
            crate::method::autoguidance::MAX_WIDEN,
            "method::Method::validate",
        ),
        l("image side in pixels", render::MAX_SIDE as f64, "render::Image::reset (clamps), web::Painter"),
        l("density grid cells per side", MAX_DENSITY_BINS as f64, "web::Painter::density"),
        l("probability-path bins", MAX_PROJECTION_BINS as f64, "web::Painter::projection, pathStrip"),
        l(
            "exact-density grid cells per side",
            density::path::MAX_SIDE as f64,
            "density::GridPath::new, web::DensityPath",
        ),
        l(
            "exact-density times per path",
            density::path::MAX_TIMES as f64,
            "density::GridPath::new, web::DensityPath",
        ),
        l(
            "exact-density integration steps per unit time",
            density::path::MAX_STEPS as f64,
            "density::GridPath::new, web::DensityPath",
        ),
        l(
            "exact-density grid points per path (times × side²)",
            density::path::MAX_POINTS as f64,
            "density::GridPath::new",
        ),
        l("arrow grid per side", MAX_ARROW_GRID as f64, "web::Painter::arrows"),
        l(
            "a unit's heat map, cells per side (forward pass)",
            activations::MAX_MAP_SIDE as f64,
            "activations::Probe::unit_map, web::Model::unitMap",
        ),
        l("trail length in frames", MAX_TRAIL as f64, "web::Painter::trails"),
        l(
            "points per velocities/vectors call",
            MAX_CALL_POINTS as f64,
            "web::Model::velocities, web::Painter::vectors",
        ),
        l("drawn points (draw your own)", datasets::MAX_DRAWN_POINTS as f64, "datasets::Dataset::custom"),
        l("points read from a points file (CSV)", points_csv::MAX_ROWS as f64, "points_csv::read"),
        l("bytes per line of a points file", points_csv::MAX_LINE_BYTES as f64, "points_csv::read"),
        l(
            "points kept from a points file (a seeded subsample above it)",
            points_csv::MAX_POINTS as f64,
            "points_csv::PointsCsv::dataset",
        ),
        l("model file bytes", model_file::MAX_FILE_BYTES as f64, "model_file::ModelFile::from_json"),
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

    const START: &str = "<!-- limits:start (generated: UPDATE_README=1 cargo test --lib limits) -->";
    const END: &str = "<!-- limits:end -->";

    #[test]
    fn the_docs_list_every_cap() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/limits.md");
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
        use crate::particles::{Particles, MAX_PARTICLES, MAX_RECORDED, MAX_STEPS};
        assert!(Particles::new(MAX_PARTICLES + 1, 1, Solver::Euler, 0, vec![0], false).is_err());
        assert!(Particles::new(1, MAX_STEPS + 1, Solver::Euler, 0, vec![0], false).is_err());
        assert!(Particles::new(MAX_RECORDED / 100, 100, Solver::Euler, 0, vec![0], true).is_err());
        assert!(Particles::new(usize::MAX, 1, Solver::Euler, 0, vec![0], false).is_err());
        let c = descent::TrainConfig { steps: descent::MAX_STEPS + 1, ..Default::default() };
        assert!(c.validate().unwrap_err().to_string().contains("steps"));
        let c = descent::TrainConfig { steps: usize::MAX, ..Default::default() };
        assert!(c.validate().is_err());
        let c = descent::TrainConfig { batch: descent::MAX_BATCH + 1, ..Default::default() };
        assert!(c.validate().unwrap_err().to_string().contains("batch"));
        let pts = vec![("a".to_string(), vec![[0.0, 0.0]; datasets::MAX_DRAWN_POINTS + 1])];
        assert!(Dataset::custom(pts, 0.1).is_err());
        let big = vec![b' '; model_file::MAX_FILE_BYTES + 1];
        assert!(model_file::ModelFile::from_json(&big).unwrap_err().to_string().contains("limit"));
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1_000_000.0), "1,000,000");
        assert_eq!(thousands(512.0), "512");
        assert_eq!(thousands(8192.0), "8,192");
    }
}
