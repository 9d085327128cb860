//! Exact densities: the network Jacobian against central differences (f64), and log densities
//! integrated along the exact field against the mixture's closed form.

#![allow(clippy::needless_range_loop)] // index loops read like the formulas

use cfg_playground::datasets::Dataset;
use cfg_playground::density::{
    density_grid, DensityIntegrator, DivergenceField, ExactDivergence, JacobianScratch, MixtureJacobian,
    NetworkDivergence,
};
use cfg_playground::field::Guidance;
use cfg_playground::mlp::{Mlp, MlpConfig};
use cfg_playground::rng;
use cfg_playground::sampler::Solver;
use ndarray::{Array2, Array3};

#[test]
fn network_jacobian_matches_central_differences() {
    let config = MlpConfig::velocity(3, 16, 3);
    let model = Mlp::<f64>::new(config, &mut rng::seeded(4, 1)).unwrap();
    let mut r = rng::seeded(4, 2);
    let n = 5;
    let x = Array2::from_shape_fn((n, 2), |_| 1.5 * rng::normal(&mut r));
    let labels = [0u32, 1, 2, 3, 1];
    // a chunk smaller than the batch exercises the chunking
    let mut sc = JacobianScratch::new(&model, 2);
    let mut worst = 0.0f64;
    for guidance in [Guidance::Unconditional, Guidance::Conditional, Guidance::Cfg(2.5)] {
        for t in [0.05, 0.5, 0.93] {
            let mut v = Array2::zeros((n, 2));
            let mut jac = Array3::zeros((n, 2, 2));
            sc.jacobian(&model, x.view(), t, &labels, guidance, &[], v.view_mut(), jac.view_mut());
            let mut vp = Array2::zeros((n, 2));
            let mut jp = Array3::zeros((n, 2, 2));
            let h = 1e-4;
            for b in 0..2 {
                let mut f = |d: f64| {
                    let mut xp = x.clone();
                    xp.column_mut(b).mapv_inplace(|v| v + d);
                    sc.jacobian(&model, xp.view(), t, &labels, guidance, &[], vp.view_mut(), jp.view_mut());
                    vp.clone()
                };
                let num = (-f(2.0 * h) + 8.0 * f(h) - 8.0 * f(-h) + f(-2.0 * h)) / (12.0 * h);
                for i in 0..n {
                    for a in 0..2 {
                        let (u, w) = (num[[i, a]], jac[[i, a, b]]);
                        worst = worst.max((u - w).abs() / u.abs().max(w.abs()).max(1e-7));
                    }
                }
            }
            // and the velocity is the forward pass's, mixed
            let mut ws = model.workspace(n, false);
            let vc = model.forward(&mut ws, x.view(), &[t], &labels, &[]).to_owned();
            let vu = model.forward(&mut ws, x.view(), &[t], &[3], &[]).to_owned();
            let want = match guidance {
                Guidance::Unconditional => vu,
                Guidance::Conditional => vc,
                Guidance::Cfg(w) => &vu * (1.0 - w as f64) + &vc * w as f64,
            };
            assert!((&v - &want).iter().all(|e| e.abs() < 1e-12));
        }
    }
    eprintln!("network Jacobian: worst relative error {worst:e}");
    assert!(worst < 1e-6, "worst relative error {worst:e}");
}

