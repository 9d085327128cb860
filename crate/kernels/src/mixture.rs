//! Exact ground truth for Gaussian-mixture data on the straight path x_t = (1−t)·x0 + t·x1,
//! x0 ~ N(0, I), t = 0 noise and t = 1 data.
//!
//! For component k (weight π_k, mean μ_k, covariance Σ_k), x_t | k ~ N(t·μ_k, C_k) with
//! C_k = t²Σ_k + (1−t)²I, and E[x1 − x0 | x_t, k] = μ_k + (tΣ_k − (1−t)I)·C_k⁻¹·(x_t − tμ_k).
//! With posteriors r_k ∝ π_k·N(x; tμ_k, C_k):
//! ```text
//! v(x, t)       = Σ_k r_k [μ_k + (tΣ_k − (1−t)I) C_k⁻¹ (x − tμ_k)]
//! log p_t(x)    = log Σ_k π_k N(x; tμ_k, C_k)
//! ∇ log p_t(x)  = −Σ_k r_k C_k⁻¹ (x − tμ_k)
//! p(c | x_t)    = Σ_{k in c} r_k
//! ```
//! Components of one class give the conditional field v_c; all components give v_u.
//! Everything is f64: posteriors are computed with a running log-sum-exp.

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::guidance::Guidance;

/// A symmetric 2x2 matrix [[xx, xy], [xy, yy]].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sym2 {
    pub xx: f64,
    pub xy: f64,
    pub yy: f64,
}

impl Sym2 {
    /// s·I.
    pub fn iso(s: f64) -> Self {
        Sym2 { xx: s, xy: 0.0, yy: s }
    }
    /// The determinant.
    pub fn det(&self) -> f64 {
        self.xx * self.yy - self.xy * self.xy
    }
    /// The inverse (the matrix must be positive definite).
    pub fn inv(&self) -> Self {
        let d = self.det();
        Sym2 { xx: self.yy / d, xy: -self.xy / d, yy: self.xx / d }
    }
    /// a·self + b·I.
    pub fn scale_add_iso(&self, a: f64, b: f64) -> Self {
        Sym2 { xx: a * self.xx + b, xy: a * self.xy, yy: a * self.yy + b }
    }
    /// self·v.
    pub fn apply(&self, v: [f64; 2]) -> [f64; 2] {
        [self.xx * v[0] + self.xy * v[1], self.xy * v[0] + self.yy * v[1]]
    }
    /// self·other, for matrices that commute (both polynomials in one Σ), so it stays symmetric.
    pub fn mul_commuting(&self, o: &Sym2) -> Self {
        Sym2 {
            xx: self.xx * o.xx + self.xy * o.xy,
            xy: self.xx * o.xy + self.xy * o.yy,
            yy: self.xy * o.xy + self.yy * o.yy,
        }
    }
    /// The trace.
    pub fn trace(&self) -> f64 {
        self.xx + self.yy
    }
}

/// One Gaussian component of a class.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    /// Class index.
    pub class: u32,
    /// Weight in the whole mixture (all weights sum to 1).
    pub weight: f64,
    pub mean: [f64; 2],
    pub cov: Sym2,
}

/// A labelled Gaussian mixture: the data's exact description.
#[derive(Clone, Debug, PartialEq)]
pub struct Mixture {
    pub components: Vec<Component>,
    pub n_classes: usize,
}

/// Per-component quantities at one time t (C = t²Σ + (1−t)²I, the covariance of x_t given the
/// component). Shared with `cfg_playground::density::exact::MixtureJacobian`.
#[derive(Clone, Copy, Debug)]
pub struct AtTime {
    pub class: u32,
    /// log π
    pub log_weight: f64,
    /// t·μ
    pub m: [f64; 2],
    /// C⁻¹
    pub c_inv: Sym2,
    /// −½ log det C − log 2π
    pub log_norm: f64,
    /// (tΣ − (1−t)I)·C⁻¹
    pub a: Sym2,
    pub mean: [f64; 2],
}

