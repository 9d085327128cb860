use ndarray::Array2;

use super::*;
use crate::datasets::Dataset;
use crate::field::{ExactField, Guidance};

fn mixture(name: &str) -> Mixture {
    Dataset::by_name(name).unwrap().mixture()
}

/// log N(x; μ, s²I) in 2D.
fn log_gauss(x: [f64; 2], mu: [f64; 2], s2: f64) -> f64 {
    let d2 = (x[0] - mu[0]).powi(2) + (x[1] - mu[1]).powi(2);
    -0.5 * d2 / s2 - (2.0 * std::f64::consts::PI * s2).ln()
}

#[test]
fn tempering_a_gaussian_class_scales_its_variance_by_t() {
    // non-overlapping class 0 is N((−2,−2), 0.3²I): p^(1/T) is N((−2,−2), T·0.3²I)
    let m = mixture("non-overlapping");
    let grid = Grid::square(5.0, 250);
    for &temp in &[0.25, 1.0, 2.0] {
        let g = GridDensity::new(&m, Target::Tempered { class: Some(0), temperature: temp }, grid).unwrap();
        assert!(g.border_mass() < 1e-9, "{}", g.border_mass());
        for &(i, j) in &[(75, 75), (65, 80), (85, 70), (70, 70)] {
            let want = log_gauss(grid.center(i, j), [-2.0, -2.0], temp * 0.09);
            let got = g.log_density()[j * grid.nx + i];
            // the grid normaliser is a midpoint rule: relative error O(h²/σ²)
            assert!((got - want).abs() < 2e-3, "T {temp} cell ({i},{j}): {got} vs {want}");
        }
        let (mean, trace) = g.moments();
        assert!((mean[0] + 2.0).abs() < 1e-6 && (mean[1] + 2.0).abs() < 1e-6, "{mean:?}");
        // lattice weights of a Gaussian have its variance (up to exponentially small terms), and
        // the uniform jitter adds h²/12 per axis: the grid sampler's only bias
        let h = grid.cell()[0];
        let want = 2.0 * temp * 0.09 + h * h / 6.0;
        assert!((trace - want).abs() < 1e-9, "T {temp}: trace {trace} vs {want}");
    }
}

#[test]
fn tilting_at_w1_is_the_class_and_at_w0_the_data() {
    let m = mixture("overlapping");
    let grid = Grid::square(3.5, 64);
    let d = |t: Target| GridDensity::new(&m, t, grid).unwrap().log_density().to_vec();
    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9);
    assert!(close(
        &d(Target::Tilted { class: 1, w: 1.0 }),
        &d(Target::Tempered { class: Some(1), temperature: 1.0 })
    ));
    assert!(close(
        &d(Target::Tilted { class: 1, w: 0.0 }),
        &d(Target::Tempered { class: None, temperature: 1.0 })
    ));
    // and w = 3 is something else: the class times p(c | x)², pushed away from the other class
    let tilt = GridDensity::new(&m, Target::Tilted { class: 1, w: 3.0 }, grid).unwrap();
    let class = GridDensity::new(&m, Target::Tempered { class: Some(1), temperature: 1.0 }, grid).unwrap();
    let (mt, tr_t) = tilt.moments();
    let (mc, tr_c) = class.moments();
    assert!(mt[0] > mc[0] + 0.1 && mt[1] > mc[1] + 0.1 && tr_t < tr_c, "{mt:?} {mc:?} {tr_t} {tr_c}");
}

#[test]
fn heatmap_values_match_the_sampling_density_and_integrate_to_one() {
    let m = mixture("overlapping");
    let grid = Grid { lo: [-3.0, -2.5], hi: [3.0, 3.5], nx: 48, ny: 40 };
    let target = Target::Tilted { class: 0, w: 5.0 };
    let mut out = vec![0f32; grid.len()];
    log_density_into(&m, &target, &grid, &mut out).unwrap();
    let g = GridDensity::new(&m, target, grid).unwrap();
    for (a, b) in out.iter().zip(g.log_density()) {
        assert!((*a as f64 - b).abs() < 1e-4 * (1.0 + b.abs()), "{a} vs {b}");
    }
    let [dx, dy] = grid.cell();
    let total: f64 = out.iter().map(|&l| (l as f64).exp() * dx * dy).sum();
    assert!((total - 1.0).abs() < 1e-5, "{total}");
}

