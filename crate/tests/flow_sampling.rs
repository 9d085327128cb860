//! Flow matching, guidance and sampling against exact answers.

use cfg_playground::datasets::{Dataset, Piece, NAMES};
use cfg_playground::descent::TrainConfig;
use cfg_playground::evaluate;
use cfg_playground::field::Source;
use cfg_playground::field::{ExactField, Guidance, NetScratch, NetworkField, VelocityField};
use cfg_playground::flow::Trainer;
use cfg_playground::metrics;
use cfg_playground::mixture::{Mixture, Prepared};
use cfg_playground::mlp::{Mlp, MlpConfig};
use cfg_playground::rng::{self, seeded};
use cfg_playground::sample::SampleConfig;
use cfg_playground::sampler::{noise_into, Integrator, Solver};
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

fn small_trainer(dataset: &str, seed: u64) -> Trainer {
    let d = Dataset::by_name(dataset).unwrap();
    let arch = MlpConfig::velocity(d.n_classes(), 32, 2);
    let config = TrainConfig { steps: 400, batch: 128, seed, ..TrainConfig::default() };
    Trainer::new(d, arch, config).unwrap()
}

fn guided(model: &Mlp<f32>, x: ArrayView2<f32>, labels: &[u32], g: Guidance, t: f32) -> Array2<f32> {
    let mut scratch = NetScratch::new(model, 16);
    let mut f = NetworkField { model, scratch: &mut scratch, labels, guidance: g, extra: &[] };
    let mut v = Array2::zeros((x.nrows(), 2));
    f.eval(x, t, v.view_mut());
    v
}

#[test]
fn cfg_at_w0_is_unconditional_and_at_w1_conditional_exactly() {
    let mut tr = small_trainer("face", 3);
    tr.train(50);
    let mut r = seeded(1, 0);
    let mut x = Array2::zeros((53, 2));
    noise_into(&mut r, x.view_mut());
    let labels: Vec<u32> = (0..53).map(|i| (i % 3) as u32).collect();
    for &t in &[0.0f32, 0.37, 0.99] {
        let u = guided(&tr.model, x.view(), &labels, Guidance::Unconditional, t);
        let c = guided(&tr.model, x.view(), &labels, Guidance::Conditional, t);
        assert_eq!(guided(&tr.model, x.view(), &labels, Guidance::Cfg(0.0), t), u);
        assert_eq!(guided(&tr.model, x.view(), &labels, Guidance::Cfg(1.0), t), c);
        // and in between it is v_u + w·(v_c − v_u)
        let g = guided(&tr.model, x.view(), &labels, Guidance::Cfg(3.0), t);
        let want = &u + &((&c - &u) * 3.0);
        assert!((&g - &want).iter().all(|d| d.abs() < 1e-4));
    }
    // whole sampling runs agree bit for bit too
    let run = |g: Guidance| {
        let mut x = x.clone();
        let mut scratch = NetScratch::new(&tr.model, 16);
        let mut f = NetworkField {
            model: &tr.model,
            scratch: &mut scratch,
            labels: &labels,
            guidance: g,
            extra: &[],
        };
        Integrator::new(53).run(&mut f, x.view_mut(), 20, Solver::Heun, None);
        x
    };
    assert_eq!(run(Guidance::Cfg(0.0)), run(Guidance::Unconditional));
    assert_eq!(run(Guidance::Cfg(1.0)), run(Guidance::Conditional));
}

#[test]
fn training_is_deterministic_for_a_seed_and_differs_across_seeds() {
    let mut a = small_trainer("two-moons", 11);
    let mut b = small_trainer("two-moons", 11);
    let mut c = small_trainer("two-moons", 12);
    let la: Vec<f32> = (0..5).map(|_| a.step()).collect();
    let lb: Vec<f32> = (0..5).map(|_| b.step()).collect();
    c.train(5);
    assert_eq!(la, lb);
    assert_eq!(a.model.params, b.model.params);
    assert_ne!(a.model.params, c.model.params);
}

