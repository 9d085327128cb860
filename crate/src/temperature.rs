//! "Is CFG temperature tuning?": the distributions guidance is compared with, computed exactly.
//!
//! - Tempered class density p(x | c)^(1/T) and the tilted density p(x)^(1−w)·p(x | c)^w (what
//!   the CFG score ∇log p + w(∇log p(x|c) − ∇log p) would be the score of, at t = 1), evaluated
//!   from the data's exact Gaussian mixture on a grid and normalised there ([`GridDensity`],
//!   [`log_density_into`] for heatmaps).
//! - Exact samples of those densities: inverse CDF over the grid's cells, then a uniform position
//!   inside the cell ([`GridDensity::sample_into`]). The only error is the grid's discretisation
//!   (and the mass outside the grid, [`GridDensity::border_mass`] bounds it): for a smooth
//!   density the samples' variance exceeds the true one by h²/12 per axis (cell size h), e.g.
//!   2·10⁻⁵ for the 512 × 512 grid over an 8 × 8 box used by [`report::cfg_vs_tilted`]
//!   (h = 0.016, a twentieth of the narrowest class's σ = 0.3).
//! - The post's "v ← T·v" as a [`VelocityField`] wrapper ([`ScaledVelocity`]): it is a time
//!   rescaling, not a temperature.
//! - Noise scaling (x0 ~ N(0, τ²I)) is the `noise-scale` method ([`crate::method`]).
//! - [`reference`]: sliced W2 distances to such a density and their noise floor.
//! - [`report::cfg_vs_tilted`]: how far exact CFG samples are from the tilted density.

pub mod reference;
pub mod report;

use ndarray::{ArrayView2, ArrayViewMut2};
use serde::Serialize;

use crate::caps::MAX_GUIDANCE;
use crate::caps::MAX_TILT_GRID_SIDE;
use crate::error::{check_count, check_range, Result};
use crate::field::VelocityField;
use crate::invalid;
use crate::mixture::{Mixture, Prepared};
use crate::rng::{self, Rng};

/// Temperatures accepted by [`Target::Tempered`].
pub const TEMPERATURE_RANGE: (f64, f64) = (0.01, 100.0);

/// A distribution over the data plane built from the data's mixture at t = 1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Target {
    /// p(x | c)^(1/T) (for class None, p(x)^(1/T)), normalised. T = 1 is the class itself;
    /// for a Gaussian class N(μ, σ²I) it is N(μ, T·σ²I).
    Tempered { class: Option<u32>, temperature: f64 },
    /// p(x)^(1−w)·p(x | c)^w = p(x | c)·(p(c | x)/p(c))^(w−1), normalised. w = 1 is the class.
    Tilted { class: u32, w: f64 },
}

impl Target {
    /// Checks the target against `mixture`, naming the first bad field.
    pub fn validate(&self, mixture: &Mixture) -> Result<()> {
        let class = match *self {
            Target::Tempered { class, temperature } => {
                check_range("temperature", temperature, TEMPERATURE_RANGE.0, TEMPERATURE_RANGE.1)?;
                class
            }
            Target::Tilted { class, w } => {
                check_range("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)?;
                Some(class)
            }
        };
        match class {
            Some(c) if c as usize >= mixture.n_classes => {
                Err(invalid!("class must be below {}, got {c}", mixture.n_classes))
            }
            _ => Ok(()),
        }
    }

    /// The unnormalised log-density at x (`prep`: the mixture prepared at t = 1).
    #[inline]
    fn log_unnormalised(&self, prep: &Prepared, x: [f64; 2]) -> f64 {
        match *self {
            Target::Tempered { class, temperature } => Mixture::eval(prep, x, class).log_p_c / temperature,
            Target::Tilted { class, w } => {
                let e = Mixture::eval(prep, x, Some(class));
                // p(x, c) differs from p(x | c) by the constant p(c): the normalisation absorbs it
                (1.0 - w) * e.log_p_u + w * e.log_p_c
            }
        }
    }
}

/// An nx × ny grid of cells over the box [lo, hi]; cell (i, j) is row j·nx + i (y outer, x
/// inner, from the bottom-left), like [`crate::sampler::eval_grid`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Grid {
    pub lo: [f64; 2],
    pub hi: [f64; 2],
    pub nx: usize,
    pub ny: usize,
}

impl Grid {
    /// The square [−extent, extent]² in side × side cells.
    pub fn square(extent: f64, side: usize) -> Self {
        Grid { lo: [-extent; 2], hi: [extent; 2], nx: side, ny: side }
    }

