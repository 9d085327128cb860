//! Pixels for the figures: points and densities drawn into an RGBA buffer (non-premultiplied,
//! row-major from the top-left, as `ImageData` wants). Pure math; the facade only hands the
//! buffer to the canvas. Axes and labels are drawn by the page, over the buffer.

use crate::caps::MAX_IMAGE_SIDE;
use ndarray::{ArrayView2, ArrayView3, Axis};

/// Colour-blind-safe class colours (Okabe–Ito): blue, orange, bluish green, reddish purple,
/// sky blue, vermillion, yellow, black.
pub const PALETTE: [[u8; 3]; 8] = [
    [0, 114, 178],
    [230, 159, 0],
    [0, 158, 115],
    [204, 121, 167],
    [86, 180, 233],
    [213, 94, 0],
    [240, 228, 66],
    [0, 0, 0],
];

/// Grey for unconditional (null-label) points.
pub const NULL_COLOR: [u8; 3] = [110, 110, 110];

/// The colour of class `label` (`n_classes` and above: the null colour).
pub fn class_color(label: u32, n_classes: usize) -> [u8; 3] {
    if (label as usize) < n_classes {
        PALETTE[label as usize % PALETTE.len()]
    } else {
        NULL_COLOR
    }
}

/// The data window shown: [x0, x1] × [y0, y1], y up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub x0: f32,
    pub x1: f32,
    pub y0: f32,
    pub y1: f32,
}

impl View {
    /// The square [−e, e]².
    pub fn square(e: f32) -> Self {
        View { x0: -e, x1: e, y0: -e, y1: e }
    }
}

/// An RGBA image.
#[derive(Clone, Debug, Default)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
}

impl Image {
    /// Resizes (reallocating only when the size changes) and clears to transparent.
    pub fn reset(&mut self, width: usize, height: usize) {
        let (width, height) = (width.clamp(1, MAX_IMAGE_SIDE), height.clamp(1, MAX_IMAGE_SIDE));
        if (width, height) != (self.width, self.height) {
            self.width = width;
            self.height = height;
            self.rgba = vec![0; width * height * 4];
        } else {
            self.rgba.iter_mut().for_each(|b| *b = 0);
        }
    }

    /// Pixel coordinates of data point (x, y).
    #[inline]
    fn to_pixel(&self, view: &View, x: f32, y: f32) -> (f32, f32) {
        let px = (x - view.x0) / (view.x1 - view.x0) * self.width as f32;
        let py = (view.y1 - y) / (view.y1 - view.y0) * self.height as f32;
        (px, py)
    }

    /// Blends `color` at `alpha` over pixel (i, j).
    #[inline]
    fn blend(&mut self, i: usize, j: usize, color: [u8; 3], alpha: f32) {
        let k = (j * self.width + i) * 4;
        let p = &mut self.rgba[k..k + 4];
        let da = p[3] as f32 / 255.0;
        let oa = alpha + da * (1.0 - alpha);
        if oa <= 0.0 {
            return;
        }
        for c in 0..3 {
            let v = (color[c] as f32 * alpha + p[c] as f32 * da * (1.0 - alpha)) / oa;
            p[c] = v.round().clamp(0.0, 255.0) as u8;
        }
        p[3] = (oa * 255.0).round().clamp(0.0, 255.0) as u8;
    }

    /// Draws round dots of `radius` pixels (anti-aliased edge) at `points` (n, 2). `color_of`
    /// gives each point's colour. Points outside the view or not finite are skipped.
    pub fn dots(
        &mut self,
        view: &View,
        points: ArrayView2<f32>,
        radius: f32,
        alpha: f32,
        color_of: impl Fn(usize) -> [u8; 3],
    ) {
        let r = radius.max(0.5);
        let reach = r + 0.5;
        for (n, p) in points.rows().into_iter().enumerate() {
            if !(p[0].is_finite() && p[1].is_finite()) {
                continue;
            }
            let (cx, cy) = self.to_pixel(view, p[0], p[1]);
            let color = color_of(n);
            let (i0, i1) = ((cx - reach).floor().max(0.0), (cx + reach).ceil().min(self.width as f32 - 1.0));
            let (j0, j1) = ((cy - reach).floor().max(0.0), (cy + reach).ceil().min(self.height as f32 - 1.0));
            if i0 > i1 || j0 > j1 {
                continue;
            }
            for j in j0 as usize..=j1 as usize {
                for i in i0 as usize..=i1 as usize {
                    let dx = i as f32 + 0.5 - cx;
                    let dy = j as f32 + 0.5 - cy;
                    let d = (dx * dx + dy * dy).sqrt();
                    let cover = (reach - d).clamp(0.0, 1.0);
                    if cover > 0.0 {
                        self.blend(i, j, color, alpha * cover);
                    }
                }
            }
        }
    }

