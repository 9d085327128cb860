//! Labelled 2D data sets, looked up by name. Each class is a weighted list of pieces: Gaussian
//! blobs (described exactly by one mixture component) and noisy curves such as the face's mouth
//! (described by one small anisotropic component per curve segment). The generator samples the
//! pieces themselves; [`Dataset::mixture`] gives the Gaussian-mixture description used for the
//! exact velocity field and for the metrics.

use ndarray::{Array2, ArrayViewMut2};

use crate::caps::{MAX_DRAWN_CLASSES, MAX_DRAWN_COORD, MAX_DRAWN_POINTS, MAX_NAME_CHARS};
use crate::error::Result;
use crate::invalid;
use crate::mixture::{Component, Mixture, Sym2};
use crate::rng::{self, Rng};

use std::f64::consts::PI;

/// A curve parameterised by s in [0, 1].
#[derive(Clone, Debug, PartialEq)]
pub enum Curve {
    /// center + radius·(cos θ, sin θ), θ from `from` to `to` (radians).
    Arc { center: [f64; 2], radius: f64, from: f64, to: f64 },
    /// r·(cos θ, sin θ) with θ and r growing linearly from (θ0, r0) to (θ1, r1).
    Spiral { theta0: f64, theta1: f64, r0: f64, r1: f64 },
}

impl Curve {
    /// The point at parameter s.
    pub fn at(&self, s: f64) -> [f64; 2] {
        match *self {
            Curve::Arc { center, radius, from, to } => {
                let th = from + s * (to - from);
                [center[0] + radius * th.cos(), center[1] + radius * th.sin()]
            }
            Curve::Spiral { theta0, theta1, r0, r1 } => {
                let th = theta0 + s * (theta1 - theta0);
                let r = r0 + s * (r1 - r0);
                [r * th.cos(), r * th.sin()]
            }
        }
    }
}

/// Part of a class's distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    /// N(mean, std²·I).
    Gaussian { mean: [f64; 2], std: f64 },
    /// curve(s) + N(0, noise²·I) with s ~ U(0, 1); described by `segments` mixture components.
    Curve { curve: Curve, noise: f64, segments: usize },
    /// One of the points, picked uniformly, + N(0, std²·I): drawn data (one component per point).
    Points { points: Vec<[f64; 2]>, std: f64 },
}

/// One class: a name and weighted pieces.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDef {
    pub name: String,
    /// Share of the data set (class weights sum to 1).
    pub weight: f64,
    /// (relative weight, piece)
    pub pieces: Vec<(f64, Piece)>,
}

/// A labelled 2D data set.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub name: String,
    pub description: String,
    pub classes: Vec<ClassDef>,
    /// Half-width of a square view centred on the origin that shows the data and the noise.
    pub extent: f64,
}

/// A drawn data set's points: (class name, points) per class, blurred by `std`.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawn {
    pub std: f64,
    pub classes: Vec<(String, Vec<[f64; 2]>)>,
}

/// The name of drawn data sets.
pub const CUSTOM: &str = "custom";
/// Blur of every drawn point: σ of its Gaussian kernel (the page's drawing and CSV files alike).
pub const DRAWN_STD: f64 = 0.06;

/// Names of the built-in data sets, in display order.
pub const NAMES: [&str; 8] =
    ["non-overlapping", "overlapping", "multimodal", "face", "two-moons", "spirals", "rings", "three-blobs"];

fn gauss(x: f64, y: f64, std: f64) -> (f64, Piece) {
    (1.0, Piece::Gaussian { mean: [x, y], std })
}

fn class(name: &str, pieces: Vec<(f64, Piece)>) -> ClassDef {
    ClassDef { name: name.to_string(), weight: 0.0, pieces }
}

fn arc(center: [f64; 2], radius: f64, from: f64, to: f64, noise: f64, segments: usize) -> (f64, Piece) {
    (1.0, Piece::Curve { curve: Curve::Arc { center, radius, from, to }, noise, segments })
}

/// Three modes on a circle of radius 2, starting at angle `start` (degrees), 120° apart.
fn triangle(start: f64, std: f64) -> Vec<(f64, Piece)> {
    (0..3)
        .map(|i| {
            let a = (start + 120.0 * i as f64).to_radians();
            gauss(2.0 * a.cos(), 2.0 * a.sin(), std)
        })
        .collect()
}

