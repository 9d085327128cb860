//! A sampling run advanced a few steps at a time (an animation frame's worth of work), with its
//! trajectory recorded, so figures can animate it, scrub it, and measure the result.

use ndarray::{s, Array2, Array3, ArrayView2};

use crate::caps::{MAX_FLOW_STEPS, MAX_PARTICLES, MAX_RECORDED};
use crate::error::{check_count, Result};
use crate::field::{Bound, FieldSource, Guidance, StepAt, VelocityField};
use crate::fkc::Fkc;
use crate::invalid;
use crate::sample::start_noise;
use crate::sampler::{Integrator, SampleStats, Solver};

/// N particles moving from noise (t = 0) to data (t = 1).
#[derive(Clone, Debug)]
pub struct Particles {
    n: usize,
    steps: usize,
    /// start time (0: from noise)
    t0: f32,
    /// particles of the current step already moved (a step may be split over calls)
    cursor: usize,
    solver: Solver,
    k: usize,
    /// (n, 2) current positions
    x: Array2<f32>,
    /// (steps + 1, n, 2) when recording, else (0, n, 2)
    traj: Array3<f32>,
    /// one per particle, or one for all
    labels: Vec<u32>,
    integrator: Integrator,
    stats: Option<SampleStats>,
    /// the seed and scale τ of the start noise (None: started from given points)
    start: Option<(u64, f32)>,
}

impl Particles {
    /// `n` particles drawn from N(0, I) with `seed`, moving in `steps` steps of `solver`.
    /// `labels`: one per particle or one for all (n_classes = unconditional).
    pub fn new(
        n: usize,
        steps: usize,
        solver: Solver,
        seed: u64,
        labels: Vec<u32>,
        record: bool,
    ) -> Result<Self> {
        check_count("particles", n as i64, 1, MAX_PARTICLES as i64)?;
        check_count("steps", steps as i64, 1, MAX_FLOW_STEPS as i64)?;
        if record && n * (steps + 1) > MAX_RECORDED {
            return Err(invalid!(
                "recording {n} particles over {steps} steps is {} positions, more than the {MAX_RECORDED} allowed",
                n * (steps + 1)
            ));
        }
        if labels.len() != 1 && labels.len() != n {
            return Err(invalid!("labels: one for all particles or one each, got {} for {n}", labels.len()));
        }
        let mut p = Particles {
            n,
            steps,
            t0: 0.0,
            cursor: 0,
            solver,
            k: 0,
            x: Array2::zeros((n, 2)),
            traj: Array3::zeros((if record { steps + 1 } else { 0 }, n, 2)),
            labels,
            integrator: Integrator::new(n),
            stats: None,
            start: None,
        };
        p.restart(seed);
        Ok(p)
    }

    /// Back to t = 0 with fresh noise from `seed` ([`start_noise`]).
    pub fn restart(&mut self, seed: u64) {
        self.restart_scaled(seed, 1.0);
    }

    /// Back to t = 0 from x0 ~ N(0, τ²I), the noise of `seed` times τ = `scale`
    /// ([`start_noise`]; the start of `noise-scale`).
    pub fn restart_scaled(&mut self, seed: u64, scale: f32) {
        start_noise(seed, scale, self.x.view_mut());
        self.start = Some((seed, scale));
        self.t0 = 0.0;
        self.k = 0;
        self.rewind();
    }

    /// The seed of the run's start noise (None: started from given points).
    pub fn seed(&self) -> Option<u64> {
        self.start.map(|(seed, _)| seed)
    }

    /// Makes a run that has not moved yet and started from seeded noise start from noise of
    /// scale τ = `scale` (the same seed): how a method that draws its own start noise
    /// (`noise-scale`) takes over a fresh run. Does nothing to a run under way or one started
    /// from given points.
    pub fn use_noise_scale(&mut self, scale: f32) {
        if let Some((seed, s)) = self.start {
            if s != scale && self.k == 0 && self.cursor == 0 {
                self.restart_scaled(seed, scale);
            }
        }
    }