#[test]
fn training_lowers_the_loss() {
    let mut tr = small_trainer("non-overlapping", 1);
    let first = tr.train(20);
    tr.train(300);
    let last = tr.train(50);
    assert!(last < 0.8 * first, "loss {first} -> {last}");
}

/// A linear field v = A·x has the exact flow x(1) = exp(A)·x(0). Euler's error falls like 1/N,
/// Heun's like 1/N².
#[test]
fn samplers_converge_at_their_order_on_a_linear_field() {
    struct Linear;
    impl VelocityField for Linear {
        fn eval(&mut self, x: ArrayView2<f32>, _t: f32, mut v: ArrayViewMut2<f32>) {
            for i in 0..x.nrows() {
                v[[i, 0]] = -0.5 * x[[i, 0]] + 1.2 * x[[i, 1]];
                v[[i, 1]] = -1.2 * x[[i, 0]] - 0.5 * x[[i, 1]];
            }
        }
        fn calls(&self) -> usize {
            0
        }
    }
    // exp(A) for A = [[a, b], [−b, a]] is e^a·[[cos b, sin b], [−sin b, cos b]]
    let (a, b) = (-0.5f64, 1.2f64);
    let x0 = [1.0f64, 0.5];
    let want =
        [a.exp() * (b.cos() * x0[0] + b.sin() * x0[1]), a.exp() * (-b.sin() * x0[0] + b.cos() * x0[1])];
    let err = |solver, steps| {
        let mut x = Array2::from_shape_vec((1, 2), vec![x0[0] as f32, x0[1] as f32]).unwrap();
        Integrator::new(1).run(&mut Linear, x.view_mut(), steps, solver, None);
        ((x[[0, 0]] as f64 - want[0]).powi(2) + (x[[0, 1]] as f64 - want[1]).powi(2)).sqrt()
    };
    let (e10, e20) = (err(Solver::Euler, 10), err(Solver::Euler, 20));
    assert!((e10 / e20 - 2.0).abs() < 0.2, "Euler ratio {}", e10 / e20);
    let (h10, h20) = (err(Solver::Heun, 10), err(Solver::Heun, 20));
    assert!((h10 / h20 - 4.0).abs() < 0.4, "Heun ratio {}", h10 / h20);
    assert!(h20 < e20 / 10.0);
}

#[test]
fn trajectories_start_at_the_noise_and_end_at_the_samples() {
    let d = Dataset::by_name("face").unwrap();
    let m = d.mixture();
    let mut prep = Prepared::default();
    let mut x = Array2::zeros((7, 2));
    noise_into(&mut seeded(4, 0), x.view_mut());
    let x0 = x.clone();
    let mut traj = ndarray::Array3::zeros((11, 7, 2));
    let mut f = ExactField { mixture: &m, prep: &mut prep, labels: &[2], guidance: Guidance::Conditional };
    Integrator::new(7).run(&mut f, x.view_mut(), 10, Solver::Euler, Some(traj.view_mut()));
    assert_eq!(traj.index_axis(ndarray::Axis(0), 0), x0);
    assert_eq!(traj.index_axis(ndarray::Axis(0), 10), x);
}

/// Following the exact mixture velocity transports N(0, I) onto the data: every class's samples
/// match fresh data, and the straight-path field of a single Gaussian is exactly straight.
#[test]
fn the_exact_field_reproduces_the_data() {
    for name in ["non-overlapping", "face", "two-moons"] {
        let d = Dataset::by_name(name).unwrap();
        let cfg =
            SampleConfig { n: 3000, steps: 40, solver: Solver::Heun, guidance: 1.0, seed: 5, sde_noise: 1.0 };
        let report = evaluate::evaluate(&d, Source::Exact, &cfg).unwrap();
        for c in &report.classes {
            assert!(c.sliced_w2 < 0.05, "{name}/{}: sliced W2 {}", c.class, c.sliced_w2);
            assert!((c.diversity - 1.0).abs() < 0.1, "{name}/{}: diversity {}", c.class, c.diversity);
            assert!(c.hit_rate > 0.95, "{name}/{}: hit rate {}", c.class, c.hit_rate);
        }
        for s in &report.unconditional.classes {
            assert!((s.share - s.data_share).abs() < 0.03, "{name}: {s:?}");
        }
    }
}

