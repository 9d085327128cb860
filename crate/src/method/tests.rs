//! Unit tests of the methods (crate/tests/methods.rs and page_flows.rs test them end to end).

use super::*;
use crate::field::FieldSource;
use crate::mixture::Prepared;
use crate::temperature::Clock;

fn cfg(n: usize) -> SampleConfig {
    SampleConfig { n, steps: 20, guidance: 3.0, ..SampleConfig::default() }
}

#[test]
fn cfg_method_is_plain_generate() {
    let d = Dataset::by_name("overlapping").unwrap();
    let a = generate(&d, Source::Exact, &Method::CFG, Some(0), &cfg(200)).unwrap();
    let b = sample::generate(&d, Source::Exact, Some(0), &cfg(200)).unwrap();
    assert_eq!(a.0, b.0);
}

#[test]
fn noise_scale_one_and_velocity_scale_one_are_cfg() {
    let d = Dataset::by_name("face").unwrap();
    let base = generate(&d, Source::Exact, &Method::CFG, Some(2), &cfg(100)).unwrap().0;
    let ns = generate(&d, Source::Exact, &Method::NoiseScale(NoiseScale { tau: 1.0 }), Some(2), &cfg(100))
        .unwrap()
        .0;
    let vs = generate(
        &d,
        Source::Exact,
        &Method::VelocityScale(VelocityScale { temperature: 1.0, clock: Clock::Sampler }),
        Some(2),
        &cfg(100),
    )
    .unwrap()
    .0;
    assert_eq!(base, ns);
    assert_eq!(base, vs);
}

#[test]
fn velocity_scale_below_one_stops_short_of_the_data() {
    // T·v with T = 0.5 keeps samples blended with noise: far wider than the class
    let d = Dataset::by_name("non-overlapping").unwrap();
    let c = SampleConfig { guidance: 1.0, ..cfg(2000) };
    let m = Method::VelocityScale(VelocityScale { temperature: 0.5, clock: Clock::Sampler });
    let (x, _) = generate(&d, Source::Exact, &m, Some(0), &c).unwrap();
    let div = crate::metrics::diversity(x.view(), &d.mixture(), Some(0));
    assert!(div > 2.0, "diversity {div}");
}

#[test]
fn exact_methods_sample_their_density() {
    let d = Dataset::by_name("non-overlapping").unwrap();
    let c = SampleConfig { guidance: 1.0, ..cfg(4000) };
    let (x, st) = generate(&d, Source::Exact, &Method::Tilted(Tilted), Some(1), &c).unwrap();
    assert_eq!(st.calls_per_sample, 0);
    let m = crate::metrics::classify(&d.mixture(), x.view());
    assert!(crate::metrics::hit_rate(&m, 1) > 0.999);
    // tempering at T = 4 doubles the spread of a Gaussian class (variance × 4)
    let (y, _) =
        generate(&d, Source::Exact, &Method::Tempered(Tempered { temperature: 4.0 }), Some(0), &c).unwrap();
    let div = crate::metrics::diversity(y.view(), &d.mixture(), Some(0));
    assert!((div - 4.0).abs() < 0.3, "diversity {div}");
}

#[test]
fn exact_classifier_guidance_samples_as_exact_cfg() {
    // the post's derivation: with the Bayes classifier, classifier guidance at λ = w is CFG
    let d = Dataset::by_name("overlapping").unwrap();
    let a = generate(&d, Source::Exact, &Method::CLASSIFIER, Some(1), &cfg(300)).unwrap().0;
    let b = generate(&d, Source::Exact, &Method::CFG, Some(1), &cfg(300)).unwrap().0;
    let gap = crate::metrics::mean_distance(a.view(), b.view());
    // Pointwise the two fields agree for t > 0 (tests/classifier.rs); only the first Euler
    // step differs: at t = 0 the Bayes classifier's gradient is exactly 0 (x_0 is pure noise)
    // while v_c − v_u = E[x1|c] − E[x1] is not; (1 − t)/t·∇log p(c|x_t) only tends to it.
    let c = SampleConfig { guidance: 1.0, ..cfg(300) };
    let cond = generate(&d, Source::Exact, &Method::CFG, Some(1), &c).unwrap().0;
    let effect = crate::metrics::mean_distance(b.view(), cond.view());
    assert!(gap < 0.1 * effect, "mean distance {gap}, guidance moves points by {effect}");
}