    /// Draws particle trails: the positions of `frames` of `traj` (frames, n, 2), older
    /// frames fainter, the newest at `alpha`.
    pub fn trails(
        &mut self,
        view: &View,
        traj: ArrayView3<f32>,
        frames: std::ops::RangeInclusive<usize>,
        radius: f32,
        alpha: f32,
        color_of: impl Fn(usize) -> [u8; 3],
    ) {
        let (from, to) = (*frames.start(), *frames.end());
        let span = (to - from).max(1) as f32;
        for k in frames {
            let age = (to - k) as f32 / span;
            let a = alpha * (1.0 - 0.85 * age).powi(2);
            let r = if k == to { radius } else { radius * 0.6 };
            self.dots(view, traj.index_axis(Axis(0), k), r, a, &color_of);
        }
    }

    /// Paints a density grid (nx × ny, row-major from the bottom-left, values ≥ 0) over the whole
    /// image with bilinear interpolation: colour `color`, opacity rising with density/`max`.
    pub fn density(&mut self, grid: &[f32], nx: usize, ny: usize, max: f32, color: [u8; 3]) {
        assert_eq!(grid.len(), nx * ny);
        if max <= 0.0 || !max.is_finite() {
            return;
        }
        let (w, h) = (self.width, self.height);
        for j in 0..h {
            // pixel centre → grid coordinates (cell centres at integer + 0.5), y flipped
            let gy = ((h - 1 - j) as f32 + 0.5) / h as f32 * ny as f32 - 0.5;
            let gy = gy.clamp(0.0, (ny - 1) as f32);
            let (y0, fy) = (gy.floor() as usize, gy - gy.floor());
            let y1 = (y0 + 1).min(ny - 1);
            for i in 0..w {
                let gx = (i as f32 + 0.5) / w as f32 * nx as f32 - 0.5;
                let gx = gx.clamp(0.0, (nx - 1) as f32);
                let (x0, fx) = (gx.floor() as usize, gx - gx.floor());
                let x1 = (x0 + 1).min(nx - 1);
                let v = (grid[y0 * nx + x0] * (1.0 - fx) + grid[y0 * nx + x1] * fx) * (1.0 - fy)
                    + (grid[y1 * nx + x0] * (1.0 - fx) + grid[y1 * nx + x1] * fx) * fy;
                let a = (v / max).clamp(0.0, 1.0).sqrt();
                if a > 0.004 {
                    self.blend(i, j, color, 0.9 * a);
                }
            }
        }
    }

    /// Fraction of pixels that are not fully transparent (for tests and checks).
    pub fn coverage(&self) -> f64 {
        let painted = self.rgba.chunks_exact(4).filter(|p| p[3] > 0).count();
        painted as f64 / (self.width * self.height).max(1) as f64
    }
}

/// Counts `points` (n, 2) into an nx × ny grid over `view` (row-major from the bottom-left),
/// then smooths it with two passes of a box blur of `blur` cells. Returns the largest value.
pub fn histogram(
    points: ArrayView2<f32>,
    view: &View,
    nx: usize,
    ny: usize,
    blur: usize,
    grid: &mut Vec<f32>,
) -> f32 {
    grid.clear();
    grid.resize(nx * ny, 0.0);
    for p in points.rows() {
        let gx = (p[0] - view.x0) / (view.x1 - view.x0) * nx as f32;
        let gy = (p[1] - view.y0) / (view.y1 - view.y0) * ny as f32;
        if gx >= 0.0 && gy >= 0.0 && (gx as usize) < nx && (gy as usize) < ny {
            grid[gy as usize * nx + gx as usize] += 1.0;
        }
    }
    let mut tmp = vec![0.0; nx * ny];
    for _ in 0..2 {
        box_blur(grid, &mut tmp, nx, ny, blur);
    }
    grid.iter().copied().fold(0.0, f32::max)
}

