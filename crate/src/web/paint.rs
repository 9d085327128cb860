//! A figure's pixels, drawn by Rust into an RGBA buffer and handed to the canvas in one call,
//! and line geometry (arrows, paths) in pixels for the page to stroke as one path each.

use js_sys::Float32Array;
use ndarray::{s, Array2, ArrayView2};
use wasm_bindgen::prelude::*;
use wasm_bindgen::Clamped;
use web_sys::{CanvasRenderingContext2d, ImageData};

use super::{js, number, whole, Flow, Model};
use crate::caps::{
    MAX_ARROW_GRID, MAX_CALL_POINTS, MAX_DENSITY_BINS, MAX_GUIDANCE, MAX_IMAGE_SIDE, MAX_PROJECTION_BINS,
    MAX_TRAIL,
};
use crate::field::Guidance;
use crate::render::{class_color, histogram, lines, Image, View, NULL_COLOR, PALETTE};
use crate::sample::guidance_for;

/// An RGBA image of a data window, plus scratch for grids and lines.
#[wasm_bindgen]
pub struct Painter {
    pub(super) img: Image,
    pub(super) view: View,
    pub(super) grid: Vec<f32>,
    /// one column of a strip (`pathStrip`, web/strip.rs)
    pub(super) column: Vec<f32>,
    lines: Vec<f32>,
    at: Array2<f32>,
    v: Array2<f32>,
    last_scale: f32,
    /// a saved copy of the pixels (a static background)
    saved: Vec<u8>,
}

/// Colour index: 0.. palette, −1 the null grey.
pub(super) fn color(c: f64) -> Result<[u8; 3], JsError> {
    let c = number("color", c, -1.0, (PALETTE.len() - 1) as f64)?;
    Ok(if c < 0.0 { NULL_COLOR } else { PALETTE[c as usize] })
}

/// The checked arguments of the probability-path strips ([`Painter::projection`],
/// `Painter::pathStrip`): the projection direction normalised, its range, bins, blur, colour.
pub(super) struct StripArgs {
    pub u: [f32; 2],
    pub lo: f32,
    pub hi: f32,
    pub bins: usize,
    pub blur: usize,
    pub col: [u8; 3],
}

impl StripArgs {
    /// Checks a strip's arguments as the exports take them, `[ux, uy, lo, hi, bins, blur, c]`,
    /// and that `flow` records its trajectory.
    pub(super) fn check(flow: &Flow, args: [f64; 7]) -> Result<StripArgs, JsError> {
        let [ux, uy, lo, hi, bins, blur, c] = args;
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
        if flow.p.trajectory().shape()[0] == 0 {
            return Err(JsError::new("this flow does not record its trajectory"));
        }
        Ok(StripArgs { u: [(ux / norm) as f32, (uy / norm) as f32], lo, hi, bins, blur, col })
    }
}

fn opacity(a: f64) -> Result<f32, JsError> {
    Ok(number("alpha", a, 0.0, 1.0)? as f32)
}

fn radius(r: f64) -> Result<f32, JsError> {
    Ok(number("radius", r, 0.1, 50.0)? as f32)
}

impl Painter {
    /// Paints the density whose logs `log_p` are given on a side × side grid (side² values,
    /// row-major from the bottom-left: y outer, x inner) over the square [−extent, extent]²,
    /// which must be this painter's view, in colour `col`, scaled to its peak (opacity
    /// √(p / peak), as the sample histograms are); returns the peak density.
    pub(super) fn grid_density(&mut self, log_p: &[f64], extent: f64, col: [u8; 3]) -> Result<f64, JsError> {
        let side = (log_p.len() as f64).sqrt().round() as usize;
        if side < 2 || side * side != log_p.len() || side > MAX_DENSITY_BINS {
            return Err(JsError::new(&format!(
                "a density grid holds side² values for a side of 2 to {MAX_DENSITY_BINS}, got {} values",
                log_p.len()
            )));
        }
        let e = extent as f32;
        let v = &self.view;
        let tol = 1e-4 * e;
        if [v.x0 + e, v.x1 - e, v.y0 + e, v.y1 - e].iter().any(|d| d.abs() > tol) {
            return Err(JsError::new(&format!("the painter must show the grid's square [−{e}, {e}]²")));
        }
        if log_p.iter().any(|l| l.is_nan() || *l == f64::INFINITY) {
            return Err(JsError::new("log densities must be numbers below +∞"));
        }
        self.grid.resize(log_p.len(), 0.0);
        let mut peak = 0.0f32;
        for (p, &l) in self.grid.iter_mut().zip(log_p) {
            *p = l.exp() as f32;
            peak = peak.max(*p);
        }
        self.img.density(&self.grid, side, side, peak, col);
        Ok(peak as f64)
    }