impl Dataset {
    /// The data set called `name` (see [`NAMES`]).
    pub fn by_name(name: &str) -> Result<Dataset> {
        let (description, classes, extent) = match name {
            "non-overlapping" => (
                "two well-separated Gaussians, N((−2,−2), 0.3²I) and N((2,2), 0.3²I)",
                vec![
                    class("lower-left", vec![gauss(-2.0, -2.0, 0.3)]),
                    class("upper-right", vec![gauss(2.0, 2.0, 0.3)]),
                ],
                3.5,
            ),
            "overlapping" => (
                "two overlapping Gaussians, N((−0.3,−0.3), 0.5²I) and N((0.3,0.3), 0.5²I)",
                vec![
                    class("lower-left", vec![gauss(-0.3, -0.3, 0.5)]),
                    class("upper-right", vec![gauss(0.3, 0.3, 0.5)]),
                ],
                3.0,
            ),
            "multimodal" => (
                "two classes with three modes each (σ = 0.25), alternating around a circle",
                vec![
                    class("triangle-up", triangle(90.0, 0.25)),
                    class("triangle-down", triangle(30.0, 0.25)),
                ],
                3.0,
            ),
            "face" => (
                "two eyes and a mouth: N((∓0.5, 0.5), 0.15²I) and an arc of radius 0.6",
                vec![
                    class("left-eye", vec![gauss(-0.5, 0.5, 0.15)]),
                    class("right-eye", vec![gauss(0.5, 0.5, 0.15)]),
                    class("mouth", vec![arc([0.0, -0.1], 0.6, -0.8 * PI, -0.2 * PI, 0.08, 24)]),
                ],
                3.0,
            ),
            "two-moons" => (
                "two interleaved half circles (radius 1.5, noise 0.1)",
                vec![
                    class("upper-moon", vec![arc([-0.75, -0.375], 1.5, 0.0, PI, 0.1, 32)]),
                    class("lower-moon", vec![arc([0.75, 0.375], 1.5, PI, 2.0 * PI, 0.1, 32)]),
                ],
                3.0,
            ),
            "spirals" => (
                "two interleaved spiral arms (noise 0.08)",
                vec![class("spiral-a", vec![spiral(0.0)]), class("spiral-b", vec![spiral(PI)])],
                3.0,
            ),
            "rings" => (
                "two concentric rings, radius 1 and 2.2 (noise 0.08)",
                vec![
                    class("inner-ring", vec![arc([0.0, 0.0], 1.0, 0.0, 2.0 * PI, 0.08, 32)]),
                    class("outer-ring", vec![arc([0.0, 0.0], 2.2, 0.0, 2.0 * PI, 0.08, 64)]),
                ],
                3.0,
            ),
            "three-blobs" => (
                "three Gaussian blobs (σ = 0.35) on a circle of radius 2, as in benchmark W1",
                vec![
                    class("blob-a", vec![gauss(0.0, 2.0, 0.35)]),
                    class("blob-b", vec![gauss(-3f64.sqrt(), -1.0, 0.35)]),
                    class("blob-c", vec![gauss(3f64.sqrt(), -1.0, 0.35)]),
                ],
                3.0,
            ),
            _ => return Err(invalid!("unknown data set '{name}' (known: {})", NAMES.join(", "))),
        };
        let mut classes = classes;
        let k = classes.len() as f64;
        classes.iter_mut().for_each(|c| c.weight = 1.0 / k);
        Ok(Dataset { name: name.to_string(), description: description.to_string(), classes, extent })
    }

