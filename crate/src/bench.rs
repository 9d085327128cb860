//! Benchmark workload W1 (shared/BENCH.md), with the project's own MLP, Adam and data code, so
//! that native, wasm and other implementations can be timed side by side.
//!
//! Network: f32, 8 → 128 → 128 → 128 → 2, ReLU (a SiLU variant is reported too). Input row:
//! x_t (2), t (1), a one-hot class over 4 slots (3 classes + null), one 0.0 pad. A training step:
//! batch 512 of three labelled Gaussian blobs, t ~ U(0, 1), x0 ~ N(0, I), labels dropped to null
//! with probability 0.2, forward, MSE, backward, Adam (lr 1e-3, β 0.9/0.999, ε 1e-8); sampling
//! the batch is part of the step. Forward: one pass over 10,000 points. Several timed windows
//! after a warm-up; medians are reported.

use ndarray::{s, Array2};
use serde::Serialize;

use crate::activation::Activation;
use crate::adam::Schedule;
use crate::datasets::Dataset;
use crate::descent::TrainConfig;
use crate::flow::Trainer;
use crate::mlp::{MlpConfig, Workspace};
use crate::rng::{self, stream};

/// Multiply-accumulates per sample in one forward pass of the W1 network.
pub const MACS_PER_SAMPLE: f64 = (8 * 128 + 128 * 128 * 2 + 128 * 2) as f64;
const BATCH: usize = 512;
const FORWARD_POINTS: usize = 10_000;
/// Rows per forward call when running those points: the sampler's chunk (activations of a chunk
/// stay in cache).
const FORWARD_CHUNK: usize = 1024;

/// The W1 network.
pub fn w1_config(activation: Activation) -> MlpConfig {
    MlpConfig {
        time_freqs: 0,
        n_classes: 3,
        class_dim: 4,
        class_one_hot: true,
        n_extra: 1,
        width: 128,
        depth: 3,
        activation,
        residual: false,
        d_out: 2,
    }
}

/// How long to measure.
#[derive(Clone, Copy, Debug)]
pub struct BenchPlan {
    pub warmup_steps: usize,
    pub windows: usize,
    pub steps_per_window: usize,
    pub forwards_per_window: usize,
}

impl Default for BenchPlan {
    fn default() -> Self {
        BenchPlan { warmup_steps: 20, windows: 9, steps_per_window: 30, forwards_per_window: 3 }
    }
}

/// One activation's measurements.
#[derive(Clone, Debug, Serialize)]
pub struct BenchRun {
    pub activation: String,
    pub train_steps_per_s: f64,
    pub forward_10k_per_s: f64,
    pub gflops_train: f64,
    pub gflops_forward: f64,
    pub loss_first: f64,
    pub loss_end: f64,
    /// Every window's rate, for the spread.
    pub train_windows: Vec<f64>,
    pub forward_windows: Vec<f64>,
}

/// The W1 report: the ReLU network's numbers at the top level (as BENCH.md asks) and the SiLU
/// variant alongside.
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    pub workload: String,
    /// "native" or "wasm".
    pub build: String,
    pub simd128: bool,
    /// The matrix kernel used: "avx2+fma", "simd128", "simd128+relaxed-madd" or "portable".
    pub kernel: String,
    pub threads: usize,
    #[serde(flatten)]
    pub relu: BenchRun,
    pub silu: BenchRun,
    pub windows: usize,
    pub steps_per_window: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_unstable_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs W1 with one activation; `now` is a clock in milliseconds.