    /// The frame of `flow` to draw: `k` < 0 means the current positions.
    fn frame<'f>(flow: &'f Flow, k: f64) -> Result<ArrayView2<'f, f32>, JsError> {
        if k < 0.0 {
            Ok(flow.p.positions())
        } else {
            flow.p.frame(whole("frame", k, 0.0, flow.p.steps() as f64)?).map_err(js)
        }
    }
}

#[wasm_bindgen]
impl Painter {
    /// A transparent `width` × `height` image of the square [−extent, extent]².
    #[wasm_bindgen(constructor)]
    pub fn new(width: f64, height: f64, extent: f64) -> Result<Painter, JsError> {
        let mut p = Painter {
            img: Image::default(),
            view: View::square(1.0),
            grid: Vec::new(),
            column: Vec::new(),
            lines: Vec::new(),
            at: Array2::zeros((0, 2)),
            v: Array2::zeros((0, 2)),
            last_scale: 0.0,
            saved: Vec::new(),
        };
        p.resize(width, height)?;
        p.square(extent)?;
        Ok(p)
    }

    /// Resizes (and clears) the image.
    pub fn resize(&mut self, width: f64, height: f64) -> Result<(), JsError> {
        let w = whole("width", width, 1.0, MAX_IMAGE_SIDE as f64)?;
        let h = whole("height", height, 1.0, MAX_IMAGE_SIDE as f64)?;
        self.img.reset(w, h);
        Ok(())
    }

    /// Shows the square [−extent, extent]².
    pub fn square(&mut self, extent: f64) -> Result<(), JsError> {
        let e = number("extent", extent, 0.01, 100.0)? as f32;
        self.view = View::square(e);
        Ok(())
    }

    /// Shows [x0, x1] × [y0, y1].
    #[wasm_bindgen(js_name = setView)]
    pub fn set_view(&mut self, x0: f64, x1: f64, y0: f64, y1: f64) -> Result<(), JsError> {
        for (n, v) in [("x0", x0), ("x1", x1), ("y0", y0), ("y1", y1)] {
            number(n, v, -100.0, 100.0)?;
        }
        if x1 <= x0 || y1 <= y0 {
            return Err(JsError::new("the view must have x0 < x1 and y0 < y1"));
        }
        self.view = View { x0: x0 as f32, x1: x1 as f32, y0: y0 as f32, y1: y1 as f32 };
        Ok(())
    }

    /// Saves the current pixels (say, the faint data drawn once) for `restore`.
    pub fn snapshot(&mut self) {
        self.saved.clear();
        self.saved.extend_from_slice(&self.img.rgba);
    }

    /// Puts back the pixels saved by `snapshot` (a copy, much cheaper than drawing them again);
    /// clears instead if nothing of this size was saved.
    pub fn restore(&mut self) {
        if self.saved.len() == self.img.rgba.len() {
            self.img.rgba.copy_from_slice(&self.saved);
        } else {
            self.clear();
        }
    }

    /// Clears to transparent.
    pub fn clear(&mut self) {
        let (w, h) = (self.img.width, self.img.height);
        self.img.reset(w, h);
    }

