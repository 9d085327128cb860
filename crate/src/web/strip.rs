//! Probability-path strips that follow the sampler between its recorded steps
//! (`crate::strip`), for www/lib/path-strip.js.

use wasm_bindgen::prelude::*;

use super::paint::StripArgs;
use super::{Flow, Painter};

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
        let StripArgs { u, lo, hi, bins, blur, col } =
            StripArgs::check(flow, [ux, uy, lo, hi, bins, blur, c])?;
        let traj = flow.p.trajectory();
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