    /// A data set drawn by hand: each class is its points, blurred by `std` (a kernel mixture, so
    /// the exact velocity is known). Class weights follow the point counts. Limits: 1 to 8 classes,
    /// at least 3 points per class, at most [`MAX_DRAWN_POINTS`] in all, |x|, |y| ≤ 4, names
    /// unique, non-empty and not "null".
    pub fn custom(classes: Vec<(String, Vec<[f64; 2]>)>, std: f64) -> Result<Dataset> {
        crate::error::check_range("std", std, 0.01, 1.0)?;
        if classes.is_empty() || classes.len() > MAX_DRAWN_CLASSES {
            return Err(invalid!(
                "a drawn data set needs 1 to {MAX_DRAWN_CLASSES} classes, got {}",
                classes.len()
            ));
        }
        let total: usize = classes.iter().map(|c| c.1.len()).sum();
        if total > MAX_DRAWN_POINTS {
            return Err(invalid!("{total} drawn points is more than the {MAX_DRAWN_POINTS} allowed"));
        }
        let mut defs = Vec::new();
        for (name, points) in classes {
            let trimmed = name.trim();
            if trimmed.is_empty()
                || trimmed == "null"
                || trimmed.chars().count() > MAX_NAME_CHARS
                || trimmed.contains(',')
            {
                return Err(invalid!(
                    "class name '{name}' is not allowed (1 to {MAX_NAME_CHARS} characters, no commas, not 'null')"
                ));
            }
            if defs.iter().any(|d: &ClassDef| d.name == trimmed) {
                return Err(invalid!("class '{trimmed}' appears twice"));
            }
            if points.len() < 3 {
                return Err(invalid!("class '{trimmed}' has {} points; draw at least 3", points.len()));
            }
            if let Some(p) =
                points.iter().find(|p| !p.iter().all(|v| v.is_finite() && v.abs() <= MAX_DRAWN_COORD))
            {
                return Err(invalid!("class '{trimmed}' has a point outside [−4, 4]²: {p:?}"));
            }
            defs.push(ClassDef {
                name: trimmed.to_string(),
                weight: points.len() as f64 / total as f64,
                pieces: vec![(1.0, Piece::Points { points, std })],
            });
        }
        Ok(Dataset {
            name: CUSTOM.to_string(),
            description: "drawn by hand".to_string(),
            classes: defs,
            extent: 3.0,
        })
    }