/// The density of a 1D projection over time: for each frame k of `traj` (frames, n, 2), the
/// projections u·x of its points counted into `bins` bins over [lo, hi]. The grid is (bins rows ×
/// frames columns), row-major from the bottom (low projection) like [`histogram`], smoothed by
/// `blur` bins along the projection only, and normalised per frame so that each column peaks at 1.
pub fn projection_over_time(
    traj: ArrayView3<f32>,
    u: [f32; 2],
    lo: f32,
    hi: f32,
    bins: usize,
    blur: usize,
    grid: &mut Vec<f32>,
) {
    let frames = traj.shape()[0];
    let nx = frames;
    grid.clear();
    grid.resize(nx * bins, 0.0);
    for k in 0..frames {
        for p in traj.index_axis(Axis(0), k).rows() {
            let v = u[0] * p[0] + u[1] * p[1];
            let b = (v - lo) / (hi - lo) * bins as f32;
            if b >= 0.0 && (b as usize) < bins {
                grid[b as usize * nx + k] += 1.0;
            }
        }
    }
    let mut tmp = vec![0.0; nx * bins];
    for _ in 0..2 {
        // blur along the projection (rows) only: a box blur on the transposed layout
        for k in 0..nx {
            for j in 0..bins {
                let (a, b) = (j.saturating_sub(blur), (j + blur).min(bins - 1));
                let s: f32 = (a..=b).map(|jj| grid[jj * nx + k]).sum();
                tmp[j * nx + k] = s / (b - a + 1) as f32;
            }
        }
        grid.copy_from_slice(&tmp);
    }
    for k in 0..nx {
        let peak = (0..bins).map(|j| grid[j * nx + k]).fold(0.0, f32::max);
        if peak > 0.0 {
            (0..bins).for_each(|j| grid[j * nx + k] /= peak);
        }
    }
}

/// One separable box blur pass of half-width `r` (edges renormalised).
fn box_blur(grid: &mut [f32], tmp: &mut [f32], nx: usize, ny: usize, r: usize) {
    if r == 0 {
        return;
    }
    for j in 0..ny {
        for i in 0..nx {
            let (a, b) = (i.saturating_sub(r), (i + r).min(nx - 1));
            let s: f32 = grid[j * nx + a..=j * nx + b].iter().sum();
            tmp[j * nx + i] = s / (b - a + 1) as f32;
        }
    }
    for j in 0..ny {
        let (a, b) = (j.saturating_sub(r), (j + r).min(ny - 1));
        for i in 0..nx {
            let s: f32 = (a..=b).map(|jj| tmp[jj * nx + i]).sum();
            grid[j * nx + i] = s / (b - a + 1) as f32;
        }
    }
}

/// Line geometry in pixels, for the page to stroke as one path.
pub mod lines {
    use super::View;
    use ndarray::ArrayView2;

    /// (x, y) in data units → pixels of a `width` × `height` image of `view`.
    pub fn to_pixel(view: &View, width: f32, height: f32, x: f32, y: f32) -> [f32; 2] {
        [(x - view.x0) / (view.x1 - view.x0) * width, (view.y1 - y) / (view.y1 - view.y0) * height]
    }

    /// Arrows from `at` (n, 2) along `v` (n, 2), as segments x0, y0, x1, y1 (the shaft and two
    /// head strokes each), appended to `out`. Arrows are scaled so that the longest is
    /// `max_len` pixels (or by `scale` pixels per unit of speed if it is positive); arrows
    /// shorter than half a pixel are skipped.
    #[allow(clippy::too_many_arguments)]
    pub fn arrows(
        view: &View,
        width: f32,
        height: f32,
        at: ArrayView2<f32>,
        v: ArrayView2<f32>,
        max_len: f32,
        scale: f32,
        out: &mut Vec<f32>,
    ) -> f32 {
        let px_per_unit = width / (view.x1 - view.x0);
        let longest = v.rows().into_iter().map(|r| (r[0] * r[0] + r[1] * r[1]).sqrt()).fold(0.0, f32::max);
        let k = if scale > 0.0 {
            scale
        } else if longest > 0.0 {
            max_len / (longest * px_per_unit) * px_per_unit
        } else {
            0.0
        };
        for (p, d) in at.rows().into_iter().zip(v.rows()) {
            let [x0, y0] = to_pixel(view, width, height, p[0], p[1]);
            let (dx, dy) = (d[0] * k, -d[1] * k);
            let len = (dx * dx + dy * dy).sqrt();
            if !len.is_finite() || len < 0.5 {
                continue;
            }
            let (x1, y1) = (x0 + dx, y0 + dy);
            out.extend_from_slice(&[x0, y0, x1, y1]);
            let head = (0.35 * len).min(6.0);
            let (ux, uy) = (dx / len, dy / len);
            for side in [-1.0f32, 1.0] {
                let (hx, hy) = (-ux * 0.866 - side * uy * 0.5, -uy * 0.866 + side * ux * 0.5);
                out.extend_from_slice(&[x1, y1, x1 + head * hx, y1 + head * hy]);
            }
        }
        k
    }

