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

/// Sliced Wasserstein-2 distance between two point sets: the root mean square over `n_proj`
/// evenly spaced directions (randomly rotated) of the 1D W2 distance between the projections.
/// Sets of different sizes are compared through their empirical quantile functions.
pub fn sliced_w2(a: ArrayView2<f32>, b: ArrayView2<f32>, n_proj: usize, rng: &mut Rng) -> f64 {
    if a.nrows() == 0 || b.nrows() == 0 {
        return f64::NAN;
    }
    let offset = crate::rng::uniform(rng) * std::f64::consts::PI;
    let m = a.nrows().max(b.nrows());
    let (mut pa, mut pb) = (Vec::with_capacity(a.nrows()), Vec::with_capacity(b.nrows()));
    let mut total = 0.0;
    for j in 0..n_proj {
        let th = offset + std::f64::consts::PI * j as f64 / n_proj as f64;
        let (c, s) = (th.cos(), th.sin());
        let project = |x: &ArrayView2<f32>, out: &mut Vec<f64>| {
            out.clear();
            out.extend(x.rows().into_iter().map(|r| c * r[0] as f64 + s * r[1] as f64));
            out.sort_by(|p, q| p.total_cmp(q));
        };
        project(&a, &mut pa);
        project(&b, &mut pb);
        let mut w2 = 0.0;
        for i in 0..m {
            let q = (i as f64 + 0.5) / m as f64;
            let va = pa[((q * pa.len() as f64) as usize).min(pa.len() - 1)];
            let vb = pb[((q * pb.len() as f64) as usize).min(pb.len() - 1)];
            w2 += (va - vb) * (va - vb);
        }
        total += w2 / m as f64;
    }
    (total / n_proj as f64).sqrt()
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
    lp.sort_by(|a, b| a.total_cmp(b));
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