/// The mixture's quantities at one point: unconditional and for one class.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PointEval {
    pub v_u: [f64; 2],
    pub v_c: [f64; 2],
    pub log_p_u: f64,
    /// log p_t(x, c) (joint with the class; subtract log p(c) for the class-conditional density)
    pub log_p_c: f64,
    pub score_u: [f64; 2],
    pub score_c: [f64; 2],
}

/// Running softmax-weighted sums over components (allocation-free log-sum-exp).
#[derive(Clone, Copy)]
struct Acc {
    max: f64,
    sum: f64,
    v: [f64; 2],
    s: [f64; 2],
}

impl Acc {
    fn new() -> Self {
        Acc { max: f64::NEG_INFINITY, sum: 0.0, v: [0.0; 2], s: [0.0; 2] }
    }
    fn add(&mut self, logw: f64, v: [f64; 2], s: [f64; 2]) {
        if logw > self.max {
            let r = (self.max - logw).exp();
            self.sum *= r;
            self.v = [self.v[0] * r, self.v[1] * r];
            self.s = [self.s[0] * r, self.s[1] * r];
            self.max = logw;
        }
        let w = (logw - self.max).exp();
        self.sum += w;
        self.v = [self.v[0] + w * v[0], self.v[1] + w * v[1]];
        self.s = [self.s[0] + w * s[0], self.s[1] + w * s[1]];
    }
    fn log_sum(&self) -> f64 {
        self.max + self.sum.ln()
    }
    fn mean_v(&self) -> [f64; 2] {
        [self.v[0] / self.sum, self.v[1] / self.sum]
    }
    fn mean_s(&self) -> [f64; 2] {
        [self.s[0] / self.sum, self.s[1] / self.sum]
    }
}

/// The mixture prepared for evaluation at one time t (reuse it for every point at that t).
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    t: f64,
    comps: Vec<AtTime>,
}

impl Mixture {
    /// Weight of each class (sums to 1).
    pub fn class_weights(&self) -> Vec<f64> {
        let mut w = vec![0.0; self.n_classes];
        for c in &self.components {
            w[c.class as usize] += c.weight;
        }
        w
    }

    /// Mean and covariance of class `c` (or of everything for `None`).
    pub fn moments(&self, class: Option<u32>) -> ([f64; 2], Sym2) {
        let sel = |c: &&Component| class.is_none_or(|k| c.class == k);
        let total: f64 = self.components.iter().filter(sel).map(|c| c.weight).sum();
        let mut mean = [0.0; 2];
        for c in self.components.iter().filter(sel) {
            mean[0] += c.weight * c.mean[0] / total;
            mean[1] += c.weight * c.mean[1] / total;
        }
        let mut cov = Sym2::iso(0.0);
        for c in self.components.iter().filter(sel) {
            let w = c.weight / total;
            let d = [c.mean[0] - mean[0], c.mean[1] - mean[1]];
            cov.xx += w * (c.cov.xx + d[0] * d[0]);
            cov.xy += w * (c.cov.xy + d[0] * d[1]);
            cov.yy += w * (c.cov.yy + d[1] * d[1]);
        }
        (mean, cov)
    }

    /// Precomputes every component's C_k⁻¹ and gain at time t, reusing `prep`'s storage.
    pub fn prepare(&self, t: f64, prep: &mut Prepared) {
        let t = t.clamp(0.0, 1.0);
        prep.t = t;
        prep.comps.clear();
        for c in &self.components {
            let cmat = c.cov.scale_add_iso(t * t, (1.0 - t) * (1.0 - t));
            let c_inv = cmat.inv();
            let gain = c.cov.scale_add_iso(t, -(1.0 - t)).mul_commuting(&c_inv);
            prep.comps.push(AtTime {
                class: c.class,
                log_weight: c.weight.ln(),
                m: [t * c.mean[0], t * c.mean[1]],
                c_inv,
                log_norm: -0.5 * cmat.det().ln() - (2.0 * std::f64::consts::PI).ln(),
                a: gain,
                mean: c.mean,
            });
        }
    }