pub fn run(activation: Activation, plan: &BenchPlan, now: &mut dyn FnMut() -> f64) -> BenchRun {
    let data = Dataset::by_name("three-blobs").expect("built-in");
    let config = TrainConfig {
        steps: 1_000_000,
        batch: BATCH,
        lr: 1e-3,
        schedule: Schedule::Constant,
        dropout: 0.2,
        weight_decay: 0.0,
        clip_norm: 0.0,
        seed: 1,
    };
    let mut tr = Trainer::new(data, w1_config(activation), config).expect("valid W1 settings");
    let loss_first = tr.step() as f64;
    for _ in 1..plan.warmup_steps {
        tr.step();
    }
    let mut train_windows = Vec::with_capacity(plan.windows);
    let mut loss_end = f64::NAN;
    for _ in 0..plan.windows {
        let t0 = now();
        let mut sum = 0.0;
        for _ in 0..plan.steps_per_window {
            sum += tr.step() as f64;
        }
        let ms = (now() - t0).max(1e-6);
        train_windows.push(plan.steps_per_window as f64 * 1000.0 / ms);
        loss_end = sum / plan.steps_per_window as f64;
    }

    // one forward pass over 10,000 points (x, t, class), in chunks of FORWARD_CHUNK rows as the
    // sampler runs it (field::NetScratch), into a workspace sized once
    let model = &tr.model;
    let mut ws = model.workspace(FORWARD_CHUNK, false);
    let mut r = rng::seeded(7, stream::SAMPLE);
    let x = Array2::from_shape_fn((FORWARD_POINTS, 2), |_| rng::normal(&mut r) as f32);
    let t: Vec<f32> = (0..FORWARD_POINTS).map(|_| rng::uniform(&mut r) as f32).collect();
    let labels: Vec<u32> = (0..FORWARD_POINTS).map(|i| (i % 4) as u32).collect();
    let forward_10k = |ws: &mut Workspace<f32>| {
        let mut last = 0.0;
        for i0 in (0..FORWARD_POINTS).step_by(FORWARD_CHUNK) {
            let i1 = (i0 + FORWARD_CHUNK).min(FORWARD_POINTS);
            let out = model.forward(ws, x.slice(s![i0..i1, ..]), &t[i0..i1], &labels[i0..i1], &[0.0]);
            last = out[[i1 - i0 - 1, 1]];
        }
        last as f64
    };
    let mut checksum = 0.0f64;
    for _ in 0..2 {
        checksum += forward_10k(&mut ws);
    }
    let mut forward_windows = Vec::with_capacity(plan.windows);
    for _ in 0..plan.windows {
        let t0 = now();
        for _ in 0..plan.forwards_per_window {
            // read a result back so the work has really happened before the clock stops
            checksum += forward_10k(&mut ws);
        }
        let ms = (now() - t0).max(1e-6);
        forward_windows.push(plan.forwards_per_window as f64 * 1000.0 / ms);
    }
    assert!(checksum.is_finite(), "the forward pass produced non-finite values");

    let train = median(train_windows.clone());
    let forward = median(forward_windows.clone());
    BenchRun {
        activation: format!("{activation:?}").to_ascii_lowercase(),
        train_steps_per_s: train,
        forward_10k_per_s: forward,
        gflops_train: train * 3.0 * 2.0 * MACS_PER_SAMPLE * BATCH as f64 / 1e9,
        gflops_forward: forward * 2.0 * MACS_PER_SAMPLE * FORWARD_POINTS as f64 / 1e9,
        loss_first,
        loss_end,
        train_windows,
        forward_windows,
    }
}

/// W1 with ReLU and with SiLU.
pub fn run_w1(plan: &BenchPlan, now: &mut dyn FnMut() -> f64) -> BenchReport {
    BenchReport {
        workload: "W1".into(),
        build: if cfg!(target_arch = "wasm32") { "wasm".into() } else { "native".into() },
        simd128: cfg!(target_feature = "simd128"),
        kernel: crate::gemm::kernel_name().into(),
        threads: 1,
        relu: run(Activation::Relu, plan, now),
        silu: run(Activation::Silu, plan, now),
        windows: plan.windows,
        steps_per_window: plan.steps_per_window,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w1_has_the_specified_shape_and_learns() {
        let c = w1_config(Activation::Relu);
        assert_eq!(c.input().d_in(), 8);
        let m = crate::mlp::Mlp::<f32>::zeros(c).unwrap();
        // 8·128 + 128 + 2·(128·128 + 128) + 128·2 + 2 parameters, no class table
        assert_eq!(m.num_params(), 8 * 128 + 128 + 2 * (128 * 128 + 128) + 128 * 2 + 2);
        let plan = BenchPlan { warmup_steps: 2, windows: 3, steps_per_window: 20, forwards_per_window: 1 };
        let start = std::time::Instant::now();
        let mut clock = || start.elapsed().as_secs_f64() * 1000.0;
        let r = run(Activation::Relu, &plan, &mut clock);
        assert!(r.loss_end < r.loss_first, "{} -> {}", r.loss_first, r.loss_end);
        assert!(r.train_steps_per_s > 0.0 && r.forward_10k_per_s > 0.0);
        assert_eq!(r.train_windows.len(), 3);
    }
}
