//! Honest numbers for samples, measured against the data's exact mixture and fresh data.

use ndarray::{Array2, ArrayView2};

use crate::mixture::{Mixture, Prepared};
use crate::rng::Rng;

/// The most likely class (under the data mixture at t = 1) of every sample.
pub fn classify(mixture: &Mixture, samples: ArrayView2<f32>) -> Vec<u32> {
    let mut prep = Prepared::default();
    mixture.prepare(1.0, &mut prep);
    let mut post = vec![0.0; mixture.n_classes];
    samples
        .rows()
        .into_iter()
        .map(|r| mixture.classify(&prep, [r[0] as f64, r[1] as f64], &mut post))
        .collect()
}

/// Fraction of samples whose most likely class is `class`.
pub fn hit_rate(classes: &[u32], class: u32) -> f64 {
    if classes.is_empty() {
        return 0.0;
    }
    classes.iter().filter(|&&c| c == class).count() as f64 / classes.len() as f64
}

/// Share of each class among the samples' most likely classes.
pub fn proportions(classes: &[u32], n_classes: usize) -> Vec<f64> {
    (0..n_classes).map(|c| hit_rate(classes, c as u32)).collect()
}

/// The squared 1D W2 distance between two sorted, non-empty sets of values, through their
/// empirical quantile functions at max(len) evenly spaced levels (sets of different sizes).
fn quantile_w2(pa: &[f64], pb: &[f64]) -> f64 {
    let m = pa.len().max(pb.len());
    let mut w2 = 0.0;
    for i in 0..m {
        let q = (i as f64 + 0.5) / m as f64;
        let va = pa[((q * pa.len() as f64) as usize).min(pa.len() - 1)];
        let vb = pb[((q * pb.len() as f64) as usize).min(pb.len() - 1)];
        w2 += (va - vb) * (va - vb);
    }
    w2 / m as f64
}

/// Sliced Wasserstein-2 distance between two point sets: the root mean square over `n_proj`
/// evenly spaced directions (randomly rotated) of the 1D W2 distance between the projections.
/// Sets of different sizes are compared through their empirical quantile functions.
pub fn sliced_w2(a: ArrayView2<f32>, b: ArrayView2<f32>, n_proj: usize, rng: &mut Rng) -> f64 {
    if a.nrows() == 0 || b.nrows() == 0 {
        return f64::NAN;
    }
    let offset = crate::rng::uniform(rng) * std::f64::consts::PI;
    let (mut pa, mut pb) = (Vec::with_capacity(a.nrows()), Vec::with_capacity(b.nrows()));
    let mut total = 0.0;
    for j in 0..n_proj {
        let th = offset + std::f64::consts::PI * j as f64 / n_proj as f64;
        let (c, s) = (th.cos(), th.sin());
        let project = |x: &ArrayView2<f32>, out: &mut Vec<f64>| {
            out.clear();
            out.extend(x.rows().into_iter().map(|r| c * r[0] as f64 + s * r[1] as f64));
            // every sort here is sort_unstable_by(f64::total_cmp): one instance of the sort in the
            // wasm (a closure per call site made five, about 22 KB before wasm-opt)
            out.sort_unstable_by(f64::total_cmp);
        };
        project(&a, &mut pa);
        project(&b, &mut pb);
        total += quantile_w2(&pa, &pb);
    }
    (total / n_proj as f64).sqrt()
}

/// The sliced W2 to one fixed reference set along fixed directions: the reference's projections
/// are sorted once, so distance after distance (a bootstrap's) costs only the samples' sorts.
/// [`SlicedReference::distance`] is [`sliced_w2`] with the same directions.
#[derive(Clone, Debug)]
pub struct SlicedReference {
    dirs: Vec<(f64, f64)>,
    /// per direction, the reference's sorted projections
    sorted: Vec<Vec<f64>>,
    buf: Vec<f64>,
}

