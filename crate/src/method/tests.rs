//! Unit tests of the methods (crate/tests/methods.rs and page_flows.rs test them end to end).

use super::*;

fn cfg(n: usize) -> SampleConfig {
    SampleConfig { n, steps: 20, guidance: 3.0, ..SampleConfig::default() }
}

#[test]
fn cfg_method_is_plain_generate() {
    let d = Dataset::by_name("overlapping").unwrap();
    let a = generate(&d, Source::Exact, &Method::Cfg, Some(0), &cfg(200)).unwrap();
    let b = sample::generate(&d, Source::Exact, Some(0), &cfg(200)).unwrap();
    assert_eq!(a.0, b.0);
}

#[test]
fn noise_scale_one_and_velocity_scale_one_are_cfg() {
    let d = Dataset::by_name("face").unwrap();
    let base = generate(&d, Source::Exact, &Method::Cfg, Some(2), &cfg(100)).unwrap().0;
    let ns = generate(&d, Source::Exact, &Method::NoiseScale { tau: 1.0 }, Some(2), &cfg(100)).unwrap().0;
    let vs = generate(
        &d,
        Source::Exact,
        &Method::VelocityScale { temperature: 1.0, clock: Clock::Sampler },
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
    let m = Method::VelocityScale { temperature: 0.5, clock: Clock::Sampler };
    let (x, _) = generate(&d, Source::Exact, &m, Some(0), &c).unwrap();
    let div = crate::metrics::diversity(x.view(), &d.mixture(), Some(0));
    assert!(div > 2.0, "diversity {div}");
}

#[test]
fn exact_methods_sample_their_density() {
    let d = Dataset::by_name("non-overlapping").unwrap();
    let c = SampleConfig { guidance: 1.0, ..cfg(4000) };
    let (x, st) = generate(&d, Source::Exact, &Method::Tilted, Some(1), &c).unwrap();
    assert_eq!(st.calls_per_sample, 0);
    let m = crate::metrics::classify(&d.mixture(), x.view());
    assert!(crate::metrics::hit_rate(&m, 1) > 0.999);
    // tempering at T = 4 doubles the spread of a Gaussian class (variance × 4)
    let (y, _) = generate(&d, Source::Exact, &Method::Tempered { temperature: 4.0 }, Some(0), &c).unwrap();
    let div = crate::metrics::diversity(y.view(), &d.mixture(), Some(0));
    assert!((div - 4.0).abs() < 0.3, "diversity {div}");
}

#[test]
fn exact_classifier_guidance_samples_as_exact_cfg() {
    // the post's derivation: with the Bayes classifier, classifier guidance at λ = w is CFG
    let d = Dataset::by_name("overlapping").unwrap();
    let a = generate(&d, Source::Exact, &Method::Classifier, Some(1), &cfg(300)).unwrap().0;
    let b = generate(&d, Source::Exact, &Method::Cfg, Some(1), &cfg(300)).unwrap().0;
    let gap = crate::metrics::mean_distance(a.view(), b.view());
    // Pointwise the two fields agree for t > 0 (tests/classifier.rs); only the first Euler
    // step differs: at t = 0 the Bayes classifier's gradient is exactly 0 (x_0 is pure noise)
    // while v_c − v_u = E[x1|c] − E[x1] is not; (1 − t)/t·∇log p(c|x_t) only tends to it.
    let c = SampleConfig { guidance: 1.0, ..cfg(300) };
    let cond = generate(&d, Source::Exact, &Method::Cfg, Some(1), &c).unwrap().0;
    let effect = crate::metrics::mean_distance(b.view(), cond.view());
    assert!(gap < 0.1 * effect, "mean distance {gap}, guidance moves points by {effect}");
}

#[test]
fn bad_parameters_and_sources_are_named() {
    let d = Dataset::by_name("face").unwrap();
    let e =
        generate(&d, Source::Exact, &Method::NoiseScale { tau: f32::NAN }, Some(0), &cfg(10)).unwrap_err();
    assert!(e.to_string().contains("tau"), "{e}");
    let e = generate(&d, Source::Exact, &Method::Student, Some(0), &cfg(10)).unwrap_err();
    assert!(e.to_string().contains("student"), "{e}");
    let e = generate(&d, Source::Exact, &Method::Cfg, Some(9), &cfg(10)).unwrap_err();
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
    let r = crate::evaluate::evaluate_with(&d, Source::Exact, None, &m, &cfg(300)).unwrap();
    assert_eq!(r.method, m);
    assert_eq!(r.classes.len(), 2);
}