#[test]
fn bad_parameters_and_sources_are_named() {
    let d = Dataset::by_name("face").unwrap();
    let e = generate(&d, Source::Exact, &Method::NoiseScale(NoiseScale { tau: f32::NAN }), Some(0), &cfg(10))
        .unwrap_err();
    assert!(e.to_string().contains("tau"), "{e}");
    let e = generate(&d, Source::Exact, &Method::Student(Student), Some(0), &cfg(10)).unwrap_err();
    assert!(e.to_string().contains("student"), "{e}");
    let e = generate(&d, Source::Exact, &Method::CFG, Some(9), &cfg(10)).unwrap_err();
    assert!(e.to_string().contains("class 9"), "{e}");
}

#[test]
fn rectified_cfg_reports_three_calls_per_step_and_evaluates() {
    let d = Dataset::by_name("overlapping").unwrap();
    let m = Method::RectifiedCfg(RectifiedCfg::default());
    let mut rng = rng::seeded(0, 0);
    let model = crate::mlp::Mlp::new(crate::mlp::MlpConfig::velocity(2, 16, 1), &mut rng).unwrap();
    let (_, st) = generate(&d, Source::Network(&model), &m, Some(0), &cfg(50)).unwrap();
    assert_eq!(st.calls_per_sample, 3 * 20);
    let r = crate::evaluate::evaluate_with(&d, Source::Exact, Models::default(), &m, &cfg(300)).unwrap();
    assert_eq!(r.method, m);
    assert_eq!(r.classes.len(), 2);
}

// ---- the guidance lab's methods: their identities, in f64 where the math is f64 ----

/// A run of `method` on `d`'s class `label` at `w` (steps, solver as given; 200 points, seed 3).
#[allow(clippy::too_many_arguments)]
fn run_with(
    d: &Dataset,
    source: Source,
    models: Models,
    m: &Method,
    label: Option<u32>,
    w: f32,
    steps: usize,
    solver: Solver,
) -> (Array2<f32>, SampleStats) {
    let c = SampleConfig { n: 200, steps, solver, guidance: w, seed: 3, sde_noise: 1.0 };
    generate_with(d, source, models, m, label, &c).unwrap()
}

fn max_gap(a: &Array2<f32>, b: &Array2<f32>) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs() as f64).fold(0.0, f64::max)
}

fn net(seed: u64, classes: usize) -> Mlp<f32> {
    let mut m = Mlp::new(crate::mlp::MlpConfig::velocity(classes, 16, 2), &mut rng::seeded(seed, 0)).unwrap();
    m.params.iter_mut().for_each(|p| *p *= 1.5);
    m
}

#[test]
fn guidance_interval_is_cfg_on_the_whole_interval_and_w1_on_an_empty_one() {
    let d = Dataset::by_name("overlapping").unwrap();
    let model = net(1, 2);
    for source in [Source::Exact, Source::Network(&model)] {
        for solver in [Solver::Euler, Solver::Heun] {
            for label in [Some(1), None] {
                let go = |m: &Method, w| run_with(&d, source, Models::default(), m, label, w, 16, solver);
                let whole = go(&Method::GuidanceInterval(GuidanceInterval { t_lo: 0.0, t_hi: 1.0 }), 3.0);
                assert_eq!(whole.0, go(&Method::CFG, 3.0).0, "[0, 1] is CFG ({solver:?}, {label:?})");
                assert_eq!(whole.1.calls_per_sample, go(&Method::CFG, 3.0).1.calls_per_sample);
                let empty = go(&Method::GuidanceInterval(GuidanceInterval { t_lo: 0.4, t_hi: 0.4 }), 3.0);
                assert_eq!(empty.0, go(&Method::CFG, 1.0).0, "an empty interval is w = 1");
                assert_eq!(empty.1.calls_per_sample, go(&Method::CFG, 1.0).1.calls_per_sample);
            }
        }
    }
    // calls counted per evaluation: 16 Euler steps at t = k/16, [0.5, 1] holds k = 8..15
    let m = Method::GuidanceInterval(GuidanceInterval { t_lo: 0.5, t_hi: 1.0 });
    let (_, st) =
        run_with(&d, Source::Network(&model), Models::default(), &m, Some(0), 3.0, 16, Solver::Euler);
    assert_eq!(st.calls_per_sample, 8 * 2 + 8);
    // and a real interval differs from both
    let part = run_with(&d, Source::Exact, Models::default(), &m, Some(0), 3.0, 16, Solver::Euler).0;
    let cfg = run_with(&d, Source::Exact, Models::default(), &Method::CFG, Some(0), 3.0, 16, Solver::Euler).0;
    assert!(max_gap(&part, &cfg) > 1e-3);
}