impl SlicedReference {
    /// `reference` (non-empty) along `n_proj` evenly spaced directions rotated at random by `rng`
    /// (the directions `sliced_w2` draws from the same `rng`).
    pub fn new(reference: ArrayView2<f32>, n_proj: usize, rng: &mut Rng) -> SlicedReference {
        let offset = crate::rng::uniform(rng) * std::f64::consts::PI;
        let dirs: Vec<(f64, f64)> = (0..n_proj)
            .map(|j| {
                let th = offset + std::f64::consts::PI * j as f64 / n_proj as f64;
                (th.cos(), th.sin())
            })
            .collect();
        let sorted = dirs
            .iter()
            .map(|&(c, s)| {
                let mut p: Vec<f64> =
                    reference.rows().into_iter().map(|r| c * r[0] as f64 + s * r[1] as f64).collect();
                p.sort_unstable_by(f64::total_cmp);
                p
            })
            .collect();
        SlicedReference { dirs, sorted, buf: Vec::with_capacity(reference.nrows()) }
    }

    /// Sliced W2 between the rows `rows` of `x` (all rows: None) and the reference; NaN for no
    /// rows.
    pub fn distance(&mut self, x: ArrayView2<f32>, rows: Option<&[usize]>) -> f64 {
        let n = rows.map_or(x.nrows(), <[usize]>::len);
        if n == 0 || self.sorted.first().is_none_or(Vec::is_empty) {
            return f64::NAN;
        }
        let mut total = 0.0;
        for (&(c, s), pb) in self.dirs.iter().zip(&self.sorted) {
            let pa = &mut self.buf;
            pa.clear();
            let proj = |i: usize| c * x[[i, 0]] as f64 + s * x[[i, 1]] as f64;
            match rows {
                Some(rows) => pa.extend(rows.iter().map(|&i| proj(i))),
                None => pa.extend((0..n).map(proj)),
            }
            pa.sort_unstable_by(f64::total_cmp);
            total += quantile_w2(pa, pb);
        }
        (total / self.dirs.len() as f64).sqrt()
    }
}

/// The four numbers the guidance lab reports of one sample set (or, from [`bootstrap`], their
/// noise: each one's standard deviation over resamples).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scores {
    pub hit_rate: f64,
    pub diversity: f64,
    pub off_support: f64,
    pub sliced_w2: f64,
}

/// What [`scores`] and [`bootstrap`] need of one sample set: per sample whether it hit the class
/// and whether it lies off the support; the class covariance's trace; the class's reference.
pub struct Judged<'a> {
    pub x: ArrayView2<'a, f32>,
    pub hit: &'a [bool],
    pub off: &'a [bool],
    pub class_trace: f64,
}

/// The scores of rows `rows` of the set (None: all rows).
pub fn scores(j: &Judged, reference: &mut SlicedReference, rows: Option<&[usize]>) -> Scores {
    let all: Vec<usize>;
    let idx = match rows {
        Some(r) => r,
        None => {
            all = (0..j.x.nrows()).collect();
            &all
        }
    };
    let n = idx.len().max(1) as f64;
    let share = |f: &[bool]| idx.iter().filter(|&&i| f[i]).count() as f64 / n;
    let sub = Array2::from_shape_fn((idx.len(), 2), |(i, k)| j.x[[idx[i], k]]);
    Scores {
        hit_rate: share(j.hit),
        diversity: covariance_trace(sub.view()) / j.class_trace,
        off_support: share(j.off),
        sliced_w2: reference.distance(j.x, Some(idx)),
    }
}

