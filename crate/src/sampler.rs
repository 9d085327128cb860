//! ODE samplers: follow a velocity field from t = 0 (noise) to t = 1 (data) in N equal steps.
//!
//! Euler:  x ← x + Δt·v(x, t)
//! Heun:   x̃ = x + Δt·v(x, t);  x ← x + Δt·½(v(x, t) + v(x̃, t + Δt))

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, ArrayViewMut3, Zip};
use serde::{Deserialize, Serialize};

use crate::field::{StepAt, VelocityField};

/// The integration rule (the CLI's `--solver`, named as serde names it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// One field evaluation per step.
    #[default]
    Euler,
    /// Two field evaluations per step (second order).
    Heun,
    /// The SDE with the flow's marginals, one field evaluation per step (`crate::sde`): an Euler
    /// step along the field made stochastic by [`crate::sde::SdeField`], of the run's noise
    /// level η (`--sde-noise`; η = 0 is the Euler ODE step).
    Sde,
}

impl Solver {
    /// Every solver name, as the CLI and the page spell them.
    pub const NAMES: [&'static str; 3] = ["euler", "heun", "sde"];

    /// Parses "euler", "heun" or "sde".
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "euler" => Some(Solver::Euler),
            "heun" => Some(Solver::Heun),
            "sde" => Some(Solver::Sde),
            _ => None,
        }
    }
    /// Field evaluations per step.
    pub fn evals_per_step(self) -> usize {
        match self {
            Solver::Euler | Solver::Sde => 1,
            Solver::Heun => 2,
        }
    }
}

/// What a sampling run measured.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct SampleStats {
    /// Network calls per sample (0 for an analytic field).
    pub calls_per_sample: usize,
    /// Mean over points and steps of ‖(x1 − x0) − ẋ_t‖², with ẋ the step's displacement / Δt
    /// (0 for straight paths travelled at constant speed).
    pub straightness: f64,
    /// Feynman–Kac-corrected runs (`fkc`): the smallest effective sample size seen (None for
    /// the other methods).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ess: Option<f64>,
    /// Feynman–Kac-corrected runs: how often the particles were resampled during the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resamples: Option<usize>,
}

/// Buffers for sampling up to `n` points. Sized once.
#[derive(Clone, Debug)]
pub struct Integrator {
    v: Array2<f32>,
    v2: Array2<f32>,
    x_pred: Array2<f32>,
    x_start: Array2<f32>,
    speed2: Vec<f64>,
    /// network calls of the run so far, summed over points
    calls: u64,
}

impl Integrator {
    /// Buffers for up to `n` points.
    pub fn new(n: usize) -> Self {
        Integrator {
            v: Array2::zeros((n, 2)),
            v2: Array2::zeros((n, 2)),
            x_pred: Array2::zeros((n, 2)),
            x_start: Array2::zeros((n, 2)),
            speed2: vec![0.0; n],
            calls: 0,
        }
    }

