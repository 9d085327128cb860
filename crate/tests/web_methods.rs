//! Browser tests of the guidance methods on the page: every method of `method.rs` run through
//! the page's one flow export (`Flow.advanceFor` with a `Method`) lands where `sample`'s core path
//! lands for the same seed (also in this build), the method figures' other exports measure what
//! they should, and bad input is an error, not a panic. The method cases are those of
//! `common/method_cases.rs`, which `page_flows.rs` runs natively.
#![cfg(target_arch = "wasm32")]

#[path = "common/method_cases.rs"]
mod method_cases;

#[path = "common/js_result.rs"]
mod js_result;

#[path = "common/web_method.rs"]
mod web_method;

use cfg_playground::datasets::Dataset;
use cfg_playground::field::Source;
use cfg_playground::method;
use cfg_playground::method::Needs;
use cfg_playground::mlp::Mlp;
use cfg_playground::model_file::{ModelFile, ModelKind};
use cfg_playground::sample::SampleConfig;
use cfg_playground::sampler::Solver;
use cfg_playground::web::{
    cfg_plus_plus_lambda, cfg_steps_at_equal_calls, sliced_w2, Classifier, Flow, MethodHandle, Model,
    Painter, Tilted, Trainer,
};
use js_result::{err, ok};
use method_cases::{assert_every_method_has_a_case, Case, Opt, CASES};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_method::{cfg, cfg as cfg_handle, method};

wasm_bindgen_test_configure!(run_in_browser);

/// The `Method` handle of a case, made as JavaScript makes it: `new Method(name, {exact, w,
/// ...options})`.
fn case_handle(case: &Case) -> Result<MethodHandle, wasm_bindgen::JsError> {
    let o = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&o, &k.into(), &v).unwrap();
    set("exact", JsValue::from_bool(case.exact));
    set("w", JsValue::from_f64(case.w));
    for (k, v) in case.options {
        set(
            k,
            match *v {
                Opt::Num(x) => JsValue::from_f64(x),
                Opt::Name(t) => JsValue::from_str(t),
            },
        );
    }
    MethodHandle::new(case.name, o.into())
}

