//! The bootstrap's noise bands against the spread over seeds (`metrics::bootstrap`); here rather
//! than in `crate/kernels/src/metrics.rs` because it draws from the built-in data sets.

use cfg_playground::datasets::Dataset;
use cfg_playground::metrics::*;
use cfg_playground::rng::{seeded, Rng};
use ndarray::Array2;

/// The bootstrap's spread of each score from one sample set is the spread the score shows
/// over independent sample sets (seeds), within a third: a noise band that means something.
#[test]
fn bootstrap_spread_matches_the_spread_over_seeds() {
    let d = Dataset::by_name("spirals").unwrap();
    let mix = d.mixture();
    let class = 0u32;
    let mut r = seeded(4, 0);
    let reference = d.sample_class(class, 4000, &mut r);
    let mut refs = SlicedReference::new(reference.view(), 32, &mut r);
    let (all, _) = d.sample(5000, &mut r);
    let threshold = support_threshold(&mix, all.view());
    let trace = mix.moments(Some(class)).1.trace();
    let n = 300;
    // a sampler that is not the class: the class, shrunk toward its mean, plus some of the other class
    let (mean, _) = mix.moments(Some(class));
    let draw = |r: &mut Rng| {
        let mut x = d.sample_class(class, n, r);
        for mut row in x.rows_mut() {
            row[0] = (mean[0] + 0.8 * (row[0] as f64 - mean[0])) as f32;
            row[1] = (mean[1] + 0.8 * (row[1] as f64 - mean[1])) as f32;
        }
        let other = d.sample_class(1, n / 10, r);
        x.slice_mut(ndarray::s![..n / 10, ..]).assign(&other);
        x
    };
    let judge = |x: &Array2<f32>| {
        let cls = classify(&mix, x.view());
        let lp = log_density(&mix, x.view());
        (
            cls.iter().map(|&c| c == class).collect::<Vec<_>>(),
            lp.iter().map(|&l| l.is_nan() || l < threshold).collect::<Vec<_>>(),
        )
    };
    let mut over_seeds = Vec::new();
    let mut boots = Vec::new();
    for _ in 0..40 {
        let x = draw(&mut r);
        let (hit, off) = judge(&x);
        let j = Judged { x: x.view(), hit: &hit, off: &off, class_trace: trace };
        over_seeds.push(scores(&j, &mut refs, None));
        if boots.len() < 8 {
            boots.push(bootstrap(&j, &mut refs, 100, &mut r));
        }
    }
    let sd = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    for (name, f) in [
        ("hit", (|s: &Scores| s.hit_rate) as fn(&Scores) -> f64),
        ("diversity", |s| s.diversity),
        ("W2", |s| s.sliced_w2),
    ] {
        let seeds = sd(&over_seeds.iter().map(f).collect::<Vec<_>>());
        let boot = mean(&boots.iter().map(f).collect::<Vec<_>>());
        eprintln!("{name}: spread over seeds {seeds:.4}, bootstrap {boot:.4}");
        assert!(boot > 0.0 && (boot / seeds - 1.0).abs() < 0.35, "{name}: seeds {seeds}, bootstrap {boot}");
    }
}