#[test]
fn cfg_zero_star_identities() {
    let d = Dataset::by_name("overlapping").unwrap();
    let model = net(2, 2);
    let z = |k| Method::CfgZeroStar(CfgZeroStar { zero_steps: k, schedule: Schedule::CONSTANT });
    let none = Models::default();
    // one class: v_u = v_c exactly, so s* = 1 exactly and every w gives the conditional flow
    let one = Dataset::custom(vec![("a".into(), vec![[0.0, 0.0], [1.0, 1.0], [1.0, -0.5]])], 0.2).unwrap();
    for solver in [Solver::Euler, Solver::Heun] {
        let a = run_with(&one, Source::Exact, none, &z(0), Some(0), 4.0, 12, solver).0;
        let b = run_with(&one, Source::Exact, none, &Method::CFG, Some(0), 1.0, 12, solver).0;
        assert_eq!(a, b, "one class, {solver:?}");
    }
    let mut report = Vec::new();
    for source in [Source::Exact, Source::Network(&model)] {
        // w = 1: s*·v_u + (v_c − s*·v_u) = v_c, to f64 rounding
        let a = run_with(&d, source, none, &z(0), Some(1), 1.0, 12, Solver::Heun).0;
        let b = run_with(&d, source, none, &Method::CFG, Some(1), 1.0, 12, Solver::Heun).0;
        report.push(max_gap(&a, &b));
        assert!(max_gap(&a, &b) < 1e-5, "w = 1: {}", max_gap(&a, &b));
        // unconditionally it is the unconditional flow, bit for bit
        let a = run_with(&d, source, none, &z(0), None, 3.0, 12, Solver::Euler).0;
        let b = run_with(&d, source, none, &Method::CFG, None, 3.0, 12, Solver::Euler).0;
        assert_eq!(a, b);
        // K = steps: nothing moves, and no network call is made
        let (a, st) = run_with(&d, source, none, &z(12), Some(1), 3.0, 12, Solver::Heun);
        assert_eq!(a, sample::start_points(200, 3, 1.0));
        assert_eq!(st.calls_per_sample, 0);
        // it guides: far from CFG at w = 3 where v_u and v_c are not parallel
        let a = run_with(&d, source, none, &z(0), Some(1), 3.0, 12, Solver::Euler).0;
        let b = run_with(&d, source, none, &Method::CFG, Some(1), 3.0, 12, Solver::Euler).0;
        assert!(max_gap(&a, &b) > 1e-3);
    }
    let (_, st) = run_with(&d, Source::Network(&model), none, &z(2), Some(0), 3.0, 12, Solver::Heun);
    assert_eq!(st.calls_per_sample, 10 * 2 * 2);
    // parallel velocities: s* is their ratio and the guidance vanishes (v = v_c for any w)
    assert_eq!(zero_star::optimised_scale([2.0, -1.0], [3.0, -1.5]), 1.5);
    assert_eq!(zero_star::optimised_scale([0.0, 0.0], [3.0, -1.5]), 1.0);
    // K beyond the run is refused
    let c = SampleConfig { n: 10, steps: 4, ..SampleConfig::default() };
    let e = generate(&d, Source::Exact, &z(5), Some(0), &c).unwrap_err();
    assert!(e.to_string().contains("zero_steps"), "{e}");
    println!("cfg-zero-star at w = 1 vs conditional, max |Δ| (exact, network): {report:?}");
}