    /// Starts again from `points` (n, 2) at time `t0` in [0, 1) (to follow the field from a
    /// chosen point, as the page's probes do); the steps then cover [t0, 1].
    pub fn start_from(&mut self, points: ArrayView2<f32>, t0: f32) -> Result<()> {
        if points.dim() != (self.n, 2) {
            return Err(invalid!("expected {} points, got {}", self.n, points.nrows()));
        }
        if !(0.0..1.0).contains(&t0) {
            return Err(invalid!("the start time must be in [0, 1), got {t0}"));
        }
        if points.iter().any(|v| !v.is_finite()) {
            return Err(invalid!("start points must be finite"));
        }
        self.x.assign(&points);
        self.start = None;
        self.t0 = t0;
        self.k = 0;
        self.rewind();
        Ok(())
    }

    /// Time after `k` steps.
    pub fn time_at(&self, k: usize) -> f32 {
        self.t0 + (1.0 - self.t0) * k as f32 / self.steps as f32
    }

    /// Back to t = 0 with the same noise (after the field changed, say).
    pub fn rewind(&mut self) {
        if self.k > 0 {
            // the start is kept by the integrator
            self.x.assign(&self.integrator.start(self.n));
        }
        self.k = 0;
        self.cursor = 0;
        self.stats = None;
        self.integrator.begin(self.x.view());
        if self.recording() {
            self.traj.slice_mut(s![0, .., ..]).assign(&self.x);
        }
    }

    fn recording(&self) -> bool {
        self.traj.shape()[0] > 0
    }

    /// Advances up to `k` steps along `source` with `guidance`; returns the steps done so far.
    pub fn advance(&mut self, source: &mut FieldSource, guidance: Guidance, k: usize) -> usize {
        let end = (self.k + k).min(self.steps);
        while self.k < end {
            self.advance_rows(source, guidance, self.n);
        }
        self.k
    }

    /// Moves at most `rows` more particles through the current step (finishing the step when
    /// the last one has moved); returns the steps done so far. Lets a caller keep each call
    /// short, whatever the number of particles.
    pub fn advance_rows(&mut self, source: &mut FieldSource, guidance: Guidance, rows: usize) -> usize {
        if self.k == self.steps {
            return self.k;
        }
        let (from, to) = (self.cursor, (self.cursor + rows.max(1)).min(self.n));
        let labels = if self.labels.len() == 1 { &self.labels[..] } else { &self.labels[from..to] };
        let mut field = Bound { source, labels, guidance };
        let at = self.at(from, to);
        self.integrator.step_rows(&mut field, self.x.slice_mut(s![from..to, ..]), at, self.solver);
        if self.rows_done(to) {
            let span = 1.0 - self.t0;
            self.stats = Some(self.integrator.finish(self.x.view(), self.steps, span));
        }
        self.k
    }

    /// After rows `..to` of the current step have moved: when that was the last row, the step is
    /// done (recorded, if the run records). Returns whether the run has just finished.
    fn rows_done(&mut self, to: usize) -> bool {
        self.cursor = to;
        if self.cursor < self.n {
            return false;
        }
        self.cursor = 0;
        self.k += 1;
        if self.recording() {
            self.traj.slice_mut(s![self.k, .., ..]).assign(&self.x);
        }
        self.k == self.steps
    }

    /// [`Particles::advance_rows`] along any `field` (rectified CFG, a rescaled velocity, ...)
    /// instead of a guided [`Bound`]: moves at most `rows` more particles through the current
    /// step. The field sees rows `from..to` only, so it must carry the run's one label: a run
    /// with a label per particle is refused. The field's Euler step is (1 − t0)/steps.
    pub fn advance_rows_field(&mut self, field: &mut dyn VelocityField, rows: usize) -> Result<usize> {
        if self.labels.len() != 1 {
            return Err(invalid!(
                "a custom field needs one label for all particles, got {}",
                self.labels.len()
            ));
        }
        if self.k == self.steps {
            return Ok(self.k);
        }
        let (from, to) = (self.cursor, (self.cursor + rows.max(1)).min(self.n));
        let at = self.at(from, to);
        self.integrator.step_rows(field, self.x.slice_mut(s![from..to, ..]), at, self.solver);
        if self.rows_done(to) {
            let span = 1.0 - self.t0;
            self.stats = Some(self.integrator.finish(self.x.view(), self.steps, span));
        }
        Ok(self.k)
    }

    /// As [`Particles::advance_rows_field`], but a run with one label per particle moves nothing
    /// and returns the steps done (classifier guidance, a distilled student, ...).
    pub fn advance_rows_with(&mut self, field: &mut dyn VelocityField, rows: usize) -> usize {
        self.advance_rows_field(field, rows).unwrap_or(self.k)
    }