/// From N(0, I) to one isotropic Gaussian N(μ, σ²I) the exact flow is x_t = a(t)·x0 + t·μ with
/// a(t) = √((1−t)² + t²σ²), so ‖(x1 − x0) − ẋ_t‖² = (σ − 1 − a'(t))²·‖x0‖² and the expected
/// straightness is 2·∫₀¹ (σ − 1 − a'(t))² dt. The sampler's measurement must match it.
#[test]
fn straightness_of_a_gaussian_class_matches_the_closed_form() {
    let d = Dataset::by_name("non-overlapping").unwrap();
    let sigma = 0.3f64;
    let n = 100_000;
    let mut want = 0.0;
    for k in 0..n {
        let t = (k as f64 + 0.5) / n as f64;
        let a = ((1.0 - t).powi(2) + t * t * sigma * sigma).sqrt();
        let da = (-(1.0 - t) + t * sigma * sigma) / a;
        want += 2.0 * (sigma - 1.0 - da).powi(2) / n as f64;
    }
    let cfg =
        SampleConfig { n: 20_000, steps: 200, solver: Solver::Heun, guidance: 1.0, seed: 1, sde_noise: 1.0 };
    let r = evaluate::evaluate(&d, Source::Exact, &cfg).unwrap();
    for c in &r.classes {
        assert!((c.straightness - want).abs() < 0.02 * want, "{}: {} vs {want}", c.class, c.straightness);
    }
    // unconditional paths must also pick a side: they bend more than either class's
    assert!(r.unconditional.straightness > want);
}

#[test]
fn a_trained_network_approaches_the_exact_field() {
    let d = Dataset::by_name("non-overlapping").unwrap();
    let m = d.mixture();
    let arch = MlpConfig::velocity(2, 64, 2);
    let config = TrainConfig { steps: 1500, batch: 256, lr: 3e-3, seed: 2, ..TrainConfig::default() };
    let mut tr = Trainer::new(d.clone(), arch, config).unwrap();
    // the error of the network's conditional velocity along the path, relative to the field's size
    let error = |model: &Mlp<f32>| {
        let mut r = seeded(8, 0);
        let (x1, labels) = d.sample(400, &mut r);
        let mut prep = Prepared::default();
        let (mut num, mut den) = (0.0, 0.0);
        for &t in &[0.1f32, 0.4, 0.7, 0.9] {
            let mut xt = Array2::zeros((400, 2));
            for i in 0..400 {
                for j in 0..2 {
                    xt[[i, j]] = (1.0 - t) * rng::normal(&mut r) as f32 + t * x1[[i, j]];
                }
            }
            let v = guided(model, xt.view(), &labels, Guidance::Conditional, t);
            m.prepare(t as f64, &mut prep);
            for i in 0..400 {
                let e = Mixture::eval(&prep, [xt[[i, 0]] as f64, xt[[i, 1]] as f64], Some(labels[i]));
                for j in 0..2 {
                    num += (v[[i, j]] as f64 - e.v_c[j]).powi(2);
                    den += e.v_c[j].powi(2);
                }
            }
        }
        (num / den).sqrt()
    };
    let before = error(&tr.model);
    tr.train(1500);
    let after = error(&tr.model);
    assert!(after < 0.1 && after < before / 5.0, "relative error {before} -> {after}");
}

