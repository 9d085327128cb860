//! What the guidance-method figures measure besides their flows (which follow a `Method` through
//! `Flow.advanceFor`): rectified CFG's step budget and the "is CFG temperature tuning?"
//! comparisons.
//!
//! - [`Tilted`]: a density computed exactly on a grid over the view, the tilted p(x)^(1−w)·p(x | c)^w
//!   (`new Tilted(...)`) or the tempered class p(x | c)^(1/T) (`Tilted.tempered(...)`): heatmap,
//!   exact samples, and the sliced W2 of a flow's samples to it next to the noise floor (or its
//!   parts, `logDensity`, `reference` and `floor`, for a pool worker);
//! - `cfgStepsAtEqualCalls`, `slicedW2`.

use js_sys::{Float32Array, Float64Array};
use ndarray::Array2;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{js, number, to_js, whole, Flow, Model, Painter};
use crate::caps::{MAX_FLOW_STEPS, MAX_GUIDANCE, MAX_PARTICLES};
use crate::method;
use crate::mixture::Mixture;
use crate::render::PALETTE;
use crate::temperature::{reference, Grid, GridDensity, Target, TEMPERATURE_RANGE};

/// Plain-CFG Euler steps that cost what `k` rectified-CFG steps cost (⌈3k/2⌉).
#[wasm_bindgen(js_name = cfgStepsAtEqualCalls)]
pub fn cfg_steps_at_equal_calls(k: f64) -> Result<f64, JsError> {
    let k = whole("steps", k, 1.0, MAX_FLOW_STEPS as f64)?;
    Ok(crate::rcfg::cfg_steps_at_equal_calls(k) as f64)
}

/// Sliced W2 between point sets `a` and `b` (x, y pairs) over `projections` directions drawn
/// with `seed`.
#[wasm_bindgen(js_name = slicedW2)]
pub fn sliced_w2(a: &[f32], b: &[f32], projections: f64, seed: f64) -> Result<f64, JsError> {
    let view = |name: &str, xy: &[f32]| -> Result<Array2<f32>, JsError> {
        if xy.is_empty() || xy.len() % 2 != 0 || xy.len() > 2 * MAX_PARTICLES {
            return Err(JsError::new(&format!("{name} must hold 1 to {MAX_PARTICLES} x, y pairs")));
        }
        if let Some(i) = xy.iter().position(|v| !v.is_finite()) {
            return Err(JsError::new(&format!("{name}[{i}] is not finite")));
        }
        Ok(Array2::from_shape_vec((xy.len() / 2, 2), xy.to_vec()).expect("pairs"))
    };
    let (a, b) = (view("a", a)?, view("b", b)?);
    let k = whole("projections", projections, 1.0, 4096.0)?;
    let seed = whole("seed", seed, 0.0, u32::MAX as f64)? as u64;
    Ok(reference::distance(a.view(), b.view(), k, seed))
}