#[test]
fn bad_targets_grids_and_buffers_are_refused_by_name() {
    let m = mixture("overlapping");
    let grid = Grid::square(3.0, 16);
    let err = |t: Target, g: Grid| GridDensity::new(&m, t, g).unwrap_err().to_string();
    assert!(err(Target::Tilted { class: 2, w: 3.0 }, grid).contains("class"));
    assert!(err(Target::Tilted { class: 0, w: f64::NAN }, grid).contains("w "));
    assert!(err(Target::Tempered { class: None, temperature: 0.0 }, grid).contains("temperature"));
    let ok = Target::Tempered { class: None, temperature: 1.0 };
    assert!(err(ok, Grid::square(3.0, 1)).contains("nx"));
    assert!(err(ok, Grid { hi: [3.0, -4.0], ..grid }).contains("grid hi y"));
    assert!(err(ok, Grid::square(f64::INFINITY, 8)).contains("grid lo x"));
    let mut out = vec![0f32; 10];
    assert!(log_density_into(&m, &ok, &grid, &mut out).unwrap_err().to_string().contains("256 cells"));
}

#[test]
fn grid_sampling_follows_the_cell_masses() {
    // a coarse grid: the share of samples in each cell is its mass (chi-square-like check)
    let m = mixture("overlapping");
    let grid = Grid::square(2.0, 4);
    let g = GridDensity::new(&m, Target::Tilted { class: 0, w: 3.0 }, grid).unwrap();
    let n = 40_000;
    let x = g.sample(n, &mut rng::seeded(3, 0));
    let mut counts = [0usize; 16];
    for r in x.rows() {
        assert!(r[0] >= -2.0 && r[0] <= 2.0 && r[1] >= -2.0 && r[1] <= 2.0);
        let i = ((r[0] + 2.0) as usize).min(3);
        let j = ((r[1] + 2.0) as usize).min(3);
        counts[j * 4 + i] += 1;
    }
    for (k, &c) in counts.iter().enumerate() {
        let p = g.cell_mass(k);
        let sd = (p * (1.0 - p) / n as f64).sqrt();
        assert!((c as f64 / n as f64 - p).abs() < 5.0 * sd + 1e-9, "cell {k}: {c} vs mass {p}");
    }
}

#[test]
fn scaled_velocity_is_t_times_v_read_at_the_chosen_clock() {
    let m = mixture("overlapping");
    let mut prep = Prepared::default();
    let labels = [1u32];
    let x = ndarray::arr2(&[[0.3f32, -0.2], [1.0, 0.5], [-0.7, 0.1]]);
    let field = |prep: &mut Prepared, t: f32| {
        let mut f = ExactField { mixture: &m, prep, labels: &labels, guidance: Guidance::Cfg(3.0) };
        let mut v = Array2::zeros((3, 2));
        f.eval(x.view(), t, v.view_mut());
        v
    };
    for (clock, at) in [(Clock::Rescaled, 0.5 * 0.6), (Clock::Sampler, 0.6)] {
        let want = field(&mut prep, at) * 0.5;
        let mut inner =
            ExactField { mixture: &m, prep: &mut prep, labels: &labels, guidance: Guidance::Cfg(3.0) };
        let mut f = ScaledVelocity { inner: &mut inner, scale: 0.5, clock };
        let mut v = Array2::zeros((3, 2));
        f.eval(x.view(), 0.6, v.view_mut());
        assert_eq!(v, want, "{clock:?}");
        assert_eq!(f.calls(), 0);
    }
}
