//! Exact densities by the instantaneous change of variables: along a trajectory of the ODE
//! ẋ = v(x, t),
//! ```text
//! d/dt log p_t(x_t) = −tr(∂v/∂x)(x_t, t)
//! log p_1(x_1) = log N(x_0; 0, I) − ∫_0^1 tr(∂v/∂x)(x_t, t) dt                    (forward)
//! log p_t(x)   = log N(x_0; 0, I) − ∫_0^t tr(∂v/∂x)(x_s, s) ds,  x_0 from x by the reverse ODE
//! ```
//! The divergence is exact: the network's 2x2 Jacobian by two backward passes
//! ([`NetworkDivergence`]), the mixture's analytically ([`ExactDivergence`]). The integration
//! uses the sampler's rules (Euler or Heun) on x and log p together, in f64.

pub mod exact;
pub mod jacobian;
pub mod path;

pub use exact::{ExactDivergence, JacEval, MixtureJacobian};
pub use jacobian::{JacobianScratch, NetworkDivergence};
pub use path::GridPath;

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Zip};

use crate::sampler::Solver;

/// A velocity field that also gives its divergence.
pub trait DivergenceField {
    /// v ← v(x, t) and div ← tr(∂v/∂x)(x, t). x: (n, 2), v: (n, 2), div: n.
    fn eval_div(&mut self, x: ArrayView2<f64>, t: f64, v: ArrayViewMut2<f64>, div: &mut [f64]);
    /// Network passes per point per evaluation (0 for an analytic field).
    fn calls(&self) -> usize;
}

/// log N(x; 0, I) in 2D.
#[inline]
pub fn log_normal(x: [f64; 2]) -> f64 {
    -0.5 * (x[0] * x[0] + x[1] * x[1]) - (2.0 * std::f64::consts::PI).ln()
}

/// Buffers for transporting up to `n` points with their log densities. Sized once.
#[derive(Clone, Debug)]
pub struct DensityIntegrator {
    x: Array2<f64>,
    v: Array2<f64>,
    v2: Array2<f64>,
    x_pred: Array2<f64>,
    div: Vec<f64>,
    div2: Vec<f64>,
}

impl DensityIntegrator {
    /// Buffers for up to `n` points.
    pub fn new(n: usize) -> Self {
        DensityIntegrator {
            x: Array2::zeros((n, 2)),
            v: Array2::zeros((n, 2)),
            v2: Array2::zeros((n, 2)),
            x_pred: Array2::zeros((n, 2)),
            div: vec![0.0; n],
            div2: vec![0.0; n],
        }
    }

    /// Largest number of points.
    pub fn capacity(&self) -> usize {
        self.div.len()
    }

    /// Moves `x` (n, 2) from time t0 to t1 (either direction) in `steps` equal steps and adds
    /// −∫_{t0}^{t1} tr(∂v/∂x) dt along each path to `log_p` (n).
    #[allow(clippy::too_many_arguments)]
    pub fn transport(
        &mut self,
        field: &mut dyn DivergenceField,
        mut x: ArrayViewMut2<f64>,
        log_p: &mut [f64],
        t0: f64,
        t1: f64,
        steps: usize,
        solver: Solver,
    ) {
        assert!(steps > 0, "at least one step");
        let dt = (t1 - t0) / steps as f64;
        for k in 0..steps {
            self.step(field, x.view_mut(), log_p, t0 + k as f64 * dt, dt, solver);
        }
    }

    /// One step of [`DensityIntegrator::transport`]: moves `x` (n, 2) from t to t + dt (dt of
    /// either sign) and adds −dt·tr(∂v/∂x) (Euler; Heun averages both ends) to `log_p` (n).
    #[allow(clippy::too_many_arguments)]
    pub fn step(
        &mut self,
        field: &mut dyn DivergenceField,
        mut x: ArrayViewMut2<f64>,
        log_p: &mut [f64],
        t: f64,
        dt: f64,
        solver: Solver,
    ) {
        let n = x.nrows();
        assert!(n <= self.capacity(), "{n} points exceed the integrator's {}", self.capacity());
        assert_eq!(log_p.len(), n, "one log density per point");
        let (v, v2, xp) = (
            &mut self.v.slice_mut(s![..n, ..]),
            &mut self.v2.slice_mut(s![..n, ..]),
            &mut self.x_pred.slice_mut(s![..n, ..]),
        );
        let (div, div2) = (&mut self.div[..n], &mut self.div2[..n]);
        field.eval_div(x.view(), t, v.view_mut(), div);
        if solver == Solver::Heun {
            Zip::from(&mut *xp).and(&x).and(&*v).for_each(|p, &x, &v| *p = x + dt * v);
            field.eval_div(xp.view(), t + dt, v2.view_mut(), div2);
            Zip::from(&mut *v).and(&*v2).for_each(|a, &b| *a = 0.5 * (*a + b));
            div.iter_mut().zip(div2.iter()).for_each(|(a, &b)| *a = 0.5 * (*a + b));
        }
        Zip::from(&mut x).and(&*v).for_each(|x, &v| *x += dt * v);
        log_p.iter_mut().zip(div.iter()).for_each(|(l, &d)| *l -= dt * d);
    }