#[test]
fn every_mixture_description_matches_its_generator() {
    for name in NAMES {
        let d = Dataset::by_name(name).unwrap();
        let m = d.mixture();
        let w: f64 = m.components.iter().map(|c| c.weight).sum();
        assert!((w - 1.0).abs() < 1e-12, "{name}: weights sum to {w}");
        // Gaussian pieces are one component each, exactly. A curve piece (the only kind of
        // class with a curve has that one piece) is compared with samples of its components.
        // 40,000 points: the sliced W2 between two samples of one curve is then ~0.01.
        const N: usize = 40_000;
        let mut r = seeded(3, 0);
        for (c, class) in d.classes.iter().enumerate() {
            let c = c as u32;
            if !matches!(class.pieces.as_slice(), [(_, Piece::Curve { .. })]) {
                let n_gauss = class.pieces.iter().filter(|p| matches!(p.1, Piece::Gaussian { .. })).count();
                assert_eq!(n_gauss, class.pieces.len(), "{name}: mixed pieces need their own check");
                assert_eq!(m.components.iter().filter(|k| k.class == c).count(), n_gauss);
                continue;
            }
            let data = d.sample_class(c, N, &mut r);
            let comps: Vec<_> = m.components.iter().filter(|k| k.class == c).collect();
            let total: f64 = comps.iter().map(|k| k.weight).sum();
            let mut mix = Array2::zeros((N, 2));
            for i in 0..N {
                let mut u = rng::uniform(&mut r) * total;
                let mut k = comps[comps.len() - 1];
                for cand in &comps {
                    if u < cand.weight {
                        k = cand;
                        break;
                    }
                    u -= cand.weight;
                }
                // Cholesky of the 2x2 covariance
                let l11 = k.cov.xx.sqrt();
                let l21 = k.cov.xy / l11;
                let l22 = (k.cov.yy - l21 * l21).sqrt();
                let (z1, z2) = (rng::normal(&mut r), rng::normal(&mut r));
                mix[[i, 0]] = (k.mean[0] + l11 * z1) as f32;
                mix[[i, 1]] = (k.mean[1] + l21 * z1 + l22 * z2) as f32;
            }
            let sw = metrics::sliced_w2(data.view(), mix.view(), 32, &mut r);
            println!("{name} class {c}: sliced W2 {sw:.4}");
            assert!(sw < 0.025, "{name} class {c}: sliced W2 {sw}");
        }
    }
}

#[test]
fn data_sets_are_named_and_reject_unknown_names() {
    for name in NAMES {
        let d = Dataset::by_name(name).unwrap();
        assert!(d.n_classes() >= 2, "{name}");
        let mut names = d.class_names();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), d.n_classes(), "{name}: class names unique");
        assert_eq!(d.class_label("null").unwrap(), None);
        assert_eq!(d.class_label(d.class_names()[1]).unwrap(), Some(1));
        assert!(d.class_label("nope").unwrap_err().to_string().contains("unknown class 'nope'"));
    }
    let e = Dataset::by_name("moons").unwrap_err().to_string();
    assert!(e.contains("unknown data set 'moons'") && e.contains("two-moons"), "{e}");
    let face = Dataset::by_name("face").unwrap();
    assert_eq!(face.class_names(), ["left-eye", "right-eye", "mouth"]);
}

#[test]
fn guided_sampling_sharpens_an_overlapping_class() {
    // On the exact field, raising w raises the hit rate and lowers the diversity.
    let d = Dataset::by_name("overlapping").unwrap();
    let at = |w: f32| {
        let cfg =
            SampleConfig { n: 3000, steps: 40, solver: Solver::Heun, guidance: w, seed: 2, sde_noise: 1.0 };
        evaluate::evaluate(&d, Source::Exact, &cfg).unwrap().classes[0].clone()
    };
    let (w1, w3) = (at(1.0), at(3.0));
    assert!(w3.hit_rate > w1.hit_rate + 0.05, "{} -> {}", w1.hit_rate, w3.hit_rate);
    assert!(w3.diversity < w1.diversity);
    assert_eq!(w1.calls_per_sample, 0);
}