    /// Moves at most `rows` more particles through the current step of Feynman–Kac-corrected
    /// CFG (`fkc`: the CFG SDE of `source` for the run's one label, log-weights, resampling at
    /// the step's end when the ESS calls for it, and once more after the last step, so the
    /// finished run is unweighted); returns the steps done so far. `fkc` is the run's state, made
    /// for this run's number of particles; it restarts itself on step 0. A run with one label
    /// per particle is refused.
    pub fn advance_rows_fkc(
        &mut self,
        source: &mut FieldSource,
        fkc: &mut Fkc,
        rows: usize,
    ) -> Result<usize> {
        if self.labels.len() != 1 {
            return Err(invalid!("fkc needs one label for all particles, got {}", self.labels.len()));
        }
        if fkc.len() != self.n {
            return Err(invalid!("the fkc state is for {} particles, the run has {}", fkc.len(), self.n));
        }
        if self.k == self.steps {
            return Ok(self.k);
        }
        let (from, to) = (self.cursor, (self.cursor + rows.max(1)).min(self.n));
        let at = self.at(from, to);
        fkc.step_rows(source, self.labels[0], self.x.view_mut(), at);
        if to == self.n && self.k + 1 == self.steps {
            // unweighted before the last frame is recorded
            let stats = fkc.finish(self.x.view_mut(), self.steps);
            self.stats = Some(stats.sample_stats());
        }
        self.rows_done(to);
        Ok(self.k)
    }

    /// Where the current step is, for rows `from..to`.
    fn at(&self, from: usize, to: usize) -> StepAt {
        StepAt { k: self.k, t: self.time_at(self.k), dt: self.dt(), from, to }
    }

    /// The solver the run steps with.
    pub fn solver(&self) -> Solver {
        self.solver
    }

    /// The step size of the run: (1 − t0)/steps.
    pub fn dt(&self) -> f32 {
        (1.0 - self.t0) / self.steps as f32
    }

    /// Runs to t = 1.
    pub fn finish(&mut self, source: &mut FieldSource, guidance: Guidance) -> SampleStats {
        self.advance(source, guidance, self.steps);
        self.stats.expect("finished")
    }