    /// The starting positions of the current run: (n, 2).
    pub fn start(&self, n: usize) -> ArrayView2<'_, f32> {
        self.x_start.slice(s![..n, ..])
    }

    /// Largest number of points.
    pub fn capacity(&self) -> usize {
        self.speed2.len()
    }

    /// Moves `x` (n, 2) from t = 0 to t = 1 along `field` in `steps` steps.
    /// `trajectory`, if given, is (steps + 1, n, 2) and receives x before each step and at the end.
    pub fn run(
        &mut self,
        field: &mut dyn VelocityField,
        mut x: ArrayViewMut2<f32>,
        steps: usize,
        solver: Solver,
        mut trajectory: Option<ArrayViewMut3<f32>>,
    ) -> SampleStats {
        let n = x.nrows();
        assert!(steps > 0, "at least one step");
        if let Some(tr) = &trajectory {
            assert_eq!(tr.dim(), (steps + 1, n, 2), "trajectory must be (steps + 1, n, 2)");
        }
        self.begin(x.view());
        for k in 0..steps {
            if let Some(tr) = &mut trajectory {
                tr.slice_mut(s![k, .., ..]).assign(&x);
            }
            self.step(field, x.view_mut(), k, k as f32 / steps as f32, 1.0 / steps as f32, solver);
        }
        if let Some(tr) = &mut trajectory {
            tr.slice_mut(s![steps, .., ..]).assign(&x);
        }
        self.finish(x.view(), steps, 1.0)
    }

    /// Starts a run from `x` (n, 2): remembers x0 and clears the speed sums and the call count.
    pub fn begin(&mut self, x: ArrayView2<f32>) {
        let n = x.nrows();
        assert!(n <= self.capacity(), "{n} points exceed the integrator's {}", self.capacity());
        self.x_start.slice_mut(s![..n, ..]).assign(&x);
        self.speed2[..n].iter_mut().for_each(|s| *s = 0.0);
        self.calls = 0;
    }

    /// Step `k` of a run, from t to t + dt, in place.
    pub fn step(
        &mut self,
        field: &mut dyn VelocityField,
        x: ArrayViewMut2<f32>,
        k: usize,
        t: f32,
        dt: f32,
        solver: Solver,
    ) {
        let n = x.nrows();
        self.step_rows(field, x, StepAt { k, t, dt, from: 0, to: n }, solver);
    }

    /// Step `at.k` from `at.t` to `at.t + at.dt` for rows `at.from..at.to` of the run's points
    /// (`x` holds just those rows), so that a step can be spread over several animation frames.
    /// The field hears of the step first ([`VelocityField::at_step`]).
    pub fn step_rows(
        &mut self,
        field: &mut dyn VelocityField,
        x: ArrayViewMut2<f32>,
        at: StepAt,
        solver: Solver,
    ) {
        let StepAt { k, t, dt, from, to } = at;
        assert_eq!(x.nrows(), to - from, "x holds the rows from..to");
        field.at_step(at);
        let mut calls = field.calls_at(k, t);
        let (v, v2, xp) = (
            &mut self.v.slice_mut(s![from..to, ..]),
            &mut self.v2.slice_mut(s![from..to, ..]),
            &mut self.x_pred.slice_mut(s![from..to, ..]),
        );
        field.eval(x.view(), t, v.view_mut());
        if solver == Solver::Heun {
            Zip::from(&mut *xp).and(&x).and(&*v).for_each(|p, &x, &v| *p = x + dt * v);
            field.eval(xp.view(), t + dt, v2.view_mut());
            calls += field.calls_at(k, t + dt);
            Zip::from(&mut *v).and(&*v2).for_each(|a, &b| *a = 0.5 * (*a + b));
        }
        self.calls += (calls * (to - from)) as u64;
        crate::linalg::step_euler(x, dt, v.view(), &mut self.speed2[from..to]);
    }

    /// The statistics of a run of `steps` equal steps over a time span `span` (1 for a whole run
    /// from noise) that began with [`Integrator::begin`] and ended at `x`.
    /// Network calls per sample are the calls counted by [`Integrator::step_rows`]
    /// ([`VelocityField::calls_at`] of each evaluation), per point.
    pub fn finish(&self, x: ArrayView2<f32>, steps: usize, span: f32) -> SampleStats {
        let n = x.nrows();
        // mean_k ‖D/T − ẋ_k‖² = mean_k ‖ẋ_k‖² − ‖D/T‖², since Σ_k ẋ_k·Δt = D = x_end − x_start
        // over a span T = steps·Δt (for a whole run T = 1 and D = x1 − x0)
        let x0 = self.x_start.slice(s![..n, ..]);
        let span = span as f64;
        let mut straight = 0.0;
        for ((s, a), b) in self.speed2[..n].iter().zip(x.rows()).zip(x0.rows()) {
            let d2 = ((a[0] - b[0]) as f64).powi(2) + ((a[1] - b[1]) as f64).powi(2);
            straight += (s / steps as f64 - d2 / (span * span)).max(0.0);
        }
        SampleStats {
            calls_per_sample: if n > 0 { (self.calls as f64 / n as f64).round() as usize } else { 0 },
            straightness: if n > 0 { straight / n as f64 } else { 0.0 },
            ..SampleStats::default()
        }
    }
}

/// Evaluates `field` on an nx × ny grid over [−extent, extent]², row-major from the bottom-left
/// (y outer, x inner). grid: (nx·ny, 2) receives the points, v: (nx·ny, 2) the velocities.
pub fn eval_grid(
    field: &mut dyn VelocityField,
    t: f32,
    extent: f32,
    nx: usize,
    ny: usize,
    mut grid: ArrayViewMut2<f32>,
    v: ArrayViewMut2<f32>,
) {
    grid_points(extent, nx, ny, grid.view_mut());
    field.eval(grid.view(), t, v);
}

/// The centres of an nx × ny grid of cells over [−extent, extent]², row-major from the
/// bottom-left (y outer, x inner), into `grid` (nx·ny, 2): the grid of every field shown on one.
pub fn grid_points(extent: f32, nx: usize, ny: usize, mut grid: ArrayViewMut2<f32>) {
    assert_eq!(grid.nrows(), nx * ny);
    for j in 0..ny {
        for i in 0..nx {
            let r = j * nx + i;
            grid[[r, 0]] = -extent + 2.0 * extent * (i as f32 + 0.5) / nx as f32;
            grid[[r, 1]] = -extent + 2.0 * extent * (j as f32 + 0.5) / ny as f32;
        }
    }
}

/// Fills `x` (n, 2) with N(0, I) noise from `rng` (a run's seeded start is
/// [`crate::sample::start_noise`]; this is for other streams: training batches, reflow's pairs).
pub fn noise_into(rng: &mut crate::rng::Rng, mut x: ArrayViewMut2<f32>) {
    x.iter_mut().for_each(|v| *v = crate::rng::normal(rng) as f32);
}