    /// Everything about point x at the prepared time, for class `class` (v_c and log_p_c are
    /// those of the whole mixture when `class` is None).
    pub fn eval(prep: &Prepared, x: [f64; 2], class: Option<u32>) -> PointEval {
        let (mut all, mut cls) = (Acc::new(), Acc::new());
        for k in &prep.comps {
            let d = [x[0] - k.m[0], x[1] - k.m[1]];
            let cd = k.c_inv.apply(d);
            let logw = k.log_weight + k.log_norm - 0.5 * (d[0] * cd[0] + d[1] * cd[1]);
            let ad = k.a.apply(d);
            let v = [k.mean[0] + ad[0], k.mean[1] + ad[1]];
            let s = [-cd[0], -cd[1]];
            all.add(logw, v, s);
            if class.is_none_or(|c| c == k.class) {
                cls.add(logw, v, s);
            }
        }
        PointEval {
            v_u: all.mean_v(),
            v_c: cls.mean_v(),
            log_p_u: all.log_sum(),
            log_p_c: cls.log_sum(),
            score_u: all.mean_s(),
            score_c: cls.mean_s(),
        }
    }

    /// The guided exact velocity of every row of `x` (n, 2) at the prepared time, into `v` (n, 2):
    /// `guidance.mix(v_u, v_c)` per point, its label one per point or one for all (`labels`),
    /// `null` the unconditional label. The exact-field flow's loop: here so that the page's wasm
    /// builds it with the kernels, at opt-level 3 (docs/performance.md#the-wasm-size-budget).
    pub fn eval_guided(
        prep: &Prepared,
        x: ArrayView2<f32>,
        labels: &[u32],
        null: u32,
        guidance: Guidance,
        mut v: ArrayViewMut2<f32>,
    ) {
        for (i, (x, mut v)) in x.rows().into_iter().zip(v.rows_mut()).enumerate() {
            let y = if labels.len() == 1 { labels[0] } else { labels[i] };
            let class = (y != null).then_some(y);
            let e = Mixture::eval(prep, [x[0] as f64, x[1] as f64], class);
            for j in 0..2 {
                v[j] = guidance.mix(e.v_u[j] as f32, e.v_c[j] as f32);
            }
        }
    }

    /// The class posteriors p(c | x_t) at the prepared time, written into `out` (n_classes).
    pub fn posterior(&self, prep: &Prepared, x: [f64; 2], out: &mut [f64]) {
        let mut max = f64::NEG_INFINITY;
        out.iter_mut().for_each(|o| *o = 0.0);
        // two passes over the components: the max log-weight, then the sums
        let logw = |k: &AtTime| {
            let d = [x[0] - k.m[0], x[1] - k.m[1]];
            let cd = k.c_inv.apply(d);
            k.log_weight + k.log_norm - 0.5 * (d[0] * cd[0] + d[1] * cd[1])
        };
        for k in &prep.comps {
            max = max.max(logw(k));
        }
        let mut total = 0.0;
        for k in &prep.comps {
            let w = (logw(k) - max).exp();
            out[k.class as usize] += w;
            total += w;
        }
        out.iter_mut().for_each(|o| *o /= total);
    }

    /// The most likely class of x under the data (t = 1) mixture.
    pub fn classify(&self, prep: &Prepared, x: [f64; 2], scratch: &mut [f64]) -> u32 {
        self.posterior(prep, x, scratch);
        let mut best = 0;
        for (c, &p) in scratch.iter().enumerate() {
            if p > scratch[best] {
                best = c;
            }
        }
        best as u32
    }
}

impl Prepared {
    /// The time these quantities are for.
    pub fn t(&self) -> f64 {
        self.t
    }