    /// A polyline through `points` (n, 2), as pixel coordinates x, y, ... appended to `out`.
    pub fn polyline(view: &View, width: f32, height: f32, points: ArrayView2<f32>, out: &mut Vec<f32>) {
        for p in points.rows() {
            out.extend_from_slice(&to_pixel(view, width, height, p[0], p[1]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::arr2;

    #[test]
    fn a_dot_lands_where_its_point_is() {
        let mut img = Image::default();
        img.reset(100, 50);
        let view = View { x0: 0.0, x1: 10.0, y0: 0.0, y1: 5.0 };
        img.dots(&view, arr2(&[[2.0f32, 4.0]]).view(), 2.0, 1.0, |_| [255, 0, 0]);
        // x = 2 → column 20; y = 4 (near the top) → row 10
        let k = (10 * 100 + 20) * 4;
        assert_eq!(&img.rgba[k..k + 4], &[255, 0, 0, 255]);
        assert_eq!(img.rgba[(40 * 100 + 80) * 4 + 3], 0);
        assert!(img.coverage() > 0.0 && img.coverage() < 0.01);
    }

    #[test]
    fn non_finite_and_outside_points_are_skipped() {
        let mut img = Image::default();
        img.reset(10, 10);
        let pts = arr2(&[[f32::NAN, 0.0], [f32::INFINITY, 1.0], [100.0, 100.0]]);
        img.dots(&View::square(1.0), pts.view(), 3.0, 1.0, |_| [1, 2, 3]);
        assert_eq!(img.coverage(), 0.0);
    }

    #[test]
    fn histogram_counts_and_blur_keeps_the_mass() {
        let pts = arr2(&[[0.1f32, 0.1], [0.1, 0.1], [-0.9, 0.9], [5.0, 5.0]]);
        let mut g = Vec::new();
        let max = histogram(pts.view(), &View::square(1.0), 4, 4, 0, &mut g);
        assert_eq!(max, 2.0);
        assert_eq!(g[2 * 4 + 2], 2.0);
        assert_eq!(g[3 * 4], 1.0);
        assert_eq!(g.iter().sum::<f32>(), 3.0);
        let mut h = Vec::new();
        histogram(pts.view(), &View::square(1.0), 16, 16, 2, &mut h);
        assert!(h.iter().sum::<f32>() > 2.0 && h.iter().sum::<f32>() <= 3.0 + 1e-4);
    }

    #[test]
    fn arrows_point_along_the_field_with_y_up() {
        let at = arr2(&[[0.0f32, 0.0], [0.5, 0.5]]);
        let v = arr2(&[[1.0f32, 0.0], [0.0, 2.0]]);
        let mut out = Vec::new();
        lines::arrows(&View::square(1.0), 100.0, 100.0, at.view(), v.view(), 20.0, 0.0, &mut out);
        assert_eq!(out.len(), 2 * 12);
        // first shaft: from the centre, rightwards, half the longest arrow's 20 px
        assert_eq!(&out[..4], &[50.0, 50.0, 60.0, 50.0]);
        // second: up on screen (y decreases), 20 px
        assert_eq!(&out[12..16], &[75.0, 25.0, 75.0, 5.0]);
    }

    #[test]
    fn projection_over_time_normalises_each_column() {
        // two frames of two points: frame 0 both at u·x = 0, frame 1 at −0.5 and +0.5
        let traj =
            ndarray::Array3::from_shape_vec((2, 2, 2), vec![0.0f32, 0.0, 0.0, 0.0, -0.5, 0.0, 0.5, 0.0])
                .unwrap();
        let mut g = Vec::new();
        projection_over_time(traj.view(), [1.0, 0.0], -1.0, 1.0, 4, 0, &mut g);
        // bins over [−1, 1]: 0 → bin 2, −0.5 → bin 1, 0.5 → bin 3; layout (bins rows × 2 columns)
        assert_eq!(g, vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn density_paints_where_the_mass_is() {
        let mut img = Image::default();
        img.reset(40, 40);
        let mut g = vec![0.0f32; 16];
        g[0] = 1.0; // bottom-left cell
        img.density(&g, 4, 4, 1.0, [10, 20, 30]);
        assert!(img.rgba[(39 * 40) * 4 + 3] > 200, "bottom-left pixel painted");
        assert_eq!(img.rgba[39 * 4 + 3], 0, "top-right pixel clear");
    }

    #[test]
    fn blending_over_transparent_keeps_the_colour() {
        let mut img = Image::default();
        img.reset(1, 1);
        img.blend(0, 0, [200, 100, 50], 0.5);
        assert_eq!(&img.rgba[..], &[200, 100, 50, 128]);
        img.blend(0, 0, [0, 0, 0], 0.5);
        // 0.5 + (128/255)·0.5 = 0.751 → 191.5 → 192
        assert_eq!(img.rgba[3], 192);
    }
}