/// The noise of each score: its standard deviation over `reps` bootstrap resamples (n rows drawn
/// with replacement by `rng`) of the set, for a share (hit rate, off-support) at least the
/// binomial one of (k + 1) / (n + 2) (a share of 0 of n is not certain). For independent samples
/// it estimates the spread the scores would show over seeds.
pub fn bootstrap(j: &Judged, reference: &mut SlicedReference, reps: usize, rng: &mut Rng) -> Scores {
    let n = j.x.nrows();
    if n < 2 || reps < 2 {
        return Scores::default();
    }
    let mut rows = vec![0usize; n];
    let draws: Vec<Scores> = (0..reps)
        .map(|_| {
            rows.iter_mut().for_each(|r| *r = crate::rng::index(rng, n));
            scores(j, reference, Some(&rows))
        })
        .collect();
    let sd = |f: fn(&Scores) -> f64| {
        let v: Vec<f64> = draws.iter().map(f).filter(|v| v.is_finite()).collect();
        if v.len() < 2 {
            return f64::NAN;
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
    };
    // a share of 0 or 1 has no spread over resamples, yet it is no more certain than one hit in
    // n + 2: the band of a share is at least the binomial one of (k + 1) / (n + 2)
    let floor = |f: &[bool]| {
        let p = (f.iter().filter(|&&b| b).count() as f64 + 1.0) / (n as f64 + 2.0);
        (p * (1.0 - p) / n as f64).sqrt()
    };
    Scores {
        hit_rate: sd(|s| s.hit_rate).max(floor(j.hit)),
        diversity: sd(|s| s.diversity),
        off_support: sd(|s| s.off_support).max(floor(j.off)),
        sliced_w2: sd(|s| s.sliced_w2),
    }
}

/// Trace of the samples' covariance.
pub fn covariance_trace(x: ArrayView2<f32>) -> f64 {
    let n = x.nrows() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mut tr = 0.0;
    for col in x.columns() {
        let mean = col.iter().map(|&v| v as f64).sum::<f64>() / n;
        tr += col.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
    }
    tr
}

/// Diversity: trace of the samples' covariance over the trace of class `class`'s covariance
/// (1 for a perfect sampler, below 1 when guidance condenses the class).
pub fn diversity(samples: ArrayView2<f32>, mixture: &Mixture, class: Option<u32>) -> f64 {
    let (_, cov) = mixture.moments(class);
    covariance_trace(samples) / cov.trace()
}

/// Log-density below which a point counts as off the data's support: the 0.1% quantile of
/// log p(x) over `n` fresh data points.
pub fn support_threshold(mixture: &Mixture, data: ArrayView2<f32>) -> f64 {
    let mut lp = log_density(mixture, data);
    lp.sort_unstable_by(f64::total_cmp);
    lp[((lp.len() as f64 * 0.001) as usize).min(lp.len() - 1)]
}

/// log p(x) of every point under the data mixture (t = 1).
pub fn log_density(mixture: &Mixture, x: ArrayView2<f32>) -> Vec<f64> {
    let mut prep = Prepared::default();
    mixture.prepare(1.0, &mut prep);
    x.rows().into_iter().map(|r| Mixture::eval(&prep, [r[0] as f64, r[1] as f64], None).log_p_u).collect()
}

/// Fraction of samples off the data's support (log-density below `threshold`); non-finite
/// samples count as off-support.
pub fn off_support(mixture: &Mixture, samples: ArrayView2<f32>, threshold: f64) -> f64 {
    if samples.nrows() == 0 {
        return 0.0;
    }
    let lp = log_density(mixture, samples);
    lp.iter().filter(|&&l| l.is_nan() || l < threshold).count() as f64 / lp.len() as f64
}

/// Mean Euclidean distance between matching rows of `a` and `b` (both (n, 2)).
pub fn mean_distance(a: ArrayView2<f32>, b: ArrayView2<f32>) -> f64 {
    let n = a.nrows().min(b.nrows());
    if n == 0 {
        return 0.0;
    }
    let total: f64 = a
        .rows()
        .into_iter()
        .zip(b.rows())
        .map(|(p, q)| (((p[0] - q[0]) as f64).powi(2) + ((p[1] - q[1]) as f64).powi(2)).sqrt())
        .sum();
    total / n as f64
}

/// The rows of `x` whose class is `class`.
pub fn rows_of_class(x: ArrayView2<f32>, classes: &[u32], class: u32) -> Array2<f32> {
    let idx: Vec<usize> = (0..x.nrows()).filter(|&i| classes[i] == class).collect();
    Array2::from_shape_fn((idx.len(), 2), |(i, j)| x[[idx[i], j]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;

    #[test]
    fn sliced_w2_of_a_shift_is_the_shift_length_over_root_two() {
        // For a shift by d, W2 along direction θ is |d·u_θ|; its mean square over θ is ‖d‖²/2.
        let mut r = seeded(1, 0);
        let a = Array2::from_shape_fn((4000, 2), |_| crate::rng::normal(&mut r) as f32);
        let b = &a + &ndarray::arr1(&[0.3f32, 0.4]);
        let d = sliced_w2(a.view(), b.view(), 64, &mut r);
        assert!((d - 0.5 / 2f64.sqrt()).abs() < 1e-4, "{d}");
        assert!(sliced_w2(a.view(), a.view(), 16, &mut r) < 1e-12);
    }

    #[test]
    fn sliced_w2_between_samples_of_one_law_is_small() {
        let mut r = seeded(2, 0);
        let a = Array2::from_shape_fn((5000, 2), |_| crate::rng::normal(&mut r) as f32);
        let b = Array2::from_shape_fn((3000, 2), |_| crate::rng::normal(&mut r) as f32);
        assert!(sliced_w2(a.view(), b.view(), 32, &mut r) < 0.05);
    }

    #[test]
    fn sliced_reference_is_sliced_w2_with_the_same_directions() {
        let mut r = seeded(3, 0);
        let a = Array2::from_shape_fn((700, 2), |_| crate::rng::normal(&mut r) as f32);
        let b = Array2::from_shape_fn((2000, 2), |_| 0.5 + crate::rng::normal(&mut r) as f32);
        let want = sliced_w2(a.view(), b.view(), 32, &mut seeded(9, 0));
        let mut reference = SlicedReference::new(b.view(), 32, &mut seeded(9, 0));
        assert!((reference.distance(a.view(), None) - want).abs() < 1e-12);
        let rows: Vec<usize> = (0..700).collect();
        assert!((reference.distance(a.view(), Some(&rows)) - want).abs() < 1e-12);
        assert!(reference.distance(a.view(), Some(&[])).is_nan());
    }

    /// No sample off the support is not a certainty: the band of a share of 0 is not 0.
    #[test]
    fn a_share_of_zero_has_a_band() {
        let mut r = seeded(5, 0);
        let x = Array2::from_shape_fn((1000, 2), |_| crate::rng::normal(&mut r) as f32);
        let (hit, off) = (vec![true; 1000], vec![false; 1000]);
        let mut refs = SlicedReference::new(x.view(), 8, &mut r);
        let j = Judged { x: x.view(), hit: &hit, off: &off, class_trace: 2.0 };
        let b = bootstrap(&j, &mut refs, 20, &mut r);
        assert!(b.off_support > 5e-4 && b.off_support < 2e-3, "{}", b.off_support);
        assert!(b.hit_rate > 5e-4 && b.hit_rate < 2e-3, "{}", b.hit_rate);
    }

    #[test]
    fn mean_distance_of_a_shift() {
        let a = ndarray::arr2(&[[0.0f32, 0.0], [1.0, 1.0]]);
        let b = ndarray::arr2(&[[3.0f32, 4.0], [1.0, 1.0]]);
        assert_eq!(mean_distance(a.view(), b.view()), 2.5);
    }

    #[test]
    fn covariance_trace_of_a_known_set() {
        let x = ndarray::arr2(&[[0.0f32, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]]);
        assert!((covariance_trace(x.view()) - 8.0 / 3.0).abs() < 1e-12);
    }
}