    /// Checks the box and the cell counts, naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        check_count("nx", self.nx as i64, 2, MAX_TILT_GRID_SIDE as i64)?;
        check_count("ny", self.ny as i64, 2, MAX_TILT_GRID_SIDE as i64)?;
        for (j, axis) in ["x", "y"].iter().enumerate() {
            check_range(&format!("grid lo {axis}"), self.lo[j], -1e3, 1e3)?;
            check_range(&format!("grid hi {axis}"), self.hi[j], -1e3, 1e3)?;
            if self.hi[j] <= self.lo[j] {
                return Err(invalid!("grid hi {axis} must be above lo {axis}"));
            }
        }
        Ok(())
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }

    /// True for a grid without cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The size of a cell: [dx, dy].
    pub fn cell(&self) -> [f64; 2] {
        [(self.hi[0] - self.lo[0]) / self.nx as f64, (self.hi[1] - self.lo[1]) / self.ny as f64]
    }

    /// The centre of cell (i, j).
    #[inline]
    pub fn center(&self, i: usize, j: usize) -> [f64; 2] {
        let d = self.cell();
        [self.lo[0] + (i as f64 + 0.5) * d[0], self.lo[1] + (j as f64 + 0.5) * d[1]]
    }
}

/// Calls `f(cell, log p̃)` for every cell with the unnormalised log-density at its centre and
/// returns log Σ p̃ (a running log-sum-exp).
fn for_each_cell(mixture: &Mixture, target: &Target, grid: &Grid, mut f: impl FnMut(usize, f64)) -> f64 {
    let mut prep = Prepared::default();
    mixture.prepare(1.0, &mut prep);
    let (mut max, mut sum) = (f64::NEG_INFINITY, 0.0);
    for j in 0..grid.ny {
        for i in 0..grid.nx {
            let l = target.log_unnormalised(&prep, grid.center(i, j));
            if l > max {
                sum *= (max - l).exp();
                max = l;
            }
            sum += (l - max).exp();
            f(j * grid.nx + i, l);
        }
    }
    max + sum.ln()
}

/// Writes the log-density of `target` at every cell centre of `grid` into `out` (nx·ny, cell
/// order of [`Grid`]), normalised so that Σ exp(out)·dx·dy = 1 over the grid: for heatmaps.
pub fn log_density_into(mixture: &Mixture, target: &Target, grid: &Grid, out: &mut [f32]) -> Result<()> {
    grid.validate()?;
    target.validate(mixture)?;
    if out.len() != grid.len() {
        return Err(invalid!("the output holds {} values, the grid has {} cells", out.len(), grid.len()));
    }
    // Store the unnormalised values as offsets from the first one (f32 keeps them exact enough
    // for a picture), then shift everything by the normaliser.
    let mut first = None;
    let lse = for_each_cell(mixture, target, grid, |k, l| {
        let l0 = *first.get_or_insert(l);
        out[k] = (l - l0) as f32;
    });
    let [dx, dy] = grid.cell();
    let shift = (first.unwrap_or(0.0) - lse - (dx * dy).ln()) as f32;
    out.iter_mut().for_each(|v| *v += shift);
    Ok(())
}

/// A target's density on a grid, normalised there, ready for exact sampling.
#[derive(Clone, Debug)]
pub struct GridDensity {
    pub grid: Grid,
    pub target: Target,
    /// log-density at each cell centre (nx·ny), normalised over the grid.
    log_p: Vec<f64>,
    /// cumulative cell probabilities (nx·ny, the last is 1).
    cdf: Vec<f64>,
}

impl GridDensity {
    /// Evaluates `target` on every cell of `grid`.
    pub fn new(mixture: &Mixture, target: Target, grid: Grid) -> Result<Self> {
        grid.validate()?;
        target.validate(mixture)?;
        let mut log_p = vec![0.0; grid.len()];
        let lse = for_each_cell(mixture, &target, &grid, |k, l| log_p[k] = l);
        let [dx, dy] = grid.cell();
        let mut cdf = Vec::with_capacity(grid.len());
        let mut acc = 0.0;
        for l in log_p.iter_mut() {
            acc += (*l - lse).exp();
            cdf.push(acc);
            *l -= lse + (dx * dy).ln();
        }
        // acc is 1 up to rounding; the sampler scales its uniforms by the last entry
        Ok(GridDensity { grid, target, log_p, cdf })
    }