    /// Image width in pixels.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> f64 {
        self.img.width as f64
    }

    /// Image height in pixels.
    #[wasm_bindgen(getter)]
    pub fn height(&self) -> f64 {
        self.img.height as f64
    }

    /// Draws `model`'s reference data, each point in its class colour.
    pub fn data(&mut self, model: &Model, alpha: f64, r: f64) -> Result<(), JsError> {
        let k = model.ds.n_classes();
        let labels = &model.data_labels;
        self.img
            .dots(&self.view, model.data.view(), radius(r)?, opacity(alpha)?, |i| class_color(labels[i], k));
        Ok(())
    }

    /// Draws points `xy` (x0, y0, x1, y1, ...) in colour `c`.
    pub fn points(&mut self, xy: &[f32], c: f64, alpha: f64, r: f64) -> Result<(), JsError> {
        if xy.len() % 2 != 0 {
            return Err(JsError::new("xy must hold x, y pairs"));
        }
        let x = ArrayView2::from_shape((xy.len() / 2, 2), xy).expect("pairs");
        let col = color(c)?;
        self.img.dots(&self.view, x, radius(r)?, opacity(alpha)?, |_| col);
        Ok(())
    }

    /// Draws `flow`'s particles at frame `k` (−1: now) in colour `c`.
    pub fn particles(&mut self, flow: &Flow, k: f64, c: f64, alpha: f64, r: f64) -> Result<(), JsError> {
        let x = Self::frame(flow, k)?;
        let col = color(c)?;
        self.img.dots(&self.view, x, radius(r)?, opacity(alpha)?, |_| col);
        Ok(())
    }

    /// Draws `flow`'s particles at frame `k` with trails over the `length` frames before it.
    pub fn trails(
        &mut self,
        flow: &Flow,
        k: f64,
        length: f64,
        c: f64,
        alpha: f64,
        r: f64,
    ) -> Result<(), JsError> {
        let to = whole("frame", k, 0.0, flow.p.step() as f64)?;
        let len = whole("length", length, 0.0, MAX_TRAIL as f64)?;
        let from = to.saturating_sub(len);
        let traj = flow.p.trajectory();
        if traj.shape()[0] == 0 {
            return Err(JsError::new("this flow does not record its trajectory"));
        }
        let col = color(c)?;
        self.img.trails(&self.view, traj.view(), from..=to, radius(r)?, opacity(alpha)?, |_| col);
        Ok(())
    }

    /// Paints the density of `flow`'s particles at frame `k` (−1: now) on a `bins` × `bins`
    /// grid smoothed by `blur` cells, in colour `c`; returns the peak count per cell.
    pub fn density(&mut self, flow: &Flow, k: f64, bins: f64, blur: f64, c: f64) -> Result<f64, JsError> {
        let x = Self::frame(flow, k)?;
        let bins = whole("bins", bins, 2.0, MAX_DENSITY_BINS as f64)?;
        let blur = whole("blur", blur, 0.0, 16.0)?;
        let col = color(c)?;
        let max = histogram(x, &self.view, bins, bins, blur, &mut self.grid);
        self.img.density(&self.grid, bins, bins, max, col);
        Ok(max as f64)
    }

    /// Paints a density known by its logs on a grid over the square [−extent, extent]² (this
    /// painter's view): `logP` holds side² values, row-major from the bottom-left (y outer, x
    /// inner), as `DensityPath.logDensity` gives them. Colour `c` (palette index, −1 grey),
    /// scaled to the peak as the sample histograms are (opacity √(p / peak)); returns the peak.
    #[wasm_bindgen(js_name = logDensity)]
    pub fn log_density(&mut self, log_p: &[f64], extent: f64, c: f64) -> Result<f64, JsError> {
        let col = color(c)?;
        self.grid_density(log_p, number("extent", extent, 0.01, 100.0)?, col)
    }

    /// Paints the probability path of `flow` as a strip over the whole image: time runs left to
    /// right over the frames done (the image's width spans all `steps + 1` frames), and upward is
    /// the projection u·x onto direction (ux, uy) (normalised here) over [lo, hi], counted in
    /// `bins` bins, smoothed by `blur` bins, and scaled so each time column peaks at full colour.
    #[allow(clippy::too_many_arguments)]
    pub fn projection(
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
        let frames = traj.shape()[0];
        crate::render::projection_over_time(traj.view(), u, lo, hi, bins, blur, &mut self.grid);
        // columns past the steps done are empty: zero them so they stay transparent
        let done = flow.p.step() + 1;
        for j in 0..bins {
            for k in done..frames {
                self.grid[j * frames + k] = 0.0;
            }
        }
        self.img.density(&self.grid, frames, bins, 1.0, col);
        Ok(())
    }

    /// Copies the image into `ctx` at (0, 0).
    pub fn put(&self, ctx: &CanvasRenderingContext2d) -> Result<(), JsError> {
        let img = ImageData::new_with_u8_clamped_array_and_sh(
            Clamped(&self.img.rgba),
            self.img.width as u32,
            self.img.height as u32,
        )
        .map_err(|_| JsError::new("could not create ImageData"))?;
        ctx.put_image_data(&img, 0.0, 0.0).map_err(|_| JsError::new("could not draw into the canvas"))
    }

    /// Fraction of pixels painted (not fully transparent).
    pub fn coverage(&self) -> f64 {
        self.img.coverage()
    }

    /// Arrows of `model`'s velocity at time t on an `nx` × `nx` grid over the view, as pixel
    /// segments x0, y0, x1, y1 (shaft and head strokes). `which` is "u" (v_u), "c" (v_c) or "cfg"
    /// (v_u + w·(v_c − v_u)). The longest arrow is `max_len` pixels, or, if `scale` > 0, arrows
    /// are `scale` pixels per unit of speed. Returns a copy.
    #[allow(clippy::too_many_arguments)]
    pub fn arrows(
        &mut self,
        model: &mut Model,
        t: f64,
        class: &str,
        w: f64,
        exact: bool,
        which: &str,
        nx: f64,
        max_len: f64,
        scale: f64,
    ) -> Result<Float32Array, JsError> {
        let t = number("t", t, 0.0, 1.0)? as f32;
        let w = number("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)? as f32;
        let nx = whole("nx", nx, 2.0, MAX_ARROW_GRID as f64)?;
        let max_len = number("maxLen", max_len, 1.0, 500.0)? as f32;
        let scale = number("scale", scale, 0.0, 1e4)? as f32;
        let label = model.label(class)?;
        let class_opt = (label < model.ds.n_classes() as u32).then_some(label);
        let g = match which {
            "u" => Guidance::Unconditional,
            "c" => Guidance::Conditional,
            "cfg" => guidance_for(class_opt, w),
            _ => return Err(JsError::new(&format!("which must be u, c or cfg, got '{which}'"))),
        };
        let n = nx * nx;
        if self.at.nrows() != n {
            self.at = Array2::zeros((n, 2));
            self.v = Array2::zeros((n, 2));
        }
        let (vw, vh) = (self.view.x1 - self.view.x0, self.view.y1 - self.view.y0);
        for j in 0..nx {
            for i in 0..nx {
                self.at[[j * nx + i, 0]] = self.view.x0 + vw * (i as f32 + 0.5) / nx as f32;
                self.at[[j * nx + i, 1]] = self.view.y0 + vh * (j as f32 + 0.5) / nx as f32;
            }
        }
        model.eval(self.at.view(), t, label, g, exact, &mut self.v);
        self.lines.clear();
        let (w_px, h_px) = (self.img.width as f32, self.img.height as f32);
        self.last_scale = lines::arrows(
            &self.view,
            w_px,
            h_px,
            self.at.view(),
            self.v.view(),
            max_len,
            scale,
            &mut self.lines,
        );
        Ok(Float32Array::from(self.lines.as_slice()))
    }

    /// Pixels per unit of speed used by the last `arrows` call.
    #[wasm_bindgen(getter, js_name = lastScale)]
    pub fn last_scale(&self) -> f64 {
        self.last_scale as f64
    }

    /// Arrows at points `xy` along vectors `v` (both x, y pairs), as pixel segments (a copy).
    /// The longest is `max_len` pixels, or, if `scale` > 0, `scale` pixels per unit.
    pub fn vectors(
        &mut self,
        xy: &[f32],
        v: &[f32],
        max_len: f64,
        scale: f64,
    ) -> Result<Float32Array, JsError> {
        if xy.len() % 2 != 0 || xy.len() != v.len() || xy.len() > 2 * MAX_CALL_POINTS {
            return Err(JsError::new(&format!(
                "xy and v must hold the same number of x, y pairs (at most {MAX_CALL_POINTS})"
            )));
        }
        let max_len = number("maxLen", max_len, 1.0, 500.0)? as f32;
        let scale = number("scale", scale, 0.0, 1e4)? as f32;
        let at = ArrayView2::from_shape((xy.len() / 2, 2), xy).expect("pairs");
        let vv = ArrayView2::from_shape((v.len() / 2, 2), v).expect("pairs");
        self.lines.clear();
        let (w_px, h_px) = (self.img.width as f32, self.img.height as f32);
        lines::arrows(&self.view, w_px, h_px, at, vv, max_len, scale, &mut self.lines);
        Ok(Float32Array::from(self.lines.as_slice()))
    }

    /// The path of particle `i` of `flow` through frames 0..=k, in pixels x, y, ... (a copy).
    pub fn path(&mut self, flow: &Flow, i: f64, k: f64) -> Result<Float32Array, JsError> {
        let i = whole("particle", i, 0.0, (flow.p.len() - 1) as f64)?;
        let k = whole("frame", k, 0.0, flow.p.step() as f64)?;
        let traj = flow.p.trajectory();
        if traj.shape()[0] == 0 {
            return Err(JsError::new("this flow does not record its trajectory"));
        }
        self.lines.clear();
        let (w_px, h_px) = (self.img.width as f32, self.img.height as f32);
        lines::polyline(&self.view, w_px, h_px, traj.slice(s![..=k, i, ..]), &mut self.lines);
        Ok(Float32Array::from(self.lines.as_slice()))
    }

    /// Data coordinates → pixels: [px, py].
    #[wasm_bindgen(js_name = toPixel)]
    pub fn to_pixel(&self, x: f64, y: f64) -> Result<Vec<f32>, JsError> {
        let (x, y) = (number("x", x, -1e6, 1e6)? as f32, number("y", y, -1e6, 1e6)? as f32);
        Ok(lines::to_pixel(&self.view, self.img.width as f32, self.img.height as f32, x, y).to_vec())
    }

    /// Pixels → data coordinates: [x, y].
    #[wasm_bindgen(js_name = toData)]
    pub fn to_data(&self, px: f64, py: f64) -> Result<Vec<f32>, JsError> {
        let (px, py) = (number("px", px, -1e6, 1e6)?, number("py", py, -1e6, 1e6)?);
        let v = &self.view;
        let x = v.x0 + (px as f32 / self.img.width as f32) * (v.x1 - v.x0);
        let y = v.y1 - (py as f32 / self.img.height as f32) * (v.y1 - v.y0);
        Ok(vec![x, y])
    }
}
