//! The numeric answer to "is CFG the tilted density?": sliced W2 between exact CFG samples (the
//! exact mixture field, no network) and exact samples of p(x)^(1−w)·p(x | c)^w, next to the
//! noise floor (the same distance between two independent sample sets of the tilted density).

use serde::Serialize;

use crate::datasets::Dataset;
use crate::error::{check_count, Result};
use crate::field::Source;
use crate::invalid;
use crate::metrics;
use crate::rng::{self, stream};
use crate::sample::{self, SampleConfig};
use crate::sampler::Solver;

use super::{Grid, GridDensity, Target, TEMPERATURE_RANGE};
use crate::caps::MAX_TILT_GRID_SIDE;

/// Settings of [`cfg_vs_tilted`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TiltConfig {
    /// Samples per set.
    pub n: usize,
    /// Sampler steps for the CFG samples.
    pub steps: usize,
    pub solver: Solver,
    /// Cells per side of the grid the tilted density is sampled on.
    pub grid_side: usize,
    /// The grid is [−(extent + margin), extent + margin]² with the data set's view extent.
    pub margin: f64,
    /// Sliced-W2 projections.
    pub projections: usize,
    pub seed: u64,
}

impl Default for TiltConfig {
    fn default() -> Self {
        TiltConfig {
            n: 10_000,
            steps: 100,
            solver: Solver::Heun,
            grid_side: 512,
            margin: 0.5,
            projections: 64,
            seed: 0,
        }
    }
}

/// One (data set, class, w) comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TiltRow {
    pub dataset: String,
    pub class: String,
    pub w: f64,
    /// Sliced W2 between the CFG samples and samples of the tilted density.
    pub cfg_vs_tilted: f64,
    /// Sliced W2 between two independent sample sets of the tilted density (same n).
    pub noise_floor: f64,
    /// Sliced W2 between the CFG samples and fresh data of the class.
    pub cfg_vs_class: f64,
    /// Sliced W2 between the tilted samples and fresh data of the class.
    pub tilted_vs_class: f64,
    /// Means and covariance traces of the CFG samples and of the tilted density.
    pub cfg_mean: [f64; 2],
    pub tilted_mean: [f64; 2],
    pub cfg_trace: f64,
    pub tilted_trace: f64,
    /// The temperature whose tempered class p(x | c)^(1/T) has the CFG samples' spread (CFG
    /// trace over the class's trace; exact for a Gaussian class), and the sliced W2 between
    /// the CFG samples and samples of that tempered class: the best "temperature" explanation.
    pub matched_temperature: f64,
    pub cfg_vs_tempered: f64,
    /// Probability of the grid's edge cells under the tilted density (small: the grid holds it).
    pub border_mass: f64,
}

/// Every comparison of one [`cfg_vs_tilted`] run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TiltReport {
    pub config: TiltConfig,
    pub rows: Vec<TiltRow>,
}

impl TiltReport {
    /// The rows as a fixed-width text table.
    pub fn table(&self) -> String {
        let mut s = format!(
            "{:<16} {:<12} {:>4} {:>10} {:>10} {:>8} {:>10} {:>10} {:>9} {:>9} {:>7} {:>10}\n",
            "dataset",
            "class",
            "w",
            "cfg~tilt",
            "floor",
            "ratio",
            "cfg~class",
            "tilt~cls",
            "tr cfg",
            "tr tilt",
            "T match",
            "cfg~temp"
        );
        for r in &self.rows {
            s += &format!(
                "{:<16} {:<12} {:>4} {:>10.4} {:>10.4} {:>8.1} {:>10.4} {:>10.4} {:>9.4} {:>9.4} {:>7.3} {:>10.4}\n",
                r.dataset,
                r.class,
                r.w,
                r.cfg_vs_tilted,
                r.noise_floor,
                r.cfg_vs_tilted / r.noise_floor,
                r.cfg_vs_class,
                r.tilted_vs_class,
                r.cfg_trace,
                r.tilted_trace,
                r.matched_temperature,
                r.cfg_vs_tempered
            );
        }
        s
    }
}

fn mean(x: ndarray::ArrayView2<f32>) -> [f64; 2] {
    let n = x.nrows().max(1) as f64;
    [
        x.column(0).iter().map(|&v| v as f64).sum::<f64>() / n,
        x.column(1).iter().map(|&v| v as f64).sum::<f64>() / n,
    ]
}

/// For each data set and each w: exact CFG samples of class `class` (the mixture's exact field,
/// `Guidance::Cfg(w)`, `cfg.steps` steps) against exact samples of p(x)^(1−w)·p(x | c)^w.
pub fn cfg_vs_tilted(datasets: &[Dataset], class: u32, ws: &[f32], cfg: &TiltConfig) -> Result<TiltReport> {
    check_count("grid_side", cfg.grid_side as i64, 2, MAX_TILT_GRID_SIDE as i64)?;
    check_count("projections", cfg.projections as i64, 1, 4096)?;
    crate::error::check_range("margin", cfg.margin, 0.0, 100.0)?;
    let mut rows = Vec::new();
    for dataset in datasets {
        if class as usize >= dataset.n_classes() {
            return Err(invalid!(
                "class must be below {} for data set '{}'",
                dataset.n_classes(),
                dataset.name
            ));
        }
        let mixture = dataset.mixture();
        let grid = Grid::square(dataset.extent + cfg.margin, cfg.grid_side);
        let mut ref_rng = rng::seeded(cfg.seed, stream::EVAL_REF);
        let mut proj_rng = rng::seeded(cfg.seed, stream::PROJECTIONS);
        let data = dataset.sample_class(class, cfg.n, &mut ref_rng);
        let class_trace = mixture.moments(Some(class)).1.trace();
        for &w in ws {
            let sc = SampleConfig {
                n: cfg.n,
                steps: cfg.steps,
                solver: cfg.solver,
                guidance: w,
                seed: cfg.seed,
                sde_noise: 1.0,
            };
            let (x, _) = sample::generate(dataset, Source::Exact, Some(class), &sc)?;
            let density = GridDensity::new(&mixture, Target::Tilted { class, w: w as f64 }, grid)?;
            let a = density.sample(cfg.n, &mut ref_rng);
            let b = density.sample(cfg.n, &mut ref_rng);
            let (tilted_mean, tilted_trace) = density.moments();
            let cfg_trace = metrics::covariance_trace(x.view());
            let matched_temperature =
                (cfg_trace / class_trace).clamp(TEMPERATURE_RANGE.0, TEMPERATURE_RANGE.1);
            let tempered = GridDensity::new(
                &mixture,
                Target::Tempered { class: Some(class), temperature: matched_temperature },
                grid,
            )?;
            let c = tempered.sample(cfg.n, &mut ref_rng);
            let mut d = |p: ndarray::ArrayView2<f32>, q: ndarray::ArrayView2<f32>| {
                metrics::sliced_w2(p, q, cfg.projections, &mut proj_rng)
            };
            rows.push(TiltRow {
                dataset: dataset.name.clone(),
                class: dataset.class_names()[class as usize].to_string(),
                w: w as f64,
                cfg_vs_tilted: d(x.view(), a.view()),
                noise_floor: d(b.view(), a.view()),
                cfg_vs_class: d(x.view(), data.view()),
                tilted_vs_class: d(a.view(), data.view()),
                cfg_mean: mean(x.view()),
                tilted_mean,
                cfg_trace,
                tilted_trace,
                matched_temperature,
                cfg_vs_tempered: d(x.view(), c.view()),
                border_mass: density.border_mass(),
            });
        }
    }
    Ok(TiltReport { config: cfg.clone(), rows })
}