#[test]
fn apg_identities() {
    let d = Dataset::by_name("overlapping").unwrap();
    let model = net(3, 2);
    let none = Models::default();
    let apg = |eta, r, beta| Method::Apg(Apg { eta, norm_threshold: r, momentum: beta, ..Apg::default() });
    let mut report = Vec::new();
    for source in [Source::Exact, Source::Network(&model)] {
        for solver in [Solver::Euler, Solver::Heun] {
            // η = 1, no cap, no momentum: v_c + (w − 1)(v_c − v_u) is CFG, to rounding
            let a = run_with(&d, source, none, &apg(1.0, None, 0.0), Some(0), 4.0, 16, solver);
            let b = run_with(&d, source, none, &Method::CFG, Some(0), 4.0, 16, solver);
            report.push(max_gap(&a.0, &b.0));
            assert!(max_gap(&a.0, &b.0) < 1e-4, "{solver:?}: {}", max_gap(&a.0, &b.0));
            assert_eq!(a.1.calls_per_sample, b.1.calls_per_sample);
            // w = 1: the conditional flow, bit for bit, whatever η, r, β
            let a = run_with(&d, source, none, &apg(0.0, Some(0.5), 0.5), Some(0), 1.0, 16, solver).0;
            let b = run_with(&d, source, none, &Method::CFG, Some(0), 1.0, 16, solver).0;
            assert_eq!(a, b);
            // unconditionally: the unconditional flow
            let a = run_with(&d, source, none, &apg(0.0, None, 0.0), None, 4.0, 16, solver).0;
            let b = run_with(&d, source, none, &Method::CFG, None, 4.0, 16, solver).0;
            assert_eq!(a, b);
        }
        // a cap of 0 removes the guidance at every t < 1 (Euler never evaluates t = 1)
        let a = run_with(&d, source, none, &apg(1.0, Some(0.0), 0.0), Some(1), 4.0, 16, Solver::Euler).0;
        let b = run_with(&d, source, none, &Method::CFG, Some(1), 1.0, 16, Solver::Euler).0;
        assert_eq!(a, b);
        // η = 0 and momentum change the samples
        let cfg = run_with(&d, source, none, &Method::CFG, Some(1), 4.0, 16, Solver::Euler).0;
        let a = run_with(&d, source, none, &apg(0.0, None, 0.0), Some(1), 4.0, 16, Solver::Euler).0;
        let b = run_with(&d, source, none, &apg(0.0, None, 0.5), Some(1), 4.0, 16, Solver::Euler).0;
        assert!(max_gap(&a, &cfg) > 1e-3 && max_gap(&a, &b) > 1e-3);
    }
    println!("apg η = 1 vs CFG, max |Δ| (exact Euler, Heun, network Euler, Heun): {report:?}");
    // η = 0 at one point: the guidance left is orthogonal to x̂1_c = x + (1 − t)·v_c
    let mix = d.mixture();
    let mut prep = Prepared::default();
    let mut src = FieldSource::Exact { mixture: &mix, prep: &mut prep };
    let mut state = MethodState::default();
    let x = ndarray::arr2(&[[0.3f32, -0.2], [1.0, 0.5]]);
    let t = 0.4f32;
    let (mut vu, mut vc) = (Array2::zeros((2, 2)), Array2::zeros((2, 2)));
    src.eval_both(x.view(), t, &[1], vu.view_mut(), vc.view_mut());
    let m = apg(0.0, None, 0.0);
    let mut f = MethodField::new(m, 2, Some(1), 4.0, &mut src, None, None, &mut state, 2).unwrap();
    let mut v = Array2::zeros((2, 2));
    crate::field::VelocityField::eval(&mut f, x.view(), t, v.view_mut());
    for i in 0..2 {
        let p = [x[[i, 0]] + (1.0 - t) * vc[[i, 0]], x[[i, 1]] + (1.0 - t) * vc[[i, 1]]];
        let g = [v[[i, 0]] - vc[[i, 0]], v[[i, 1]] - vc[[i, 1]]];
        let cos = (g[0] * p[0] + g[1] * p[1]) / ((g[0].hypot(g[1])) * p[0].hypot(p[1]));
        assert!(cos.abs() < 1e-5, "row {i}: cos {cos}");
    }
    // bad parameters are named
    for (m, name) in [
        (apg(-0.1, None, 0.0), "eta"),
        (apg(1.0, Some(-1.0), 0.0), "norm_threshold"),
        (apg(1.0, None, 1.0), "momentum"),
        (apg(1.0, None, -0.5), "momentum"),
        (apg(f32::NAN, None, 0.0), "eta"),
    ] {
        let e = m.validate().unwrap_err();
        assert!(e.to_string().contains(name), "{e}");
    }
}