/// The f32 divergence field agrees with the f64 Jacobian of the same weights.
#[test]
fn network_divergence_in_f32_agrees_with_f64() {
    let config = MlpConfig::velocity(2, 32, 2);
    let m64 = Mlp::<f64>::new(config.clone(), &mut rng::seeded(9, 1)).unwrap();
    let mut m32 = Mlp::<f32>::zeros(config).unwrap();
    m32.params.iter_mut().zip(&m64.params).for_each(|(a, &b)| *a = b as f32);
    let n = 20;
    let mut r = rng::seeded(9, 2);
    let x = Array2::from_shape_fn((n, 2), |_| rng::normal(&mut r));
    let (mut s64, mut s32) = (JacobianScratch::new(&m64, 8), JacobianScratch::new(&m32, 8));
    let mut v = Array2::zeros((n, 2));
    let mut jac = Array3::zeros((n, 2, 2));
    let g = Guidance::Cfg(3.0);
    s64.jacobian(&m64, x.view(), 0.3, &[1], g, &[], v.view_mut(), jac.view_mut());
    let mut f = NetworkDivergence { model: &m32, scratch: &mut s32, labels: &[1], guidance: g, extra: &[] };
    assert_eq!(f.calls(), 6);
    let mut v32 = Array2::zeros((n, 2));
    let mut div = vec![0.0; n];
    f.eval_div(x.view(), 0.3, v32.view_mut(), &mut div);
    for i in 0..n {
        let want = jac[[i, 0, 0]] + jac[[i, 1, 1]];
        assert!((div[i] - want).abs() < 1e-4 * want.abs().max(1.0), "{} vs {want}", div[i]);
        assert!((v32[[i, 0]] - v[[i, 0]]).abs() < 1e-4);
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Samples carried from noise to data with their log densities (Heun, 200 steps) land on the
/// data's exact log density, unconditionally and per class.
#[test]
fn forward_log_densities_match_the_mixture() {
    for name in ["non-overlapping", "face"] {
        let d = Dataset::by_name(name).unwrap();
        let m = d.mixture();
        let weights = m.class_weights();
        let n = 200;
        let mut integ = DensityIntegrator::new(n);
        let mut mj = MixtureJacobian::default();
        let mut check = MixtureJacobian::default();
        check.prepare(&m, 1.0);
        let null = d.n_classes() as u32;
        for label in (0..d.n_classes() as u32).chain([null]) {
            let mut r = rng::seeded(label as u64, 3);
            let mut x = Array2::from_shape_fn((n, 2), |_| rng::normal(&mut r));
            let mut log_p = vec![0.0; n];
            let guidance = if label == null { Guidance::Unconditional } else { Guidance::Conditional };
            let mut field = ExactDivergence { mixture: &m, jac: &mut mj, labels: &[label], guidance };
            integ.forward(&mut field, x.view_mut(), &mut log_p, 200, Solver::Heun);
            let errs: Vec<f64> = (0..n)
                .map(|i| {
                    let e = check.eval([x[[i, 0]], x[[i, 1]]], (label != null).then_some(label));
                    let want =
                        if label == null { e.log_p_u } else { e.log_p_c - weights[label as usize].ln() };
                    (log_p[i] - want).abs()
                })
                .collect();
            let (med, max) = (median(errs.clone()), errs.iter().cloned().fold(0.0, f64::max));
            eprintln!("{name} label {label}: |Δ log p| median {med:.2e}, max {max:.2e}");
            assert!(med < 2e-3 && max < 2e-2, "{name} label {label}: median {med}, max {max}");
        }
    }
}

/// Points at an intermediate time carried back to the noise give log p_t, the mixture with C_k.
#[test]
fn reverse_log_densities_match_the_mixture_at_intermediate_times() {
    for name in ["non-overlapping", "face"] {
        let d = Dataset::by_name(name).unwrap();
        let m = d.mixture();
        let n = 100;
        let mut integ = DensityIntegrator::new(n);
        let (mut mj, mut check) = (MixtureJacobian::default(), MixtureJacobian::default());
        let null = d.n_classes() as u32;
        for &t in &[0.3, 0.7, 0.95] {
            check.prepare(&m, t);
            let mut r = rng::seeded(1, 4);
            let (x1, _) = d.sample(n, &mut r);
            let x = Array2::from_shape_fn((n, 2), |(i, j)| {
                t * x1[[i, j]] as f64 + (1.0 - t) * rng::normal(&mut r)
            });
            let mut log_p = vec![0.0; n];
            let mut field = ExactDivergence {
                mixture: &m,
                jac: &mut mj,
                labels: &[null],
                guidance: Guidance::Unconditional,
            };
            integ.log_density(&mut field, x.view(), t, &mut log_p, 200, Solver::Heun);
            let errs: Vec<f64> =
                (0..n).map(|i| (log_p[i] - check.eval([x[[i, 0]], x[[i, 1]]], None).log_p_u).abs()).collect();
            let (med, max) = (median(errs.clone()), errs.iter().cloned().fold(0.0, f64::max));
            eprintln!("{name} t {t}: |Δ log p_t| median {med:.2e}, max {max:.2e}");
            assert!(med < 2e-3 && max < 2e-2, "{name} t {t}: median {med}, max {max}");
        }
    }
}

/// The density on a wide grid integrates to about 1 (it is a density, not a histogram).
#[test]
fn grid_densities_integrate_to_one() {
    let d = Dataset::by_name("non-overlapping").unwrap();
    let m = d.mixture();
    let (nx, ny, extent) = (60, 60, 4.5);
    let mut integ = DensityIntegrator::new(nx * ny);
    let mut mj = MixtureJacobian::default();
    let mut grid = Array2::zeros((nx * ny, 2));
    let mut log_p = vec![0.0; nx * ny];
    for &t in &[0.0, 0.5, 1.0] {
        let mut field =
            ExactDivergence { mixture: &m, jac: &mut mj, labels: &[2], guidance: Guidance::Unconditional };
        density_grid(
            &mut field,
            &mut integ,
            t,
            extent,
            nx,
            ny,
            100,
            Solver::Heun,
            grid.view_mut(),
            &mut log_p,
        );
        let cell = (2.0 * extent / nx as f64) * (2.0 * extent / ny as f64);
        let mass: f64 = log_p.iter().map(|l| l.exp() * cell).sum();
        eprintln!("t {t}: grid mass {mass:.5}");
        assert!((mass - 1.0).abs() < 0.01, "t {t}: mass {mass}");
    }
    // CFG at w = 3 is a field too: its density is positive and finite everywhere on the grid
    let mut field = ExactDivergence { mixture: &m, jac: &mut mj, labels: &[0], guidance: Guidance::Cfg(3.0) };
    density_grid(&mut field, &mut integ, 0.8, extent, nx, ny, 50, Solver::Heun, grid.view_mut(), &mut log_p);
    assert!(log_p.iter().all(|l| l.is_finite()));
}

/// A trained velocity network's integrated log density is close to the data's (quality, slow in
/// debug: run with `--ignored`, preferably in release).
#[test]
#[ignore]
fn a_trained_network_has_nearly_the_data_density() {
    use cfg_playground::descent::TrainConfig;
    use cfg_playground::flow::Trainer;
    let d = Dataset::by_name("non-overlapping").unwrap();
    let config = TrainConfig { steps: 3000, batch: 256, seed: 1, ..TrainConfig::default() };
    let mut tr = Trainer::new(d.clone(), MlpConfig::velocity(2, 64, 3), config).unwrap();
    tr.train(3000);
    let m = d.mixture();
    let mut check = MixtureJacobian::default();
    check.prepare(&m, 1.0);
    let n = 500;
    let mut integ = DensityIntegrator::new(n);
    let mut sc = JacobianScratch::new(&tr.model, 256);
    for label in [0u32, 2] {
        let mut r = rng::seeded(5, 3);
        let mut x = Array2::from_shape_fn((n, 2), |_| rng::normal(&mut r));
        let mut log_p = vec![0.0; n];
        let guidance = if label == 2 { Guidance::Unconditional } else { Guidance::Conditional };
        let mut f =
            NetworkDivergence { model: &tr.model, scratch: &mut sc, labels: &[label], guidance, extra: &[] };
        integ.forward(&mut f, x.view_mut(), &mut log_p, 100, Solver::Heun);
        let errs: Vec<f64> = (0..n)
            .map(|i| {
                let e = check.eval([x[[i, 0]], x[[i, 1]]], (label != 2).then_some(label));
                let want = if label == 2 { e.log_p_u } else { e.log_p_c - 0.5f64.ln() };
                (log_p[i] - want).abs()
            })
            .collect();
        let med = median(errs);
        eprintln!("trained network, label {label}: median |Δ log p| {med:.3}");
        assert!(med < 0.3, "label {label}: median {med}");
    }
}