    /// The normalised log-density at each cell centre (cell order of [`Grid`]).
    pub fn log_density(&self) -> &[f64] {
        &self.log_p
    }

    /// Probability of cell k.
    pub fn cell_mass(&self, k: usize) -> f64 {
        self.cdf[k] - if k == 0 { 0.0 } else { self.cdf[k - 1] }
    }

    /// Probability of the cells on the grid's edge: if it is small, the grid holds (nearly) all
    /// of the distribution.
    pub fn border_mass(&self) -> f64 {
        let (nx, ny) = (self.grid.nx, self.grid.ny);
        let mut m = 0.0;
        for j in 0..ny {
            for i in 0..nx {
                if i == 0 || j == 0 || i == nx - 1 || j == ny - 1 {
                    m += self.cell_mass(j * nx + i);
                }
            }
        }
        m
    }

    /// Mean and trace of the covariance of the grid distribution (cell centres, plus the
    /// within-cell variance (dx² + dy²)/12 of the uniform jitter).
    pub fn moments(&self) -> ([f64; 2], f64) {
        let (mut m, mut s2) = ([0.0; 2], 0.0);
        for j in 0..self.grid.ny {
            for i in 0..self.grid.nx {
                let p = self.cell_mass(j * self.grid.nx + i);
                let c = self.grid.center(i, j);
                m = [m[0] + p * c[0], m[1] + p * c[1]];
                s2 += p * (c[0] * c[0] + c[1] * c[1]);
            }
        }
        let [dx, dy] = self.grid.cell();
        (m, s2 - m[0] * m[0] - m[1] * m[1] + (dx * dx + dy * dy) / 12.0)
    }

    /// Fills `x` (n, 2) with independent samples: a cell by inverse CDF, then a uniform point in it.
    pub fn sample_into(&self, rng: &mut Rng, mut x: ArrayViewMut2<f32>) {
        let total = *self.cdf.last().expect("a grid has cells");
        let [dx, dy] = self.grid.cell();
        for mut row in x.rows_mut() {
            let u = rng::uniform(rng) * total;
            let k = self.cdf.partition_point(|&c| c <= u).min(self.cdf.len() - 1);
            let (i, j) = (k % self.grid.nx, k / self.grid.nx);
            row[0] = (self.grid.lo[0] + (i as f64 + rng::uniform(rng)) * dx) as f32;
            row[1] = (self.grid.lo[1] + (j as f64 + rng::uniform(rng)) * dy) as f32;
        }
    }

    /// `n` independent samples: (n, 2).
    pub fn sample(&self, n: usize, rng: &mut Rng) -> ndarray::Array2<f32> {
        let mut x = ndarray::Array2::zeros((n, 2));
        self.sample_into(rng, x.view_mut());
        x
    }
}

/// Which clock the wrapped field is read at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Clock {
    /// T·v(x, T·t): exactly the time rescaling s = T·t, so a run over t in [0, 1] follows v
    /// from s = 0 to s = T and the samples are distributed as p_T.
    Rescaled,
    /// T·v(x, t): the velocity scaled but read at the sampler's own time, literally "v ← T·v"
    /// in a sampling loop. Like [`Clock::Rescaled`] the samples stop short of the data, but not
    /// at p_T: with the exact field at T = 0.5 (non-overlapping, unconditional) they are at
    /// sliced W2 0.38 from p_0.5 and 0.65 from the data (`tests/temperature.rs`).
    Sampler,
}

/// The post's "v ← T·v": the velocity multiplied by T. This is NOT temperature: integrating
/// T·v(x, T·t) over t in [0, 1] is following v over s = T·t in [0, T], so for T < 1 the
/// samples stop at the intermediate marginal p_T = law of (1 − T)·x0 + T·x1 (noise blended
/// into the data, not a sharpened data distribution); for T > 1 the field is read past the data
/// (the exact field clamps its time to 1 and keeps moving).
pub struct ScaledVelocity<'f> {
    pub inner: &'f mut dyn VelocityField,
    /// T.
    pub scale: f32,
    pub clock: Clock,
}

impl VelocityField for ScaledVelocity<'_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, mut v: ArrayViewMut2<f32>) {
        let s = match self.clock {
            Clock::Rescaled => self.scale * t,
            Clock::Sampler => t,
        };
        self.inner.eval(x, s, v.view_mut());
        v.iter_mut().for_each(|a| *a *= self.scale);
    }

    fn calls(&self) -> usize {
        self.inner.calls()
    }
}

#[cfg(test)]
mod tests;