#[test]
fn autoguidance_by_itself_is_w1_for_every_w() {
    let d = Dataset::by_name("overlapping").unwrap();
    let model = net(4, 2);
    let itself = Models { classifier: None, guide: Some(&model) };
    let ag = |f| Method::Autoguidance(Autoguidance { guide_widen: f, schedule: Schedule::CONSTANT });
    for solver in [Solver::Euler, Solver::Heun] {
        for label in [Some(0), None] {
            let cond = run_with(&d, Source::Network(&model), itself, &Method::CFG, label, 1.0, 12, solver).0;
            let exact_cond =
                run_with(&d, Source::Exact, Models::default(), &Method::CFG, label, 1.0, 12, solver).0;
            for w in [0.0, 1.0, 3.0, -2.0] {
                let (a, st) = run_with(&d, Source::Network(&model), itself, &ag(1.5), label, w, 12, solver);
                assert_eq!(a, cond, "w {w}, {solver:?}, {label:?}");
                assert_eq!(st.calls_per_sample, 12 * solver.evals_per_step() * 2);
                // the exact guide widened by 1 is the data's own mixture
                let b = run_with(&d, Source::Exact, Models::default(), &ag(1.0), label, w, 12, solver).0;
                assert_eq!(b, exact_cond, "exact, w {w}");
            }
        }
    }
    // a real guide guides
    let weak = net(5, 2);
    let by_weak = Models { classifier: None, guide: Some(&weak) };
    let a = run_with(&d, Source::Network(&model), by_weak, &ag(1.5), Some(0), 3.0, 12, Solver::Euler).0;
    let b = run_with(&d, Source::Network(&model), itself, &ag(1.5), Some(0), 3.0, 12, Solver::Euler).0;
    assert!(max_gap(&a, &b) > 1e-3);
    let a = run_with(&d, Source::Exact, Models::default(), &ag(2.0), Some(0), 3.0, 12, Solver::Euler).0;
    let b = run_with(&d, Source::Exact, Models::default(), &Method::CFG, Some(0), 1.0, 12, Solver::Euler).0;
    assert!(max_gap(&a, &b) > 1e-3);
    // errors: no guide for a network, a guide for the exact field, a guide of other classes,
    // a narrowing factor
    let c = SampleConfig { n: 10, steps: 4, ..SampleConfig::default() };
    let e = generate_with(&d, Source::Network(&model), Models::default(), &ag(1.5), Some(0), &c).unwrap_err();
    assert!(e.to_string().contains("guide"), "{e}");
    let e = generate_with(&d, Source::Exact, itself, &ag(1.5), Some(0), &c).unwrap_err();
    assert!(e.to_string().contains("exact"), "{e}");
    let other = net(6, 3);
    let by_other = Models { classifier: None, guide: Some(&other) };
    let e = generate_with(&d, Source::Network(&model), by_other, &ag(1.5), Some(0), &c).unwrap_err();
    assert!(e.to_string().contains("guide") && e.to_string().contains("classes"), "{e}");
    let e = generate(&d, Source::Exact, &ag(0.5), Some(0), &c).unwrap_err();
    assert!(e.to_string().contains("guide_widen"), "{e}");
}

#[test]
fn the_new_methods_have_their_names_and_checks() {
    for name in ["guidance-interval", "cfg-zero-star", "apg", "autoguidance"] {
        assert_eq!(name.parse::<Method>().unwrap().name(), name);
    }
    let p =
        |t_lo: f32, t_hi: f32| MethodParams::default().with("t_lo", t_lo as f64).with("t_hi", t_hi as f64);
    for (lo, hi, needle) in [(0.6, 0.4, "t_lo must not exceed"), (-0.1, 0.4, "t_lo"), (0.1, 1.5, "t_hi")] {
        let e = Method::from_name("guidance-interval", &p(lo, hi)).unwrap_err();
        assert!(e.to_string().contains(needle), "{e}");
    }
    let e = Method::from_name("guidance-interval", &p(f32::NAN, 0.5)).unwrap_err();
    assert!(e.to_string().contains("t_lo"), "{e}");
}
