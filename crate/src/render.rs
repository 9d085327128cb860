//! Pixels for the figures: points and densities drawn into an RGBA buffer (non-premultiplied,
//! row-major from the top-left, as `ImageData` wants). Pure math; the facade only hands the
//! buffer to the canvas. Axes and labels are drawn by the page, over the buffer.

use ndarray::ArrayView2;

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

/// Largest image side, in pixels.
pub const MAX_SIDE: usize = 4096;

impl Image {
    /// Resizes (reallocating only when the size changes) and clears to transparent.
    pub fn reset(&mut self, width: usize, height: usize) {
        let (width, height) = (width.clamp(1, MAX_SIDE), height.clamp(1, MAX_SIDE));
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

    /// Fraction of pixels that are not fully transparent (for tests and checks).
    pub fn coverage(&self) -> f64 {
        let painted = self.rgba.chunks_exact(4).filter(|p| p[3] > 0).count();
        painted as f64 / (self.width * self.height).max(1) as f64
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
