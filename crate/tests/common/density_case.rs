//! One fixed exact-density computation, shared by the native test (density_path.rs, which
//! stores its result in fixtures/density_path.json) and the browser test (web_density.rs, which
//! recomputes it through the `DensityPath` handle): the shipped non-overlapping model, class
//! upper-right under CFG w = 3, an 8 × 8 grid at three times, 10 Heun steps per unit time.
#![allow(dead_code)]

use cfg_playground::density::{GridPath, JacobianScratch, NetworkDivergence};
use cfg_playground::field::Guidance;
use cfg_playground::model_file::ModelFile;
use cfg_playground::sampler::Solver;

pub const MODEL: &str = include_str!("../../../www/models/non-overlapping.json");
pub const CLASS: &str = "upper-right";
pub const LABEL: u32 = 1;
pub const W: f32 = 3.0;
pub const SIDE: usize = 8;
pub const TIMES: [f64; 3] = [0.25, 0.5, 1.0];
pub const STEPS: usize = 10;
/// rows per unit of work, as the facade's
pub const CHUNK: usize = 32;

/// log p_t per time (each SIDE², row-major from the bottom-left), by the core.
pub fn compute() -> Vec<Vec<f64>> {
    let f = ModelFile::from_json(MODEL.as_bytes()).unwrap();
    let mut path = GridPath::new(SIDE, f.dataset.extent, &TIMES, STEPS, Solver::Heun, CHUNK).unwrap();
    let mut sc = JacobianScratch::new(&f.model, CHUNK);
    let labels = [LABEL];
    let mut field = NetworkDivergence {
        model: &f.model,
        scratch: &mut sc,
        labels: &labels,
        guidance: Guidance::Cfg(W),
        extra: &[],
    };
    while path.advance(&mut field, 0).is_some() {}
    (0..TIMES.len()).map(|k| path.log_p(k).unwrap().to_vec()).collect()
}