    /// The drawn points, if this is a drawn data set.
    pub fn drawn(&self) -> Option<Drawn> {
        if self.name != CUSTOM {
            return None;
        }
        let mut std = 0.05;
        let classes = self
            .classes
            .iter()
            .map(|c| match c.pieces.as_slice() {
                [(_, Piece::Points { points, std: s })] => {
                    std = *s;
                    Some((c.name.clone(), points.clone()))
                }
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Drawn { std, classes })
    }

    /// Every built-in data set.
    pub fn all() -> Vec<Dataset> {
        NAMES.iter().map(|n| Dataset::by_name(n).expect("built-in")).collect()
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// Class names, in label order.
    pub fn class_names(&self) -> Vec<&str> {
        self.classes.iter().map(|c| c.name.as_str()).collect()
    }

    /// The label of class `name`; "null" gives None (unconditional).
    pub fn class_label(&self, name: &str) -> Result<Option<u32>> {
        if name == "null" {
            return Ok(None);
        }
        self.classes.iter().position(|c| c.name == name).map(|i| Some(i as u32)).ok_or_else(|| {
            invalid!(
                "unknown class '{name}' for data set '{}' (classes: {}, or null)",
                self.name,
                self.class_names().join(", ")
            )
        })
    }

    /// Draws a class by weight.
    fn draw_class(&self, rng: &mut Rng) -> u32 {
        let u = rng::uniform(rng);
        let mut acc = 0.0;
        for (i, c) in self.classes.iter().enumerate() {
            acc += c.weight;
            if u < acc {
                return i as u32;
            }
        }
        (self.classes.len() - 1) as u32
    }

    /// One point of class `label`.
    pub fn sample_point(&self, label: u32, rng: &mut Rng) -> [f64; 2] {
        let class = &self.classes[label as usize];
        let total: f64 = class.pieces.iter().map(|p| p.0).sum();
        let mut u = rng::uniform(rng) * total;
        let mut piece = &class.pieces[class.pieces.len() - 1].1;
        for (w, p) in &class.pieces {
            if u < *w {
                piece = p;
                break;
            }
            u -= w;
        }
        match piece {
            Piece::Gaussian { mean, std } => {
                [mean[0] + std * rng::normal(rng), mean[1] + std * rng::normal(rng)]
            }
            Piece::Curve { curve, noise, .. } => {
                let c = curve.at(rng::uniform(rng));
                [c[0] + noise * rng::normal(rng), c[1] + noise * rng::normal(rng)]
            }
            Piece::Points { points, std } => {
                let p = points[rng::index(rng, points.len())];
                [p[0] + std * rng::normal(rng), p[1] + std * rng::normal(rng)]
            }
        }
    }

    /// Fills `points` (n, 2) and `labels` (n) with labelled points, classes drawn by weight.
    pub fn sample_into(&self, rng: &mut Rng, mut points: ArrayViewMut2<f32>, labels: &mut [u32]) {
        assert_eq!(points.nrows(), labels.len());
        for (mut row, label) in points.rows_mut().into_iter().zip(labels.iter_mut()) {
            *label = self.draw_class(rng);
            let p = self.sample_point(*label, rng);
            row[0] = p[0] as f32;
            row[1] = p[1] as f32;
        }
    }

    /// `n` labelled points.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> (Array2<f32>, Vec<u32>) {
        let mut points = Array2::zeros((n, 2));
        let mut labels = vec![0; n];
        self.sample_into(rng, points.view_mut(), &mut labels);
        (points, labels)
    }

    /// `n` points of class `label`.
    pub fn sample_class(&self, label: u32, n: usize, rng: &mut Rng) -> Array2<f32> {
        let mut points = Array2::zeros((n, 2));
        for mut row in points.rows_mut() {
            let p = self.sample_point(label, rng);
            row[0] = p[0] as f32;
            row[1] = p[1] as f32;
        }
        points
    }

    /// The data set as a Gaussian mixture: exact for Gaussian pieces; a curve piece becomes one
    /// component per segment, with the mean and covariance of the curve over that segment plus
    /// the noise (moment matching).
    pub fn mixture(&self) -> Mixture {
        let mut components = Vec::new();
        for (label, class) in self.classes.iter().enumerate() {
            let total: f64 = class.pieces.iter().map(|p| p.0).sum();
            for (w, piece) in &class.pieces {
                let weight = class.weight * w / total;
                match piece {
                    Piece::Gaussian { mean, std } => components.push(Component {
                        class: label as u32,
                        weight,
                        mean: *mean,
                        cov: Sym2::iso(std * std),
                    }),
                    Piece::Points { points, std } => {
                        for p in points {
                            components.push(Component {
                                class: label as u32,
                                weight: weight / points.len() as f64,
                                mean: *p,
                                cov: Sym2::iso(std * std),
                            });
                        }
                    }
                    Piece::Curve { curve, noise, segments } => {
                        for j in 0..*segments {
                            let (mean, spread) = segment_moments(curve, j, *segments);
                            components.push(Component {
                                class: label as u32,
                                weight: weight / *segments as f64,
                                mean,
                                cov: spread.scale_add_iso(1.0, noise * noise),
                            });
                        }
                    }
                }
            }
        }
        Mixture { components, n_classes: self.classes.len() }
    }
}

fn spiral(phase: f64) -> (f64, Piece) {
    (
        1.0,
        Piece::Curve {
            curve: Curve::Spiral { theta0: 0.25 * PI + phase, theta1: 3.0 * PI + phase, r0: 0.3, r1: 2.4 },
            noise: 0.08,
            segments: 64,
        },
    )
}

/// Mean and covariance of curve(s) for s uniform on segment j of n (midpoint rule, 32 nodes).
fn segment_moments(curve: &Curve, j: usize, n: usize) -> ([f64; 2], Sym2) {
    const NODES: usize = 32;
    let pts: Vec<[f64; 2]> =
        (0..NODES).map(|i| curve.at((j as f64 + (i as f64 + 0.5) / NODES as f64) / n as f64)).collect();
    let mean = [
        pts.iter().map(|p| p[0]).sum::<f64>() / NODES as f64,
        pts.iter().map(|p| p[1]).sum::<f64>() / NODES as f64,
    ];
    let mut cov = Sym2::iso(0.0);
    for p in &pts {
        let d = [p[0] - mean[0], p[1] - mean[1]];
        cov.xx += d[0] * d[0] / NODES as f64;
        cov.xy += d[0] * d[1] / NODES as f64;
        cov.yy += d[1] * d[1] / NODES as f64;
    }
    (mean, cov)
}
