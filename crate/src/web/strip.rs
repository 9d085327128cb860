//! Probability-path strips that follow the sampler between its recorded steps
//! (`crate::strip`), for www/path-strip.js.

use wasm_bindgen::prelude::*;

use super::paint::color;
use super::{number, whole, Flow, Painter};
use crate::limits::MAX_PROJECTION_BINS;

#[wasm_bindgen]
impl Painter {
    /// Paints the probability path of `flow` over the whole image, one column per pixel: time runs
    /// left to right from t = 0 (first column) to t = 1 (last), each particle on the straight line
    /// between the recorded steps around the column's time; upward is the projection u·x onto
    /// (ux, uy) (normalised here) over [lo, hi], counted in `bins` bins, smoothed by `blur` bins,
    /// each column scaled to its own peak, in palette colour `c`. Columns past the steps done stay
    /// transparent, so the strip fills as the flow advances.
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = pathStrip)]
    pub fn path_strip(
        &mut self,
        flow: &Flow,
        ux: f64,
        uy: f64,
        lo: f64,
        hi: f64,
        bins: f64,
        blur: f64,
        c: f64,
    ) -> Result<(), JsError> {
        let (ux, uy) = (number("ux", ux, -1e3, 1e3)?, number("uy", uy, -1e3, 1e3)?);
        let norm = (ux * ux + uy * uy).sqrt();
        if norm == 0.0 {
            return Err(JsError::new("the direction (ux, uy) must not be zero"));
        }
        let (lo, hi) = (number("lo", lo, -100.0, 100.0)? as f32, number("hi", hi, -100.0, 100.0)? as f32);
        if hi <= lo {
            return Err(JsError::new("lo must be below hi"));
        }
        let bins = whole("bins", bins, 2.0, MAX_PROJECTION_BINS as f64)?;
        let blur = whole("blur", blur, 0.0, 32.0)?;
        let col = color(c)?;
        let traj = flow.p.trajectory();
        if traj.shape()[0] == 0 {
            return Err(JsError::new("this flow does not record its trajectory"));
        }
        let u = [(ux / norm) as f32, (uy / norm) as f32];
        let cols = self.img.width;
        let done = flow.p.step() + 1;
        crate::strip::path_density(
            traj.view(),
            done,
            u,
            lo,
            hi,
            bins,
            cols,
            blur,
            &mut self.grid,
            &mut self.column,
        );
        self.img.density(&self.grid, cols, bins, 1.0, col);
        Ok(())
    }
}