/// A density built from a model's data set (its exact mixture at t = 1), on a grid over its view
/// [−extent, extent]²: a heatmap, exact samples, and distances to it. The heatmap is drawn from a
/// grid over the view; the samples (and the reference samples of the distances) come from the grid
/// `cfg-playground sample --method tilted|tempered` samples ([`method::exact_grid`]), with the same
/// seed stream, so the page's samples are the CLI's. Either the tilted density
/// p(x)^(1−w)·p(x | c)^w (the constructor) or the tempered class p(x | c)^(1/T)
/// ([`Tilted::tempered`]).
#[wasm_bindgen]
pub struct Tilted {
    /// the density on the view's grid (the heatmap)
    density: GridDensity,
    /// the density on the grid `sample` draws from (made at the first draw)
    exact: Option<GridDensity>,
    target: Target,
    mix: Mixture,
    extent: f64,
    /// a reference sample set (drawn once per size) that flows are compared with
    reference: Array2<f32>,
    seed: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Distance {
    /// sliced W2 between the flow's samples and the reference samples of the tilted density
    distance: f64,
    /// the same between an independent sample set of the tilted density (same n) and the
    /// reference: what the distance is when the samples do come from it
    floor: f64,
    n: usize,
}

#[wasm_bindgen]
impl Tilted {
    /// The tilted density of `class` at scale `w` for `model`'s data set on a `side` × `side`
    /// grid over [−extent, extent]²; `seed` draws its reference samples.
    #[wasm_bindgen(constructor)]
    pub fn new(model: &Model, class: &str, w: f64, side: f64, seed: f64) -> Result<Tilted, JsError> {
        let label = model.label(class)?;
        if label as usize >= model.ds.n_classes() {
            return Err(JsError::new("the tilted density needs a class, not the null label"));
        }
        let w = number("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)?;
        Tilted::build(model, Target::Tilted { class: label, w }, side, seed)
    }

    /// The tempered density p(x | c)^(1/T) of `class` (null: the data p(x)^(1/T)) at
    /// `temperature` T for `model`'s data set, on the grid and with the reference samples of
    /// the constructor. For a Gaussian class N(μ, σ²I) it is N(μ, T·σ²I).
    pub fn tempered(
        model: &Model,
        class: &str,
        temperature: f64,
        side: f64,
        seed: f64,
    ) -> Result<Tilted, JsError> {
        let label = model.label(class)?;
        let class = (label < model.ds.n_classes() as u32).then_some(label);
        let temperature = number("temperature", temperature, TEMPERATURE_RANGE.0, TEMPERATURE_RANGE.1)?;
        Tilted::build(model, Target::Tempered { class, temperature }, side, seed)
    }

    /// `n` exact samples (x, y pairs, a copy) drawn with `seed`.
    pub fn sample(&mut self, n: f64, seed: f64) -> Result<Float32Array, JsError> {
        let n = whole("n", n, 1.0, MAX_PARTICLES as f64)?;
        let seed = whole("seed", seed, 0.0, u32::MAX as f64)? as u64;
        let x = method::exact_draw(self.exact()?, n, seed);
        Ok(Float32Array::from(x.as_slice().expect("contiguous")))
    }

    /// The `n` exact reference samples that `distance_to` measures a flow of `n` particles against
    /// (x, y pairs, a copy): `slicedW2(positions, reference, projections, seed)` is its distance
    /// (for a pool worker to make them, and the page to measure its flows without this handle).
    pub fn reference(&mut self, n: f64) -> Result<Float32Array, JsError> {
        let n = whole("n", n, 1.0, MAX_PARTICLES as f64)?;
        self.reference_of(n)?;
        Ok(Float32Array::from(self.reference.as_slice().expect("contiguous")))
    }

    /// `distance_to`'s noise floor for `n` samples over `projections` directions.
    pub fn floor(&mut self, n: f64, projections: f64) -> Result<f64, JsError> {
        let n = whole("n", n, 1.0, MAX_PARTICLES as f64)?;
        let k = whole("projections", projections, 1.0, 4096.0)?;
        self.reference_of(n)?;
        Ok(self.floor_of(k))
    }

    /// The log-density at the view grid's cells (side², a copy; the heatmap's, for
    /// `Painter.logDensity` over the model's square).
    #[wasm_bindgen(js_name = logDensity)]
    pub fn log_density(&self) -> Float64Array {
        Float64Array::from(self.density.log_density())
    }

    /// Probability of the grid's edge cells (small: the view holds the density).
    #[wasm_bindgen(getter, js_name = borderMass)]
    pub fn border_mass(&self) -> f64 {
        self.density.border_mass()
    }
}

/// Not exported: the page makes the heatmap, the reference samples and the floor in its pool
/// workers from the parts above (`logDensity`, `reference`, `floor`, with `Painter.logDensity` and
/// `slicedW2`); the whole-handle forms stay as the reference the tests compare those parts with.
impl Tilted {
    /// Paints the density over `painter`'s whole image (which must show [−extent, extent]², the
    /// model's square) in palette colour `c`, opacity rising with density.
    pub fn paint(&self, painter: &mut Painter, c: f64) -> Result<(), JsError> {
        let c = whole("color", c, 0.0, (PALETTE.len() - 1) as f64)?;
        let g = self.density.grid;
        let v = &painter.view;
        let view = [v.x0 as f64, v.x1 as f64, v.y0 as f64, v.y1 as f64];
        let want = [g.lo[0], g.hi[0], g.lo[1], g.hi[1]];
        if view.iter().zip(&want).any(|(a, b)| (a - b).abs() > 1e-4 * (1.0 + b.abs())) {
            return Err(JsError::new(&format!(
                "the painter must show the density's square [{}, {}]², not [{}, {}] × [{}, {}]",
                g.lo[0], g.hi[0], view[0], view[1], view[2], view[3]
            )));
        }
        let heat: Vec<f32> = self.density.log_density().iter().map(|&l| l.exp() as f32).collect();
        let peak = heat.iter().copied().fold(0.0, f32::max);
        painter.img.density(&heat, g.nx, g.ny, peak, PALETTE[c]);
        Ok(())
    }

    /// `{distance, floor, n}`: sliced W2 (`projections` directions) between `flow`'s current
    /// positions and exact samples of this density, and the same for an independent exact
    /// sample set of the same size (the noise floor).
    pub fn distance_to(&mut self, flow: &Flow, projections: f64) -> Result<JsValue, JsError> {
        let k = whole("projections", projections, 1.0, 4096.0)?;
        let n = flow.p.positions().nrows();
        self.reference_of(n)?;
        // the same directions for both distances
        let distance = reference::distance(flow.p.positions(), self.reference.view(), k, self.seed);
        let floor = self.floor_of(k);
        to_js(&Distance { distance, floor, n })
    }
}

impl Tilted {
    /// `target` on a `side` × `side` grid over `model`'s view square.
    fn build(model: &Model, target: Target, side: f64, seed: f64) -> Result<Tilted, JsError> {
        let side = whole("side", side, 8.0, 1024.0)?;
        let seed = whole("seed", seed, 0.0, u32::MAX as f64)? as u64;
        let grid = Grid::square(model.ds.extent, side);
        let density = GridDensity::new(&model.mix, target, grid).map_err(js)?;
        Ok(Tilted {
            density,
            exact: None,
            target,
            mix: model.mix.clone(),
            extent: model.ds.extent,
            reference: Array2::zeros((0, 2)),
            seed,
        })
    }

    /// Draws the reference samples for `n` (unless it has them).
    fn reference_of(&mut self, n: usize) -> Result<(), JsError> {
        if self.reference.nrows() != n {
            let seed = self.seed;
            self.reference = reference::reference(self.exact()?, n, seed);
        }
        Ok(())
    }

    /// The noise floor of the reference drawn last (after `reference_of`, which made the grid).
    fn floor_of(&self, projections: usize) -> f64 {
        let exact = self.exact.as_ref().expect("made by reference_of");
        reference::floor(exact, self.reference.view(), projections, self.seed)
    }

    /// The grid the samples come from (`sample`'s), made at the first use.
    fn exact(&mut self) -> Result<&GridDensity, JsError> {
        if self.exact.is_none() {
            self.exact = Some(method::exact_grid(&self.mix, self.extent, self.target).map_err(js)?);
        }
        Ok(self.exact.as_ref().expect("made above"))
    }
}