    /// Samples with densities: `x` (n, 2) holds noise x0 and receives x1; `log_p` (n) receives
    /// log p_1(x1) = log N(x0) − ∫_0^1 tr(∂v/∂x) dt.
    pub fn forward(
        &mut self,
        field: &mut dyn DivergenceField,
        x: ArrayViewMut2<f64>,
        log_p: &mut [f64],
        steps: usize,
        solver: Solver,
    ) {
        for (l, row) in log_p.iter_mut().zip(x.rows()) {
            *l = log_normal([row[0], row[1]]);
        }
        self.transport(field, x, log_p, 0.0, 1.0, steps, solver);
    }

    /// log p_t(x) at the points `x` (n, 2) (left unchanged) into `log_p` (n): each point is
    /// carried back to t = 0 by the reverse ODE, where the density is N(0, I). `steps` is the
    /// number of steps for the whole span t → 0.
    #[allow(clippy::too_many_arguments)]
    pub fn log_density(
        &mut self,
        field: &mut dyn DivergenceField,
        x: ArrayView2<f64>,
        t: f64,
        log_p: &mut [f64],
        steps: usize,
        solver: Solver,
    ) {
        let n = x.nrows();
        assert!(n <= self.capacity(), "{n} points exceed the integrator's {}", self.capacity());
        let mut xw = std::mem::take(&mut self.x);
        xw.slice_mut(s![..n, ..]).assign(&x);
        log_p.iter_mut().for_each(|l| *l = 0.0);
        if t > 0.0 {
            // acc = −∫_t^0 div = ∫_0^t div; log p_t(x) = log N(x_0) − acc
            self.transport(field, xw.slice_mut(s![..n, ..]), log_p, t, 0.0, steps, solver);
        }
        for (l, row) in log_p.iter_mut().zip(xw.rows()) {
            *l = log_normal([row[0], row[1]]) - *l;
        }
        self.x = xw;
    }
}

/// Fills `grid` (nx·ny, 2) with the cell centres of an nx × ny grid over [−extent, extent]²,
/// row-major from the bottom-left (y outer, x inner), as [`crate::sampler::eval_grid`].
pub fn grid_points(extent: f64, nx: usize, ny: usize, mut grid: ArrayViewMut2<f64>) {
    assert_eq!(grid.dim(), (nx * ny, 2), "grid must be (nx·ny, 2)");
    for j in 0..ny {
        for i in 0..nx {
            let r = j * nx + i;
            grid[[r, 0]] = -extent + 2.0 * extent * (i as f64 + 0.5) / nx as f64;
            grid[[r, 1]] = -extent + 2.0 * extent * (j as f64 + 0.5) / ny as f64;
        }
    }
}

/// log p_t on an nx × ny grid over [−extent, extent]² (the probability-path figures): `grid`
/// (nx·ny, 2) receives the points, `log_p` (nx·ny) their log densities. The integrator must hold
/// nx·ny points.
#[allow(clippy::too_many_arguments)]
pub fn density_grid(
    field: &mut dyn DivergenceField,
    integrator: &mut DensityIntegrator,
    t: f64,
    extent: f64,
    nx: usize,
    ny: usize,
    steps: usize,
    solver: Solver,
    mut grid: ArrayViewMut2<f64>,
    log_p: &mut [f64],
) {
    grid_points(extent, nx, ny, grid.view_mut());
    integrator.log_density(field, grid.view(), t, log_p, steps, solver);
}