fn model() -> Model {
    ok(Model::untrained("overlapping", r#"{"width": 16, "depth": 1}"#, ""))
}

/// The page's run of `m` (a flow of 300 particles of `class`, 12 steps of `solver`, seed 5,
/// advanced with a zero budget: one batch of 256 particles per call) and `sample`'s run of the
/// same method on the same networks (`other`: the classifier or guide network the method needs,
/// on a network); the largest coordinate gap.
fn gap(
    m: &mut MethodHandle,
    model: &mut Model,
    other: Option<&Mlp<f32>>,
    class: &str,
    solver: &str,
    w: f32,
) -> f64 {
    let mut f = ok(Flow::new(model, class, 300.0, 12.0, solver, 5.0, false));
    while !f.done() {
        ok(f.advance_for(m, model, 0.0, None));
    }
    let d = Dataset::by_name("overlapping").unwrap();
    let file = ModelFile::from_json(ok(model.to_json("f32")).as_bytes()).unwrap();
    let source = if m.exact() { Source::Exact } else { Source::Network(&file.model) };
    let other = other.filter(|_| !m.exact());
    let models = match m.method().needs() {
        Needs::Guide => method::Models { classifier: None, guide: other },
        _ => method::Models::classifier(other),
    };
    let label = d.class_label(class).unwrap();
    let solver = Solver::parse(solver).unwrap();
    let cfg = SampleConfig { n: 300, steps: 12, solver, guidance: w, seed: 5, sde_noise: m.sde_noise() };
    let (want, _) = method::generate_with(&d, source, models, &m.method(), label, &cfg).unwrap();
    let got = f.positions().to_vec();
    got.iter().zip(want.iter()).map(|(a, b)| (a - b).abs() as f64).fold(0.0, f64::max)
}

/// The page's run of `h` (300 particles of `class`, 12 steps, seed 5, one batch per call): its
/// end positions.
fn run(h: &mut MethodHandle, model: &mut Model, class: &str, solver: &str) -> Vec<f32> {
    let mut f = ok(Flow::new(model, class, 300.0, 12.0, solver, 5.0, false));
    while !f.done() {
        ok(f.advance_for(h, model, 0.0, None));
    }
    f.positions().to_vec()
}

#[wasm_bindgen_test]
fn every_method_through_the_flow_export_lands_where_sample_does() {
    let mut m = model();
    let teacher = ok(m.to_json("f32"));
    let mut student =
        ok(Model::from_json(&ok(ok(Trainer::distill(&teacher, r#"{"steps": 20}"#)).to_json("f32"))));
    let clf_text = ok(ok(Trainer::classifier("overlapping", r#"{"width": 16, "depth": 1}"#)).to_json("f32"));
    let clf = ok(Classifier::from_json(&clf_text));
    let clf_file = ModelFile::from_json_as(clf_text.as_bytes(), ModelKind::Classifier).unwrap();
    let weak = ok(Model::untrained("overlapping", r#"{"width": 8, "depth": 1, "seed": 4}"#, ""));
    let weak_file = ModelFile::from_json(ok(weak.to_json("f32")).as_bytes()).unwrap();
    let mut report = Vec::new();
    assert_every_method_has_a_case();
    for case in CASES {
        let name = case.label;
        let mut h = ok(case_handle(case));
        if !case.flow() {
            let mut f = ok(Flow::new(&m, "upper-right", 10.0, 4.0, case.solver, 0.0, false));
            assert!(err(f.advance_for(&mut h, &mut m, 1.0, None)).contains("no flow"), "{name}");
            continue;
        }
        // on a network: the other network the method needs, and a student for a student
        let other = match (case.exact, case.needs()) {
            (false, Needs::Classifier) => {
                ok(h.set_classifier(&clf));
                Some(&clf_file.model)
            }
            (false, Needs::Guide) => {
                ok(h.set_guide(&weak));
                Some(&weak_file.model)
            }
            _ => None,
        };
        let velocity = if case.needs() == Needs::Student { &mut student } else { &mut m };
        for class in ["upper-right", "null"] {
            let g = gap(&mut h, velocity, other, class, case.solver, case.w as f32);
            report.push(format!("{name} {class}: max |Δ| {g:.2e}"));
            assert!(g <= 1e-5, "{name} ({class}): max |Δ| {g}");
        }
    }
    // the page's velocity-scale figure reads T·v at T·t: also a method of method.rs
    let mut h = ok(method("velocity-scale", true, &[("temperature", 0.5)]));
    let mut r = ok(MethodHandle::new("velocity-scale", {
        let o = js_sys::Object::new();
        js_sys::Reflect::set(&o, &"exact".into(), &true.into()).unwrap();
        js_sys::Reflect::set(&o, &"temperature".into(), &0.5.into()).unwrap();
        js_sys::Reflect::set(&o, &"clock".into(), &"rescaled".into()).unwrap();
        o.into()
    }));
    let (a, b) = (
        gap(&mut h, &mut m, None, "upper-right", "euler", 1.0),
        gap(&mut r, &mut m, None, "upper-right", "euler", 1.0),
    );
    report.push(format!("velocity-scale sampler / rescaled clocks: max |Δ| {a:.2e} / {b:.2e}"));
    assert!(a <= 1e-5 && b <= 1e-5, "{a} {b}");
    // autoguidance with a network guide: the page's snapshot of a model against `sample`'s
    // --guide, and with the model itself as its guide it is w = 1 for every w
    let mine = ModelFile::from_json(ok(m.to_json("f32")).as_bytes()).unwrap();
    let d = Dataset::by_name("overlapping").unwrap();
    for class in ["upper-right", "null"] {
        let label = d.class_label(class).unwrap();
        let mut h = ok(method("autoguidance", false, &[("w", 3.0)]));
        ok(h.set_guide(&weak));
        let got = run(&mut h, &mut m, class, "euler");
        let cfg =
            SampleConfig { n: 300, steps: 12, solver: Solver::Euler, guidance: 3.0, seed: 5, sde_noise: 1.0 };
        let models = method::Models { classifier: None, guide: Some(&weak_file.model) };
        let want = method::generate_with(&d, Source::Network(&mine.model), models, &h.method(), label, &cfg)
            .unwrap()
            .0;
        let g = got.iter().zip(want.iter()).map(|(a, b)| (a - b).abs() as f64).fold(0.0, f64::max);
        report.push(format!("autoguidance network {class}: max |Δ| {g:.2e}"));
        assert!(g <= 1e-5, "autoguidance ({class}): max |Δ| {g}");
        let mut itself = ok(method("autoguidance", false, &[("w", 3.0)]));
        ok(itself.set_guide(&m));
        let a = run(&mut itself, &mut m, class, "heun");
        let b = run(&mut cfg_handle(1.0, false), &mut m, class, "heun");
        assert_eq!(a, b, "autoguidance by itself ({class})");
    }
    // the identities through the page: [0, 1] is CFG and an empty interval w = 1, η = 1 APG is
    // CFG to rounding, CFG-Zero* with K = steps keeps the start noise, the exact guide widened
    // by 1 is w = 1, all bit for bit but APG
    for exact in [false, true] {
        let cfg3 = run(&mut cfg_handle(3.0, exact), &mut m, "upper-right", "heun");
        let cfg1 = run(&mut cfg_handle(1.0, exact), &mut m, "upper-right", "heun");
        let whole = [("w", 3.0), ("tLo", 0.0), ("tHi", 1.0)];
        assert_eq!(
            run(&mut ok(method("guidance-interval", exact, &whole)), &mut m, "upper-right", "heun"),
            cfg3
        );
        let empty = [("w", 3.0), ("tLo", 0.5), ("tHi", 0.5)];
        assert_eq!(
            run(&mut ok(method("guidance-interval", exact, &empty)), &mut m, "upper-right", "heun"),
            cfg1
        );
        let apg =
            run(&mut ok(method("apg", exact, &[("w", 3.0), ("eta", 1.0)])), &mut m, "upper-right", "heun");
        let g = apg.iter().zip(&cfg3).map(|(a, b)| (a - b).abs() as f64).fold(0.0, f64::max);
        report.push(format!("apg eta 1 vs cfg, exact {exact}: max |Δ| {g:.2e}"));
        assert!(g < 1e-4, "apg η = 1 (exact {exact}): {g}");
        let zero = [("w", 3.0), ("zeroSteps", 12.0)];
        let mut f = ok(Flow::new(&m, "upper-right", 300.0, 12.0, "heun", 5.0, false));
        let start = f.positions().to_vec();
        while !f.done() {
            ok(f.advance_for(&mut ok(method("cfg-zero-star", exact, &zero)), &mut m, 0.0, None));
        }
        assert_eq!(f.positions().to_vec(), start);
    }
    let widen1 = [("w", 3.0), ("guideWiden", 1.0)];
    assert_eq!(
        run(&mut ok(method("autoguidance", true, &widen1)), &mut m, "upper-right", "heun"),
        run(&mut cfg_handle(1.0, true), &mut m, "upper-right", "heun")
    );
    console_log!("{}", report.join("\n"));
    assert_eq!(ok(cfg_steps_at_equal_calls(6.0)), 9.0);
    assert_eq!(ok(cfg_steps_at_equal_calls(7.0)), 11.0);
}

#[wasm_bindgen_test]
fn scaled_noise_and_a_zero_velocity_keep_points_where_they_start() {
    let mut m = model();
    let mut f = ok(Flow::new(&m, "lower-left", 50.0, 4.0, "euler", 2.0, false));
    let unscaled = f.positions().to_vec();
    // a flow that has not moved takes the start noise of the method it follows: τ·x0 for
    // noise-scale (zero steps: nothing moves yet)
    ok(f.advance_for(
        &mut ok(method("noise-scale", false, &[("tau", 0.0)])),
        &mut m,
        f64::INFINITY,
        Some(0.0),
    ));
    assert!(f.positions().to_vec().iter().all(|&v| v == 0.0));
    ok(f.advance_for(
        &mut ok(method("noise-scale", false, &[("tau", 0.5)])),
        &mut m,
        f64::INFINITY,
        Some(0.0),
    ));
    let half: Vec<f32> = unscaled.iter().map(|v| 0.5 * v).collect();
    assert_eq!(f.positions().to_vec(), half);
    // T·v with T = 0 (either clock) moves nothing, from the usual N(0, I) start
    for clock in ["sampler", "rescaled"] {
        let o = js_sys::Object::new();
        js_sys::Reflect::set(&o, &"temperature".into(), &0.0.into()).unwrap();
        js_sys::Reflect::set(&o, &"clock".into(), &clock.into()).unwrap();
        let mut still = ok(MethodHandle::new("velocity-scale", o.into()));
        ok(f.restart(2.0));
        while !f.done() {
            ok(f.advance_for(&mut still, &mut m, 0.0, None));
        }
        assert_eq!(f.positions().to_vec(), unscaled);
    }
}

/// The two grid methods: the page's `Tilted` handle samples the tilted density and the tempered
/// class exactly as `cfg-playground sample --method tilted|tempered` does (the same grid, the
/// same seed stream), so what the temperature figure shows is what `eval` measures.
#[wasm_bindgen_test]
fn the_tilted_and_tempered_samples_are_samples() {
    let m = model();
    let d = Dataset::by_name("overlapping").unwrap();
    let label = d.class_label("upper-right").unwrap();
    let (n, seed, w, temperature) = (400usize, 7u64, 3.0f32, 0.25f64);
    let cfg = SampleConfig { n, steps: 1, solver: Solver::Euler, guidance: w, seed, sde_noise: 1.0 };
    let cases = [
        (ok(Tilted::new(&m, "upper-right", w as f64, 64.0, 3.0)), method::Method::Tilted(method::Tilted)),
        (
            ok(Tilted::tempered(&m, "upper-right", temperature, 64.0, 3.0)),
            method::Method::Tempered(method::Tempered { temperature }),
        ),
    ];
    for (mut handle, how) in cases {
        let page = ok(handle.sample(n as f64, seed as f64)).to_vec();
        let (want, stats) = method::generate(&d, Source::Exact, &how, label, &cfg).unwrap();
        assert_eq!(stats.calls_per_sample, 0);
        let want = want.as_slice().unwrap();
        let gap = page.iter().zip(want).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert_eq!(page.len(), want.len());
        assert!(gap <= 1e-5, "{}: the page's samples are {gap} from sample's", how.name());
    }
}

#[wasm_bindgen_test]
fn the_tilted_density_measures_its_own_samples_near_the_floor() {
    let mut m = model();
    let mut t = ok(Tilted::new(&m, "upper-right", 1.0, 128.0, 3.0));
    assert!(t.border_mass() < 1e-6, "{}", t.border_mass());
    // the heatmap paints the painter's square, and only a painter showing the same square
    let mut p = ok(Painter::new(64.0, 64.0, m.extent()));
    ok(t.paint(&mut p, 1.0));
    assert!(p.coverage() > 0.05 && p.coverage() < 0.9, "{}", p.coverage());
    let mut q = ok(Painter::new(64.0, 64.0, 2.0));
    assert!(err(t.paint(&mut q, 1.0)).contains("square"));
    assert_eq!(ok(t.sample(10.0, 1.0)).length(), 20);
    // at w = 1 the tilted density is the class: the exact conditional flow samples it
    let mut f = ok(Flow::new(&m, "upper-right", 2000.0, 60.0, "euler", 9.0, false));
    while !f.done() {
        ok(f.advance_for(&mut cfg(1.0, true), &mut m, 1000.0, None));
    }
    #[derive(serde::Deserialize)]
    struct D {
        distance: f64,
        floor: f64,
    }
    let d: D = serde_wasm_bindgen::from_value(ok(t.distance_to(&f, 64.0))).unwrap();
    assert!(d.floor > 0.0 && d.distance < 3.0 * d.floor + 0.02, "{} vs floor {}", d.distance, d.floor);
    // at w = 4 the exact CFG samples are far from it
    let mut t4 = ok(Tilted::new(&m, "upper-right", 4.0, 128.0, 3.0));
    let mut g = ok(Flow::new(&m, "upper-right", 2000.0, 60.0, "euler", 9.0, false));
    while !g.done() {
        ok(g.advance_for(&mut cfg(4.0, true), &mut m, 1000.0, None));
    }
    let d4: D = serde_wasm_bindgen::from_value(ok(t4.distance_to(&g, 64.0))).unwrap();
    assert!(d4.distance > 3.0 * d4.floor, "{} vs floor {}", d4.distance, d4.floor);
}

/// The parts a pool worker takes from a `Tilted` (its heatmap's log-density, the reference
/// samples and their floor) give the page what the handle gives: the same pixels through
/// `Painter.logDensity`, and `slicedW2` to the reference is `distanceTo`.
#[wasm_bindgen_test]
fn the_tilted_parts_give_what_the_handle_gives() {
    let mut m = model();
    let mut t = ok(Tilted::tempered(&m, "upper-right", 0.5, 96.0, 3.0));
    let mut a = ok(Painter::new(64.0, 64.0, m.extent()));
    let mut b = ok(Painter::new(64.0, 64.0, m.extent()));
    ok(t.paint(&mut a, 1.0));
    ok(b.log_density(&t.log_density().to_vec(), m.extent(), 1.0));
    assert_eq!(a.coverage(), b.coverage());
    assert!(a.coverage() > 0.01);
    let mut f = ok(Flow::new(&m, "upper-right", 300.0, 20.0, "euler", 4.0, false));
    while !f.done() {
        ok(f.advance_for(&mut cfg(2.0, true), &mut m, 1000.0, None));
    }
    #[derive(serde::Deserialize)]
    struct D {
        distance: f64,
        floor: f64,
    }
    let d: D = serde_wasm_bindgen::from_value(ok(t.distance_to(&f, 64.0))).unwrap();
    let reference = ok(t.reference(300.0)).to_vec();
    assert_eq!(reference.len(), 600);
    let xy = f.positions().to_vec();
    assert_eq!(ok(sliced_w2(&xy, &reference, 64.0, 3.0)), d.distance);
    assert_eq!(ok(t.floor(300.0, 64.0)), d.floor);
    assert!(err(t.reference(0.0)).contains("n"));
    assert!(err(t.floor(300.0, 0.0)).contains("projections"));
}

#[wasm_bindgen_test]
fn noise_scaling_samples_the_tempered_class_and_cfg_does_not() {
    let mut m = model();
    // the classes of `overlapping` are Gaussian: noise x0 ~ N(0, T·I) through the exact
    // conditional flow lands exactly on p(x | c)^(1/T)
    let temperature = 0.25;
    let mut t = ok(Tilted::tempered(&m, "upper-right", temperature, 128.0, 3.0));
    assert!(t.border_mass() < 1e-6, "{}", t.border_mass());
    let mut noise = ok(Flow::new(&m, "upper-right", 2000.0, 60.0, "euler", 9.0, false));
    let mut scaled = ok(method("noise-scale", true, &[("w", 1.0), ("tau", temperature.sqrt())]));
    while !noise.done() {
        ok(noise.advance_for(&mut scaled, &mut m, 1000.0, None));
    }
    #[derive(serde::Deserialize)]
    struct D {
        distance: f64,
        floor: f64,
    }
    let d: D = serde_wasm_bindgen::from_value(ok(t.distance_to(&noise, 64.0))).unwrap();
    assert!(d.floor > 0.0 && d.distance < 3.0 * d.floor + 0.02, "{} vs floor {}", d.distance, d.floor);
    // CFG at w = 1/T is not that temperature
    let mut cfg_flow = ok(Flow::new(&m, "upper-right", 2000.0, 60.0, "euler", 9.0, false));
    while !cfg_flow.done() {
        ok(cfg_flow.advance_for(&mut cfg(1.0 / temperature, true), &mut m, 1000.0, None));
    }
    let c: D = serde_wasm_bindgen::from_value(ok(t.distance_to(&cfg_flow, 64.0))).unwrap();
    assert!(c.distance > 3.0 * c.floor, "{} vs floor {}", c.distance, c.floor);
    // the tempered and the tilted density are different handles' pictures of different things
    let mut p = ok(Painter::new(64.0, 64.0, m.extent()));
    ok(t.paint(&mut p, 1.0));
    let narrow = p.coverage();
    let wide = ok(Tilted::tempered(&m, "upper-right", 4.0, 128.0, 3.0));
    let mut q = ok(Painter::new(64.0, 64.0, m.extent()));
    ok(wide.paint(&mut q, 1.0));
    assert!(q.coverage() > 2.0 * narrow, "{} vs {narrow}", q.coverage());
    // null: the whole data set tempered
    assert_eq!(ok(ok(Tilted::tempered(&m, "null", 1.0, 64.0, 0.0)).sample(5.0, 1.0)).length(), 10);
}

#[wasm_bindgen_test]
fn bad_input_is_an_error() {
    let mut m = model();
    assert!(err(Tilted::new(&m, "null", 2.0, 64.0, 0.0)).contains("null"));
    assert!(err(Tilted::new(&m, "upper-right", f64::NAN, 64.0, 0.0)).contains("w"));
    assert!(err(Tilted::new(&m, "upper-right", 2.0, 3.0, 0.0)).contains("side"));
    assert!(err(Tilted::tempered(&m, "upper-right", 0.0, 64.0, 0.0)).contains("temperature"));
    assert!(err(Tilted::tempered(&m, "upper-right", f64::NAN, 64.0, 0.0)).contains("temperature"));
    assert!(err(Tilted::tempered(&m, "no-such-class", 1.0, 64.0, 0.0)).contains("class"));
    assert!(err(Tilted::tempered(&m, "upper-right", 1.0, 64.0, -1.0)).contains("seed"));
    // CFG++'s λ for a mean strength is the core's
    assert_eq!(
        ok(cfg_plus_plus_lambda(3.0, 40.0)),
        cfg_playground::method::cfg_plus_plus::lambda_for_mean(3.0, 40)
    );
    assert!(err(cfg_plus_plus_lambda(3.0, 0.0)).contains("steps"));
    assert!(err(cfg_plus_plus_lambda(f64::NAN, 40.0)).contains("w"));
    // methods: names, parameters, options
    assert!(err(method("bogus", false, &[])).contains("method must be one of"));
    assert!(err(method("rectified-cfg", false, &[("lambdaMax", -1.0)])).contains("lambdaMax"));
    assert!(err(method("rectified-cfg", false, &[("gamma", f64::INFINITY)])).contains("gamma"));
    assert!(err(method("velocity-scale", false, &[("temperature", 11.0)])).contains("temperature"));
    assert!(err(method("noise-scale", false, &[("tau", -1.0)])).contains("tau"));
    assert!(err(method("cfg", false, &[("w", 1e9)])).contains("w must be between"));
    assert!(err(method("cfg", false, &[("omega", 1.0)])).contains("options"));
    assert!(err(MethodHandle::new("cfg", "nope".into())).contains("options"));
    assert!(err(method("guidance-interval", false, &[("tLo", 0.8), ("tHi", 0.2)]))
        .contains("tLo must not exceed tHi"));
    assert!(err(method("guidance-interval", false, &[("tHi", 1.5)])).contains("tHi"));
    assert!(err(method("apg", false, &[("eta", -1.0)])).contains("eta"));
    assert!(err(method("apg", false, &[("normThreshold", -1.0)])).contains("normThreshold"));
    assert!(err(method("apg", false, &[("momentum", 1.0)])).contains("momentum"));
    assert!(err(method("cfg-zero-star", false, &[("zeroSteps", 1.5)])).contains("zeroSteps"));
    assert!(err(method("autoguidance", true, &[("guideWiden", 0.5)])).contains("guideWiden"));
    // flows: a density has no flow, rectified CFG and students step with Euler, classifier
    // guidance needs a classifier of the same data, a student method a student
    let mut f = ok(Flow::new(&m, "upper-right", 10.0, 4.0, "euler", 0.0, false));
    assert!(err(f.advance_for(&mut ok(method("tilted", true, &[])), &mut m, 1.0, None)).contains("no flow"));
    let mut heun = ok(Flow::new(&m, "upper-right", 10.0, 4.0, "heun", 0.0, false));
    assert!(err(heun.advance_for(&mut ok(method("rectified-cfg", true, &[])), &mut m, 1.0, None))
        .contains("Euler"));
    let mut c = ok(method("classifier", false, &[("w", 2.0)]));
    assert!(err(f.advance_for(&mut c, &mut m, 1.0, None)).contains("setClassifier"));
    assert!(err(cfg(1.0, false).set_classifier(&ok(Classifier::untrained("overlapping", ""))))
        .contains("no classifier"));
    ok(c.set_classifier(&ok(Classifier::untrained("face", r#"{"width": 8, "depth": 1}"#))));
    let mut face = ok(Model::untrained("face", r#"{"width": 8, "depth": 1}"#, ""));
    assert!(err(f.advance_for(&mut c, &mut face, 1.0, None)).contains("other classes"));
    let mut two = ok(Model::untrained("two-moons", r#"{"width": 8, "depth": 1}"#, ""));
    let mut g = ok(Flow::new(&two, "upper-moon", 10.0, 4.0, "euler", 0.0, false));
    assert!(err(g.advance_for(&mut c, &mut two, 1.0, None)).contains("data set"));
    assert!(err(f.advance_for(&mut ok(method("student", false, &[])), &mut m, 1.0, None)).contains("student"));
    // cfg-zero-star's K beyond the run, autoguidance without a guide or with one of other data
    let many = [("zeroSteps", 5.0)];
    assert!(err(f.advance_for(&mut ok(method("cfg-zero-star", false, &many)), &mut m, 1.0, None))
        .contains("zero_steps"));
    let mut ag = ok(method("autoguidance", false, &[("w", 2.0)]));
    assert!(err(f.advance_for(&mut ag, &mut m, 1.0, None)).contains("setGuide"));
    assert!(err(cfg(1.0, false).set_guide(&m)).contains("no guide"));
    ok(ag.set_guide(&face));
    assert!(err(f.advance_for(&mut ag, &mut m, 1.0, None)).contains("data set 'face'"));
    assert!(err(f.advance_for(&mut ok(method("student", true, &[])), &mut m, 1.0, None)).contains("student"));
    // and the flow still works: rectified CFG without a class is the unconditional flow
    let mut null = ok(Flow::new(&m, "null", 10.0, 4.0, "euler", 0.0, false));
    assert_eq!(
        ok(null.advance_for(&mut ok(method("rectified-cfg", true, &[])), &mut m, f64::INFINITY, None)),
        4.0
    );
    assert_eq!(ok(f.advance_for(&mut cfg(2.0, false), &mut m, f64::INFINITY, None)), 4.0);
    assert!(err(sliced_w2(&[0.0, 1.0, 2.0], &[0.0, 1.0], 8.0, 0.0)).contains("a must"));
    assert!(err(sliced_w2(&[0.0, 1.0], &[f32::NAN, 1.0], 8.0, 0.0)).contains("not finite"));
    assert!(err(cfg_steps_at_equal_calls(0.0)).contains("steps"));
    // one point each: the mean of (u·d)² over evenly spaced directions is |d|²/2
    assert!((ok(sliced_w2(&[0.0, 0.0], &[3.0, 4.0], 16.0, 0.0)) - 5.0 / 2f64.sqrt()).abs() < 1e-6);
}
