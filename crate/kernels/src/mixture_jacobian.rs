//! The exact mixture velocity's Jacobian, analytically. With d_k = x − tμ_k,
//! s_k = −C_k⁻¹d_k (= ∇ℓ_k, ℓ_k the component's log weight at x), u_k = μ_k + A_k d_k,
//! A_k = (tΣ_k − (1−t)I)C_k⁻¹ and responsibilities r_k = softmax(ℓ)_k (∂r_k/∂x = r_k(s_k − s̄)):
//! ```text
//! v = Σ_k r_k u_k        ∂v/∂x = Σ_k r_k A_k + Σ_k r_k u_k s_kᵀ − v s̄ᵀ,   s̄ = Σ_k r_k s_k
//! ```
//! over all components for v_u, over one class's for v_c; guidance mixes the two linearly
//! (`cfg_playground::density::exact`, which re-exports this module's types).

use crate::mixture::{AtTime, Mixture, Prepared, Sym2};

/// A 2x2 matrix, `m[a][b]` = ∂v_a/∂x_b.
pub type Mat2 = [[f64; 2]; 2];

/// The mixture's velocities, Jacobians and log densities at one point.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct JacEval {
    pub v_u: [f64; 2],
    pub v_c: [f64; 2],
    pub jac_u: Mat2,
    pub jac_c: Mat2,
    pub log_p_u: f64,
    /// log p_t(x, c) (joint; subtract log p(c) for the class-conditional density)
    pub log_p_c: f64,
}

/// Weighted sums over components, relative to a fixed maximum log weight.
#[derive(Clone, Copy)]
struct Sums {
    max: f64,
    w: f64,
    u: [f64; 2],
    s: [f64; 2],
    a: Mat2,
    us: Mat2,
}

impl Sums {
    fn new(max: f64) -> Self {
        Sums { max, w: 0.0, u: [0.0; 2], s: [0.0; 2], a: [[0.0; 2]; 2], us: [[0.0; 2]; 2] }
    }
    fn add(&mut self, logw: f64, u: [f64; 2], s: [f64; 2], a: &Sym2) {
        let w = (logw - self.max).exp();
        self.w += w;
        let am = [[a.xx, a.xy], [a.xy, a.yy]];
        for i in 0..2 {
            self.u[i] += w * u[i];
            self.s[i] += w * s[i];
            for j in 0..2 {
                self.a[i][j] += w * am[i][j];
                self.us[i][j] += w * u[i] * s[j];
            }
        }
    }
    /// (v, ∂v/∂x, log Σ w)
    fn finish(&self) -> ([f64; 2], Mat2, f64) {
        let v = [self.u[0] / self.w, self.u[1] / self.w];
        let sb = [self.s[0] / self.w, self.s[1] / self.w];
        let mut j = [[0.0; 2]; 2];
        for a in 0..2 {
            for b in 0..2 {
                j[a][b] = (self.a[a][b] + self.us[a][b]) / self.w - v[a] * sb[b];
            }
        }
        (v, j, self.max + self.w.ln())
    }
}

/// The mixture prepared at one time t for Jacobians (reuse it for every point at that t): the
/// per-component C⁻¹ and gain of [`Mixture::prepare`].
#[derive(Clone, Debug, Default)]
pub struct MixtureJacobian {
    prep: Prepared,
}

impl MixtureJacobian {
    /// Precomputes every component's C⁻¹ and gain at time t, reusing the storage.
    pub fn prepare(&mut self, mixture: &Mixture, t: f64) {
        mixture.prepare(t, &mut self.prep);
    }

    /// The prepared time.
    pub fn t(&self) -> f64 {
        self.prep.t()
    }

    fn logw(k: &AtTime, x: [f64; 2]) -> ([f64; 2], [f64; 2], f64) {
        let d = [x[0] - k.m[0], x[1] - k.m[1]];
        let cd = k.c_inv.apply(d);
        (d, cd, k.log_weight + k.log_norm - 0.5 * (d[0] * cd[0] + d[1] * cd[1]))
    }

    /// Velocities, Jacobians and log densities at x, for class `class` (the `_c` fields are the
    /// whole mixture's when `class` is None).
    pub fn eval(&self, x: [f64; 2], class: Option<u32>) -> JacEval {
        let in_class = |k: &AtTime| class.is_none_or(|c| c == k.class);
        let (mut max_u, mut max_c) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for k in self.prep.comps() {
            let lw = Self::logw(k, x).2;
            max_u = max_u.max(lw);
            if in_class(k) {
                max_c = max_c.max(lw);
            }
        }
        let (mut all, mut cls) = (Sums::new(max_u), Sums::new(max_c));
        for k in self.prep.comps() {
            let (d, cd, lw) = Self::logw(k, x);
            let ad = k.a.apply(d);
            let u = [k.mean[0] + ad[0], k.mean[1] + ad[1]];
            let s = [-cd[0], -cd[1]];
            all.add(lw, u, s, &k.a);
            if in_class(k) {
                cls.add(lw, u, s, &k.a);
            }
        }
        let (v_u, jac_u, log_p_u) = all.finish();
        let (v_c, jac_c, log_p_c) = cls.finish();
        JacEval { v_u, v_c, jac_u, jac_c, log_p_u, log_p_c }
    }
}
