//! One fixed computation, run natively and in the browser, whose results must agree: a few
//! training steps, guided and unguided sampling, the exact field, data generation and a model
//! file. The native run is stored in fixtures/reference.json (regenerate with
//! `UPDATE_FIXTURES=1 cargo test --test reference`); the wasm test compares against it.

use cfg_playground::datasets::Dataset;
use cfg_playground::descent::TrainConfig;
use cfg_playground::field::Source;
use cfg_playground::flow::Trainer;
use cfg_playground::mlp::MlpConfig;
use cfg_playground::model_file::{Dtype, ModelFile};
use cfg_playground::rng;
use cfg_playground::sample::{generate, SampleConfig};
use cfg_playground::sampler::Solver;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct Reference {
    pub losses: Vec<f32>,
    pub param_sum: f64,
    pub param_abs_sum: f64,
    pub param_head: Vec<f32>,
    pub samples_cfg: Vec<f32>,
    pub samples_uncond_heun: Vec<f32>,
    pub samples_exact: Vec<f32>,
    pub data: Vec<f32>,
    pub labels: Vec<u32>,
    /// The trained model as a model file, written natively.
    pub model: String,
}

fn flat(x: ndarray::Array2<f32>) -> Vec<f32> {
    x.iter().copied().collect()
}

/// Runs the reference computation on this platform.
pub fn compute() -> Reference {
    let face = Dataset::by_name("face").unwrap();
    let arch = MlpConfig::velocity(3, 32, 2);
    let config = TrainConfig { steps: 5, batch: 64, seed: 42, ..TrainConfig::default() };
    let mut tr = Trainer::new(face.clone(), arch, config.clone()).unwrap();
    let losses = (0..5).map(|_| tr.step()).collect();
    let p = &tr.model.params;
    let sample = |label, w, steps, solver, n, seed| {
        let cfg = SampleConfig { n, steps, solver, guidance: w, seed, sde_noise: 1.0 };
        flat(generate(&face, Source::Network(&tr.model), label, &cfg).unwrap().0)
    };
    let cfg = SampleConfig { n: 8, steps: 10, solver: Solver::Euler, guidance: 1.0, seed: 9, sde_noise: 1.0 };
    let samples_exact = flat(generate(&face, Source::Exact, Some(2), &cfg).unwrap().0);
    let (data, labels) = face.sample(6, &mut rng::seeded(1, rng::stream::DATA));
    let file = ModelFile {
        dataset: face.clone(),
        model: tr.model.clone(),
        training: config,
        steps_done: 5,
        final_loss: Some(tr.last_loss()),
    };
    Reference {
        losses,
        param_sum: p.iter().map(|&v| v as f64).sum(),
        param_abs_sum: p.iter().map(|&v| v.abs() as f64).sum(),
        param_head: p[..16].to_vec(),
        samples_cfg: sample(Some(2), 2.5, 20, Solver::Euler, 16, 3),
        samples_uncond_heun: sample(None, 1.0, 10, Solver::Heun, 8, 4),
        samples_exact,
        data: flat(data),
        labels,
        model: file.to_json(Dtype::F32),
    }
}

fn close(name: &str, a: &[f32], b: &[f32], tol: f32) {
    assert_eq!(a.len(), b.len(), "{name}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{name}[{i}]: {x} vs {y} (tolerance {tol})");
    }
}

/// Asserts that `got` matches `want` to `tol` (relative, with an absolute floor of `tol`).
pub fn assert_matches(got: &Reference, want: &Reference, tol: f32) {
    close("losses", &got.losses, &want.losses, tol);
    close("param_head", &got.param_head, &want.param_head, tol);
    let rel = |a: f64, b: f64| (a - b).abs() / (1.0 + b.abs());
    assert!(
        rel(got.param_sum, want.param_sum) < tol as f64,
        "param_sum {} vs {}",
        got.param_sum,
        want.param_sum
    );
    assert!(rel(got.param_abs_sum, want.param_abs_sum) < tol as f64, "param_abs_sum");
    close("samples_cfg", &got.samples_cfg, &want.samples_cfg, tol);
    close("samples_uncond_heun", &got.samples_uncond_heun, &want.samples_uncond_heun, tol);
    close("samples_exact", &got.samples_exact, &want.samples_exact, tol);
    close("data", &got.data, &want.data, tol);
    assert_eq!(got.labels, want.labels);
}

/// Samples from the model file written on the other platform, with the reference settings.
pub fn samples_from_model_file(text: &str) -> Vec<f32> {
    let f = ModelFile::from_json(text.as_bytes()).unwrap();
    let cfg =
        SampleConfig { n: 16, steps: 20, solver: Solver::Euler, guidance: 2.5, seed: 3, sde_noise: 1.0 };
    flat(generate(&f.dataset, Source::Network(&f.model), Some(2), &cfg).unwrap().0)
}