    /// Current positions: (n, 2).
    pub fn positions(&self) -> ArrayView2<'_, f32> {
        self.x.view()
    }

    /// Recorded positions after `k` steps (k ≤ steps done): (n, 2).
    pub fn frame(&self, k: usize) -> Result<ArrayView2<'_, f32>> {
        if !self.recording() {
            return Err(invalid!("this run does not record its trajectory"));
        }
        if k > self.k {
            return Err(invalid!("frame {k} is not computed yet ({} of {} steps done)", self.k, self.steps));
        }
        Ok(self.traj.slice(s![k, .., ..]))
    }

    /// The whole record: (steps + 1, n, 2) (frames past the steps done are not filled yet).
    pub fn trajectory(&self) -> &Array3<f32> {
        &self.traj
    }

    /// Steps done.
    pub fn step(&self) -> usize {
        self.k
    }

    /// Steps in the run.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Number of particles.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: a run has at least one particle.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Whether the run reached t = 1.
    pub fn done(&self) -> bool {
        self.k == self.steps
    }

    /// The run's statistics, once done.
    pub fn stats(&self) -> Option<SampleStats> {
        self.stats
    }

    /// The particles' labels (one, or one each).
    pub fn labels(&self) -> &[u32] {
        &self.labels
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::Dataset;
    use crate::field::ExactField;
    use crate::mixture::Prepared;
    use crate::sample::start_points;

    #[test]
    fn stepping_any_field_in_pieces_equals_one_run() {
        let d = Dataset::by_name("overlapping").unwrap();
        let m = d.mixture();
        let (mut prep, mut prep2) = (Prepared::default(), Prepared::default());
        let mut p = Particles::new(40, 9, Solver::Euler, 3, vec![1], true).unwrap();
        let mut f = ExactField { mixture: &m, prep: &mut prep, labels: &[1], guidance: Guidance::Cfg(3.0) };
        while !p.done() {
            p.advance_rows_with(&mut f, 15);
        }
        let mut x = start_points(40, 3, 1.0);
        let mut g = ExactField { mixture: &m, prep: &mut prep2, labels: &[1], guidance: Guidance::Cfg(3.0) };
        let stats = Integrator::new(40).run(&mut g, x.view_mut(), 9, Solver::Euler, None);
        assert_eq!(p.positions(), x);
        assert_eq!(p.stats(), Some(stats));
        // one label per particle: the generic field cannot know them, so nothing moves
        let mut q = Particles::new(2, 3, Solver::Euler, 3, vec![0, 1], false).unwrap();
        assert_eq!(q.advance_rows_with(&mut f, 2), 0);
    }

    #[test]
    fn stepping_in_pieces_equals_one_run() {
        let d = Dataset::by_name("face").unwrap();
        let m = d.mixture();
        let (mut prep, mut prep2) = (Prepared::default(), Prepared::default());
        let mut p = Particles::new(50, 12, Solver::Heun, 7, vec![2], true).unwrap();
        let mut src = FieldSource::Exact { mixture: &m, prep: &mut prep };
        for _ in 0..5 {
            p.advance(&mut src, Guidance::Cfg(2.0), 3);
        }
        assert!(p.done());
        let mut x = start_points(50, 7, 1.0);
        let mut f = ExactField { mixture: &m, prep: &mut prep2, labels: &[2], guidance: Guidance::Cfg(2.0) };
        let stats = Integrator::new(50).run(&mut f, x.view_mut(), 12, Solver::Heun, None);
        assert_eq!(p.positions(), x);
        assert_eq!(p.stats(), Some(stats));
        assert_eq!(p.frame(12).unwrap(), x);
        // rewinding replays the same run
        let end = p.positions().to_owned();
        p.rewind();
        assert_eq!(p.step(), 0);
        p.finish(&mut src, Guidance::Cfg(2.0));
        assert_eq!(p.positions(), end);
    }

    #[test]
    fn a_run_can_start_anywhere_on_the_path() {
        // from x at t0 along the exact conditional field of one Gaussian, in many small steps,
        // the end point is where the exact flow map sends it: x1 = μ + σ·(x − t0·μ)/a(t0)
        let d = Dataset::by_name("non-overlapping").unwrap();
        let m = d.mixture();
        let mut prep = Prepared::default();
        let mut src = FieldSource::Exact { mixture: &m, prep: &mut prep };
        let mut p = Particles::new(1, 400, Solver::Heun, 0, vec![1], true).unwrap();
        let start = ndarray::arr2(&[[0.5f32, -0.2]]);
        p.start_from(start.view(), 0.4).unwrap();
        assert_eq!(p.time_at(0), 0.4);
        p.finish(&mut src, Guidance::Conditional);
        let (t0, s) = (0.4f32, 0.3f32);
        let a = ((1.0 - t0).powi(2) + t0 * t0 * s * s).sqrt();
        for j in 0..2 {
            let want = 2.0 + s * (start[[0, j]] - t0 * 2.0) / a;
            assert!((p.positions()[[0, j]] - want).abs() < 1e-3, "{} vs {want}", p.positions()[[0, j]]);
        }
        assert!(p.start_from(start.view(), 1.0).is_err());
        assert!(p.start_from(ndarray::arr2(&[[f32::NAN, 0.0]]).view(), 0.1).is_err());
    }

    #[test]
    fn a_step_split_over_calls_equals_whole_steps() {
        let d = Dataset::by_name("two-moons").unwrap();
        let m = d.mixture();
        let mut prep = Prepared::default();
        let mut src = FieldSource::Exact { mixture: &m, prep: &mut prep };
        let mut whole = Particles::new(101, 6, Solver::Heun, 3, vec![1], true).unwrap();
        whole.finish(&mut src, Guidance::Cfg(2.0));
        let mut split = Particles::new(101, 6, Solver::Heun, 3, vec![1], true).unwrap();
        let mut calls = 0;
        while !split.done() {
            split.advance_rows(&mut src, Guidance::Cfg(2.0), 17);
            calls += 1;
        }
        assert_eq!(calls, 6 * 6); // ceil(101 / 17) = 6 calls per step
        assert_eq!(split.positions(), whole.positions());
        assert_eq!(split.trajectory(), whole.trajectory());
        assert_eq!(split.stats(), whole.stats());
    }

    #[test]
    fn a_custom_field_in_pieces_equals_rectified_cfg_sampling() {
        use crate::field::Source;
        use crate::method::{self, Method};
        use crate::rcfg::{RcfgField, RcfgScratch, RectifiedCfg};
        use crate::sample::SampleConfig;
        let d = Dataset::by_name("overlapping").unwrap();
        let m = d.mixture();
        let mut prep2 = Prepared::default();
        let rule = RectifiedCfg { lambda_max: 3.0, gamma: 1.5 };
        let cfg =
            SampleConfig { n: 53, steps: 7, solver: Solver::Euler, guidance: 1.0, seed: 11, sde_noise: 1.0 };
        let (want, want_stats) =
            method::generate(&d, Source::Exact, &Method::RectifiedCfg(rule), Some(1), &cfg).unwrap();
        let mut p = Particles::new(53, 7, Solver::Euler, 11, vec![1], true).unwrap();
        let mut src2 = FieldSource::Exact { mixture: &m, prep: &mut prep2 };
        let mut scratch = RcfgScratch::new(16);
        while !p.done() {
            let mut f =
                RcfgField { source: &mut src2, labels: &[1], rule, dt: p.dt(), scratch: &mut scratch };
            p.advance_rows_field(&mut f, 16).unwrap();
        }
        assert_eq!(p.positions(), want);
        assert_eq!(p.stats(), Some(want_stats));
        // one label per particle is refused
        let mut q = Particles::new(2, 3, Solver::Euler, 0, vec![0, 1], false).unwrap();
        let mut f = RcfgField { source: &mut src2, labels: &[1], rule, dt: q.dt(), scratch: &mut scratch };
        assert!(q.advance_rows_field(&mut f, 2).is_err());
    }

    #[test]
    fn fkc_in_pieces_equals_a_whole_fkc_run() {
        use crate::fkc::{self, Fkc};
        let d = Dataset::by_name("overlapping").unwrap();
        let m = d.mixture();
        let (mut prep, mut prep2) = (Prepared::default(), Prepared::default());
        let mut src = FieldSource::Exact { mixture: &m, prep: &mut prep };
        let (want, want_stats) = fkc::run(&mut src, 1, 70, 12, 5.0, 1.0, 4).unwrap();
        assert!(want_stats.resamples > 0);
        let mut p = Particles::new(70, 12, Solver::Euler, 4, vec![1], true).unwrap();
        let mut f = Fkc::new(70, 5.0, 1.0, 4).unwrap();
        let mut src2 = FieldSource::Exact { mixture: &m, prep: &mut prep2 };
        for _ in 0..2 {
            // a second run after a rewind restarts the weights by itself
            while !p.done() {
                p.advance_rows_fkc(&mut src2, &mut f, 16).unwrap();
            }
            assert_eq!(p.positions(), want);
            assert_eq!(p.frame(12).unwrap(), want);
            assert_eq!(f.stats(), want_stats);
            assert_eq!(p.stats().map(|s| s.calls_per_sample), Some(0));
            p.rewind();
        }
        let mut q = Particles::new(2, 3, Solver::Euler, 0, vec![0, 1], false).unwrap();
        assert!(q.advance_rows_fkc(&mut src2, &mut Fkc::new(2, 3.0, 1.0, 0).unwrap(), 2).is_err());
        let mut q = Particles::new(3, 3, Solver::Euler, 0, vec![0], false).unwrap();
        assert!(q.advance_rows_fkc(&mut src2, &mut f, 2).is_err());
    }

    #[test]
    fn caps_and_unfinished_frames_are_errors() {
        assert!(Particles::new(0, 10, Solver::Euler, 0, vec![0], false).is_err());
        assert!(Particles::new(10, 0, Solver::Euler, 0, vec![0], false).is_err());
        assert!(Particles::new(MAX_PARTICLES + 1, 10, Solver::Euler, 0, vec![0], false).is_err());
        assert!(Particles::new(50_000, 100, Solver::Euler, 0, vec![0], true).is_err());
        assert!(Particles::new(10, 10, Solver::Euler, 0, vec![0, 1], false).is_err());
        let p = Particles::new(10, 10, Solver::Euler, 0, vec![0], true).unwrap();
        assert!(p.frame(0).is_ok());
        assert!(p.frame(1).is_err());
        let q = Particles::new(10, 10, Solver::Euler, 0, vec![0], false).unwrap();
        assert!(q.frame(0).is_err());
    }
}