    /// Every component at the prepared time.
    pub fn comps(&self) -> &[AtTime] {
        &self.comps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_class() -> Mixture {
        Mixture {
            n_classes: 2,
            components: vec![
                Component {
                    class: 0,
                    weight: 0.3,
                    mean: [-1.0, 0.5],
                    cov: Sym2 { xx: 0.2, xy: 0.05, yy: 0.1 },
                },
                Component { class: 0, weight: 0.2, mean: [0.5, -1.0], cov: Sym2::iso(0.04) },
                Component {
                    class: 1,
                    weight: 0.5,
                    mean: [1.5, 1.5],
                    cov: Sym2 { xx: 0.3, xy: -0.1, yy: 0.2 },
                },
            ],
        }
    }

    /// The velocity of the probability-flow ODE equals the score-based formula
    /// v = (x + (1−t)·∇log p_t) / t for the straight path; check it at several times.
    #[test]
    fn velocity_agrees_with_the_score_identity() {
        let m = two_class();
        let mut prep = Prepared::default();
        for &t in &[0.2, 0.5, 0.9] {
            m.prepare(t, &mut prep);
            for &x in &[[0.3, -0.2], [-1.0, 0.4], [2.0, 1.0]] {
                let e = Mixture::eval(&prep, x, Some(1));
                for (v, s) in [(e.v_u, e.score_u), (e.v_c, e.score_c)] {
                    for j in 0..2 {
                        let want = (x[j] + (1.0 - t) * s[j]) / t;
                        assert!((v[j] - want).abs() < 1e-10, "t {t} x {x:?}: {} vs {want}", v[j]);
                    }
                }
            }
        }
    }

    #[test]
    fn score_is_the_gradient_of_the_log_density() {
        let m = two_class();
        let mut prep = Prepared::default();
        m.prepare(0.6, &mut prep);
        let x = [0.4, 0.1];
        let e = Mixture::eval(&prep, x, Some(0));
        let h = 1e-6;
        for j in 0..2 {
            let (mut up, mut dn) = (x, x);
            up[j] += h;
            dn[j] -= h;
            let (eu, ed) = (Mixture::eval(&prep, up, Some(0)), Mixture::eval(&prep, dn, Some(0)));
            assert!(((eu.log_p_u - ed.log_p_u) / (2.0 * h) - e.score_u[j]).abs() < 1e-7);
            assert!(((eu.log_p_c - ed.log_p_c) / (2.0 * h) - e.score_c[j]).abs() < 1e-7);
        }
    }

    #[test]
    fn density_at_t0_is_the_standard_normal_and_integrates_to_one_at_t1() {
        let m = two_class();
        let mut prep = Prepared::default();
        m.prepare(0.0, &mut prep);
        let e = Mixture::eval(&prep, [0.3, -0.4], None);
        let want = -0.5 * (0.09 + 0.16) - (2.0 * std::f64::consts::PI).ln();
        assert!((e.log_p_u - want).abs() < 1e-12);
        m.prepare(1.0, &mut prep);
        let (n, lo, hi) = (400, -4.0, 5.0);
        let dx = (hi - lo) / n as f64;
        let mut total = 0.0;
        for i in 0..n {
            for j in 0..n {
                let x = [lo + (i as f64 + 0.5) * dx, lo + (j as f64 + 0.5) * dx];
                total += Mixture::eval(&prep, x, None).log_p_u.exp() * dx * dx;
            }
        }
        assert!((total - 1.0).abs() < 1e-4, "{total}");
    }

    #[test]
    fn posteriors_sum_to_one_and_follow_bayes() {
        let m = two_class();
        let mut prep = Prepared::default();
        m.prepare(0.7, &mut prep);
        let mut post = [0.0; 2];
        let x = [0.2, 0.3];
        m.posterior(&prep, x, &mut post);
        assert!((post[0] + post[1] - 1.0).abs() < 1e-12);
        let e = Mixture::eval(&prep, x, Some(1));
        assert!((post[1] - (e.log_p_c - e.log_p_u).exp()).abs() < 1e-12);
    }

    #[test]
    fn moments_of_a_class() {
        let m = two_class();
        let (mean, cov) = m.moments(Some(1));
        assert_eq!(mean, [1.5, 1.5]);
        assert_eq!(cov, Sym2 { xx: 0.3, xy: -0.1, yy: 0.2 });
        let w = m.class_weights();
        assert!((w[0] - 0.5).abs() < 1e-12 && (w[1] - 0.5).abs() < 1e-12);
    }
}
