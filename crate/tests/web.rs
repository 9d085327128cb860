//! Browser tests (`wasm-pack test --headless --chrome crate`): the core computes in Chromium what
//! it computes natively, and the exported API trains, samples, renders and rejects bad input.
#![cfg(target_arch = "wasm32")]

#[path = "common/js_result.rs"]
mod js_result;

#[path = "common/reference.rs"]
mod reference;

#[path = "common/web_method.rs"]
mod web_method;

use cfg_playground::web::{Flow, Model, Painter, Trainer};
use js_result::{err, ok};
use reference::{assert_matches, compute, samples_from_model_file, Reference};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_method::{cfg, method};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn stored() -> Reference {
    serde_json::from_str(include_str!("fixtures/reference.json")).unwrap()
}

#[wasm_bindgen_test]
fn train_steps_sampling_and_data_match_native_results() {
    assert_matches(&compute(), &stored(), 1e-4);
}

#[wasm_bindgen_test]
fn a_model_file_written_natively_samples_the_same_in_the_browser() {
    let want = stored();
    let got = samples_from_model_file(&want.model);
    for (a, b) in got.iter().zip(&want.samples_cfg) {
        assert!((a - b).abs() < 1e-4 * (1.0 + b.abs()), "{a} vs {b}");
    }
}

fn canvas(w: u32, h: u32) -> (HtmlCanvasElement, CanvasRenderingContext2d) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    doc.body().unwrap().append_child(&c).unwrap();
    let ctx = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    (c, ctx)
}

#[wasm_bindgen_test]
fn train_then_sample_and_render_into_a_canvas() {
    cfg_playground::web::init_panic_hook();
    let opts = r#"{"width": 32, "depth": 2, "seed": 3, "steps": 300}"#;
    let mut tr = ok(Trainer::new("face", opts, ""));
    let first = ok(tr.train(20.0));
    let later = ok(tr.train(200.0));
    assert!(later < first, "loss {first} -> {later}");
    assert_eq!(tr.steps_done(), 220.0);
    // the page's model receives the worker's weights
    let mut model = ok(Model::untrained("face", opts, ""));
    assert_eq!(model.class_names(), vec!["left-eye", "right-eye", "mouth"]);
    ok(model.set_params(&tr.params().to_vec(), 220.0));
    let mut flow = ok(Flow::new(&model, "mouth", 500.0, 20.0, "euler", 1.0, true));
    while !flow.done() {
        ok(flow.advance_for(&mut cfg(3.0, false), &mut model, f64::INFINITY, Some(6.0)));
    }
    assert_eq!(flow.step(), 20.0);
    let pts = flow.positions().to_vec();
    assert_eq!(pts.len(), 1000);
    assert!(pts.iter().all(|v| v.is_finite()));
    let m = ok(model.metrics(&flow));
    let hit = js_sys::Reflect::get(&m, &"hitRate".into()).unwrap().as_f64().unwrap();
    assert!((0.0..=1.0).contains(&hit));
    let w2 = js_sys::Reflect::get(&m, &"slicedW2".into()).unwrap().as_f64().unwrap();
    assert!(w2.is_finite() && w2 > 0.0, "sliced W2 {w2}");
    // the noise of each number: a bootstrap of the same samples, the same again for the same seed
    let b = ok(model.bands("mouth", &pts, 20.0, 1.0));
    for key in ["hitRate", "diversity", "offSupport", "slicedW2"] {
        let sd = js_sys::Reflect::get(&b, &key.into()).unwrap().as_f64().unwrap();
        assert!(sd.is_finite() && sd >= 0.0, "{key} band {sd}");
    }
    let again = ok(model.bands("mouth", &pts, 20.0, 1.0));
    let sd = |v: &JsValue| js_sys::Reflect::get(v, &"slicedW2".into()).unwrap().as_f64().unwrap();
    assert_eq!(sd(&b), sd(&again));
    assert!(sd(&b) > 0.0);
    assert!(model.bands("mouth", &pts[..3], 20.0, 1.0).is_err(), "odd or too few numbers");
    assert!(model.bands("mouth", &pts, 1.0, 1.0).is_err(), "at least two resamples");
    assert!(model.bands("nose", &pts, 20.0, 1.0).is_err(), "no such class");
    let (c, ctx) = canvas(120, 90);
    let mut painter = ok(Painter::new(120.0, 90.0, model.extent()));
    ok(painter.data(&model, 0.2, 1.5));
    ok(painter.trails(&flow, 20.0, 5.0, 2.0, 0.8, 1.5));
    ok(painter.put(&ctx));
    let px = ctx.get_image_data(0.0, 0.0, 120.0, 90.0).unwrap().data();
    let painted = px.chunks(4).filter(|p| p[3] > 0).count();
    assert!(painted > 200, "only {painted} painted pixels");
    let arrows = ok(painter.arrows(&mut model, 0.5, "mouth", 3.0, false, "cfg", 10.0, 12.0, 0.0));
    assert_eq!(arrows.length() % 4, 0);
    assert!(arrows.length() > 100);
    c.remove();
}

#[wasm_bindgen_test]
fn a_model_file_round_trips_in_the_browser() {
    let mut tr = ok(Trainer::new("two-moons", r#"{"width": 16, "depth": 2}"#, ""));
    ok(tr.train(10.0));
    let text = ok(tr.to_json("f32"));
    let mut a = ok(Model::from_json(&text));
    let mut b = ok(Model::from_json(&ok(a.to_json("f32"))));
    assert_eq!(a.params().to_vec(), tr.params().to_vec());
    assert_eq!(b.params().to_vec(), tr.params().to_vec());
    let mut fa = ok(Flow::new(&a, "upper-moon", 64.0, 8.0, "heun", 5.0, false));
    let mut fb = ok(Flow::new(&b, "upper-moon", 64.0, 8.0, "heun", 5.0, false));
    ok(fa.advance_for(&mut cfg(2.0, false), &mut a, f64::INFINITY, Some(8.0)));
    ok(fb.advance_for(&mut cfg(2.0, false), &mut b, f64::INFINITY, Some(8.0)));
    assert_eq!(fa.positions().to_vec(), fb.positions().to_vec());
}

#[wasm_bindgen_test]
fn bad_input_is_a_js_error_and_the_handles_keep_working() {
    assert!(err(Trainer::new("nope", "", "")).contains("unknown data set 'nope'"));
    assert!(err(Trainer::new("face", r#"{"width": -3}"#, "")).contains("options"));
    assert!(err(Trainer::new("face", r#"{"widht": 3}"#, "")).contains("widht"));
    assert!(err(Trainer::new("x", "", r#"{"classes": []}"#)).contains("1 to 8 classes"));
    assert!(err(Trainer::new("x", "", r#"{"classes": [{"name": "a", "points": [[0, 0]]}]}"#))
        .contains("at least 3"));
    let mut model = ok(Model::untrained("face", "", ""));
    assert!(err(Flow::new(&model, "mouth", f64::NAN, 10.0, "euler", 0.0, false))
        .contains("n must be a finite number"));
    assert!(err(Flow::new(&model, "mouth", -1.0, 10.0, "euler", 0.0, false)).contains("n must be between"));
    assert!(err(Flow::new(&model, "mouth", 1e8, 10.0, "euler", 0.0, false)).contains("n must be between"));
    assert!(err(Flow::new(&model, "mouth", 10.0, 1e9, "euler", 0.0, false)).contains("steps must be between"));
    assert!(err(Flow::new(&model, "mouth", 2.5, 10.0, "euler", 0.0, false)).contains("whole number"));
    assert!(err(Flow::new(&model, "nose", 10.0, 10.0, "euler", 0.0, false)).contains("unknown class 'nose'"));
    assert!(err(Flow::new(&model, "mouth", 10.0, 10.0, "rk4", 0.0, false)).contains("solver"));
    let mut flow = ok(Flow::new(&model, "mouth", 10.0, 10.0, "euler", 0.0, false));
    assert!(err(method("cfg", false, &[("w", f64::INFINITY)])).contains("w must be a finite number"));
    assert!(err(flow.frame(0.0)).contains("does not record"));
    assert!(err(model.set_params(&[1.0, 2.0], 0.0)).contains("expected"));
    let mut bad = model.params().to_vec();
    bad[3] = f32::NAN;
    assert!(err(model.set_params(&bad, 0.0)).contains("weight 3 is not finite"));
    assert!(
        err(Model::from_json("{\"format\": \"cfg-playground-model\", \"version\": 7}")).contains("version 7")
    );
    assert!(err(Model::from_json("")).contains("empty"));
    assert!(err(Painter::new(0.0, 10.0, 3.0)).contains("width"));
    let mut tr = ok(Trainer::new("face", r#"{"width": 8, "depth": 1}"#, ""));
    assert!(tr.train(0.0).is_err());
    assert!(tr.train(f64::INFINITY).is_err());
    // still fine afterwards
    assert_eq!(ok(flow.advance_for(&mut cfg(1.0, false), &mut model, f64::INFINITY, Some(10.0))), 10.0);
    assert!(tr.train(1.0).is_ok());
}

/// The call failed with a JS `Error` whose message contains `want`.
#[track_caller]
fn rejects<T>(r: Result<T, wasm_bindgen::JsError>, want: &str) {
    let msg = err(r);
    assert!(msg.contains(want), "expected an error containing '{want}', got '{msg}'");
}

/// Not finite, or far outside every range (−1, out of range for counts, is tried where it is).
const BAD_NUMBERS: [f64; 5] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300];

#[wasm_bindgen_test]
fn every_export_rejects_bad_values_and_the_page_keeps_working() {
    use cfg_playground::web::{bench_w1, datasets, limits};
    cfg_playground::web::init_panic_hook();
    assert!(ok(datasets()).is_object());
    assert!(ok(limits()).is_object());
    rejects(bench_w1(0.0), "windows must be between");
    rejects(bench_w1(f64::NAN), "windows must be a finite number");

    // data sets, options and drawn data
    for name in ["nope", "", "FACE", "face\0"] {
        rejects(Trainer::new(name, "", ""), "unknown data set");
        rejects(Model::untrained(name, "", ""), "unknown data set");
    }
    rejects(Trainer::new("face", r#"{"steps": 0}"#, ""), "steps must be between");
    rejects(Trainer::new("face", r#"{"steps": 1000000000}"#, ""), "steps must be between");
    rejects(Trainer::new("face", r#"{"lr": 11}"#, ""), "lr must be between");
    rejects(Trainer::new("face", r#"{"width": 100000}"#, ""), "width must be between");
    rejects(Trainer::new("face", r#"{"batch": 100000000}"#, ""), "batch must be between");
    rejects(Trainer::new("face", "{\"width\": 1e400}", ""), "options");
    rejects(Trainer::new("face", "[", ""), "options");
    rejects(Trainer::new("x", "", "{"), "drawn data");
    rejects(Trainer::new("x", "", r#"{"classes": []}"#), "1 to 8 classes");
    rejects(Trainer::new("x", "", r#"{"classes": [{"name": "a", "points": []}]}"#), "at least 3");
    rejects(Trainer::new("x", "", r#"{"classes": [{"name": "a", "points": [[0, 0]]}]}"#), "at least 3");
    let many = format!(r#"{{"classes": [{{"name": "a", "points": [{}]}}]}}"#, vec!["[0,0]"; 4001].join(","));
    rejects(Trainer::new("x", "", &many), "4000");

    // training
    let mut tr = ok(Trainer::new("face", r#"{"width": 8, "depth": 1, "steps": 100}"#, ""));
    for s in [0.0, -1.0, 1e9, 2.5].into_iter().chain(BAD_NUMBERS) {
        assert!(tr.train(s).is_err(), "train({s})");
    }
    rejects(tr.to_json("f64"), "dtype must be f32 or f16");

    // model files: malformed, truncated, oversized, wrong version, flipped bytes
    let good = ok(tr.to_json("f32"));
    rejects(Model::from_json(""), "empty");
    rejects(Model::from_json("{"), "truncated");
    rejects(Model::from_json("nonsense"), "not valid JSON");
    rejects(Model::from_json(&good[..good.len() / 2]), "truncated");
    rejects(Model::from_json(&good.replace("\"version\":1", "\"version\":2")), "version 2");
    rejects(Model::from_json(&good.replace("\"width\":8", "\"width\":4")), "tensor");
    rejects(Model::from_json(&good.replace("\"width\":8", "\"width\":100000000")), "width must be between");
    rejects(Model::from_json(&" ".repeat(33 << 20)), "limit");
    for k in (0..good.len()).step_by(97) {
        let mut b = good.clone().into_bytes();
        b[k] ^= 0x5a;
        if let Ok(text) = String::from_utf8(b) {
            let _ = Model::from_json(&text); // an error or a model, never a panic
        }
    }

    // a model and its queries
    let mut model = ok(Model::from_json(&good));
    rejects(model.set_params(&[1.0, 2.0], 0.0), "expected");
    let p = model.params().to_vec();
    for s in [-1.0, 2.5].into_iter().chain(BAD_NUMBERS) {
        assert!(model.set_params(&p, s).is_err(), "stepsDone {s}");
    }
    rejects(model.to_json("bf16"), "dtype");
    rejects(model.velocities(&[0.0, 0.0, 1.0], 0.5, "mouth", 1.0, false), "pairs");
    rejects(model.velocities(&[f32::NAN, 0.0], 0.5, "mouth", 1.0, false), "xy[0] is not finite");
    rejects(model.velocities(&vec![0.0; 20_002], 0.5, "mouth", 1.0, false), "at most 10000");
    rejects(model.velocities(&[0.0, 0.0], 0.5, "nose", 1.0, false), "unknown class 'nose'");
    for bad in BAD_NUMBERS {
        rejects(model.velocities(&[0.0, 0.0], 0.5, "mouth", bad, false), "w must be");
        rejects(model.velocities(&[0.0, 0.0], bad, "mouth", 1.0, false), "t must be");
    }
    rejects(model.velocities(&[0.0, 0.0], 0.5, "mouth", 1e9, false), "w must be between -100 and 100");
    // inside the network (the forward-pass figure)
    rejects(model.forward_pass(0.0, 0.0, 0.5, "nose", 1.0), "unknown class 'nose'");
    rejects(model.unit_map(1.0, 0.0, 0.5, "nose", 8.0), "unknown class 'nose'");
    rejects(model.unit_map(99.0, 0.0, 0.5, "mouth", 8.0), "layer must be below");
    rejects(model.unit_map(1.0, 1e5, 0.5, "mouth", 8.0), "units, got unit");
    rejects(model.unit_map(1.0, 0.0, 0.5, "mouth", 65.0), "n must be between");
    rejects(model.unit_weights(99.0, 0.0), "layer must be below");
    rejects(model.unit_weights(1.0, 1e5), "units, got unit");
    for bad in BAD_NUMBERS {
        rejects(model.forward_pass(bad, 0.0, 0.5, "mouth", 1.0), "x must be");
        rejects(model.forward_pass(0.0, bad, 0.5, "mouth", 1.0), "y must be");
        rejects(model.forward_pass(0.0, 0.0, bad, "mouth", 1.0), "t must be");
        rejects(model.forward_pass(0.0, 0.0, 0.5, "mouth", bad), "w must be");
        rejects(model.unit_map(bad, 0.0, 0.5, "mouth", 8.0), "layer must be");
        rejects(model.unit_map(1.0, bad, 0.5, "mouth", 8.0), "unit must be");
        rejects(model.unit_map(1.0, 0.0, bad, "mouth", 8.0), "t must be");
        rejects(model.unit_map(1.0, 0.0, 0.5, "mouth", bad), "n must be");
        rejects(model.unit_weights(bad, 0.0), "layer must be");
        rejects(model.unit_weights(1.0, bad), "unit must be");
    }

    // flows: particle counts, steps, seeds, solvers, classes
    for n in [0.0, -1.0, 1e8, 2.5].into_iter().chain(BAD_NUMBERS) {
        assert!(Flow::new(&model, "mouth", n, 10.0, "euler", 0.0, false).is_err(), "n = {n}");
    }
    for s in [0.0, -1.0, 1e9].into_iter().chain(BAD_NUMBERS) {
        rejects(Flow::new(&model, "mouth", 10.0, s, "euler", 0.0, false), "steps must be");
    }
    rejects(Flow::new(&model, "mouth", 10.0, 10.0, "euler", -1.0, false), "seed must be between");
    rejects(Flow::new(&model, "mouth", 10.0, 10.0, "", 0.0, false), "solver");
    rejects(Flow::new(&model, "", 10.0, 10.0, "euler", 0.0, false), "unknown class");
    rejects(
        Flow::new(&model, "mouth", 100_000.0, 1000.0, "euler", 0.0, true),
        "more than the 2000000 allowed",
    );
    let mut flow = ok(Flow::new(&model, "mouth", 50.0, 10.0, "heun", 1.0, true));
    for bad in BAD_NUMBERS {
        rejects(method("cfg", false, &[("w", bad)]), "w must be");
        rejects(
            flow.advance_for(&mut cfg(1.0, false), &mut model, f64::INFINITY, Some(bad)),
            "steps must be",
        );
        if bad != f64::INFINITY {
            // Infinity is no time limit
            rejects(flow.advance_for(&mut cfg(1.0, false), &mut model, bad, None), "budgetMs must be");
        }
        rejects(flow.restart(bad), "seed must be");
        rejects(flow.time_at(bad), "k must be");
        rejects(flow.frame(bad), "frame must be");
        rejects(flow.start_from(&[0.0; 100], bad), "t0 must be");
    }
    for bad in [-1.0, 2.5] {
        rejects(
            flow.advance_for(&mut cfg(1.0, false), &mut model, f64::INFINITY, Some(bad)),
            "steps must be",
        );
        rejects(flow.restart(bad), "seed must be");
        rejects(flow.time_at(bad), "k must be");
        rejects(flow.frame(bad), "frame must be");
        rejects(flow.start_from(&[0.0; 100], bad), "t0 must be");
    }
    rejects(flow.advance_for(&mut cfg(1.0, false), &mut model, -1.0, None), "budgetMs must be");
    rejects(flow.start_from(&[0.0; 7], 0.0), "expected 50 x, y pairs");
    rejects(flow.start_from(&[f32::INFINITY; 100], 0.0), "finite");
    let other = ok(Flow::new(&model, "mouth", 49.0, 10.0, "euler", 1.0, false));
    rejects(flow.mean_distance(&other), "different numbers");
    let mut moons = ok(Model::untrained("two-moons", r#"{"width": 8, "depth": 1}"#, ""));
    rejects(flow.advance_for(&mut cfg(1.0, false), &mut moons, f64::INFINITY, Some(1.0)), "other classes");
    rejects(moons.metrics(&flow), "other classes");
    rejects(moons.hit_rate(&flow), "other classes");

    // painters: sizes, views, colours, grids
    for bad in [0.0, -1.0, 1e9, 2.5].into_iter().chain(BAD_NUMBERS) {
        assert!(Painter::new(bad, 10.0, 3.0).is_err(), "width {bad}");
        assert!(Painter::new(10.0, bad, 3.0).is_err(), "height {bad}");
    }
    rejects(Painter::new(10.0, 10.0, 0.0), "extent must be between");
    let mut painter = ok(Painter::new(60.0, 40.0, 3.0));
    for bad in BAD_NUMBERS {
        assert!(painter.resize(bad, 10.0).is_err());
        assert!(painter.square(bad).is_err());
        assert!(painter.set_view(bad, 1.0, 0.0, 1.0).is_err());
        assert!(painter.data(&model, bad, 1.0).is_err());
        assert!(painter.data(&model, 0.5, bad).is_err());
        rejects(painter.points(&[0.0, 0.0], bad, 0.5, 1.0), "color must be");
        rejects(painter.particles(&flow, 1e9, 0.0, 0.5, 1.0), "frame must be");
        rejects(painter.trails(&flow, 0.0, bad, 0.0, 0.5, 1.0), "length must be");
        rejects(painter.density(&flow, -1.0, bad, 1.0, 0.0), "bins must be");
        rejects(painter.density(&flow, -1.0, 10.0, bad, 0.0), "blur must be");
        rejects(painter.projection(&flow, bad, 0.0, -3.0, 3.0, 10.0, 0.0, 0.0), "ux must be");
        rejects(painter.path_strip(&flow, 1.0, bad, -3.0, 3.0, 10.0, 0.0, 0.0), "uy must be");
        rejects(painter.path_strip(&flow, 1.0, 1.0, -3.0, 3.0, 10.0, bad, 0.0), "blur must be");
        rejects(painter.arrows(&mut model, bad, "mouth", 1.0, false, "cfg", 5.0, 10.0, 0.0), "t must be");
        rejects(painter.arrows(&mut model, 0.5, "mouth", bad, false, "cfg", 5.0, 10.0, 0.0), "w must be");
        rejects(painter.arrows(&mut model, 0.5, "mouth", 1.0, false, "cfg", bad, 10.0, 0.0), "nx must be");
        rejects(painter.vectors(&[0.0, 0.0], &[1.0, 0.0], bad, 0.0), "maxLen must be");
        rejects(painter.path(&flow, bad, 0.0), "particle must be");
        rejects(painter.to_pixel(bad, 0.0), "x must be");
        rejects(painter.to_data(0.0, bad), "py must be");
    }
    rejects(painter.set_view(1.0, 0.0, 0.0, 1.0), "x0 < x1");
    rejects(painter.points(&[0.0], 0.0, 0.5, 1.0), "pairs");
    rejects(painter.trails(&other, 0.0, 1.0, 0.0, 0.5, 1.0), "does not record");
    rejects(painter.trails(&flow, 1e9, 1.0, 0.0, 0.5, 1.0), "frame must be");
    rejects(painter.points(&[0.0, 0.0], -2.0, 0.5, 1.0), "color must be");
    rejects(painter.points(&[0.0, 0.0], 8.0, 0.5, 1.0), "color must be");
    rejects(painter.data(&model, 1.5, 1.0), "alpha must be");
    rejects(painter.density(&flow, -1.0, 1.0, 1.0, 0.0), "bins must be");
    rejects(painter.path(&flow, 50.0, 0.0), "particle must be");
    rejects(painter.projection(&flow, 0.0, 0.0, -3.0, 3.0, 10.0, 0.0, 0.0), "must not be zero");
    rejects(painter.projection(&flow, 1.0, 0.0, 3.0, -3.0, 10.0, 0.0, 0.0), "lo must be below hi");
    rejects(painter.projection(&flow, 1.0, 0.0, -3.0, 3.0, 1e9, 0.0, 0.0), "bins must be");
    rejects(painter.path_strip(&flow, 0.0, 0.0, -3.0, 3.0, 10.0, 0.0, 0.0), "must not be zero");
    rejects(painter.path_strip(&flow, 1.0, 0.0, 3.0, -3.0, 10.0, 0.0, 0.0), "lo must be below hi");
    rejects(painter.path_strip(&flow, 1.0, 0.0, -3.0, 3.0, 1e9, 0.0, 0.0), "bins must be");
    rejects(painter.path_strip(&flow, 1.0, 0.0, -3.0, 3.0, 10.0, 0.0, 9.0), "color must be");
    rejects(painter.path_strip(&other, 1.0, 1.0, -3.0, 3.0, 10.0, 0.0, 0.0), "does not record");
    rejects(painter.arrows(&mut model, 0.5, "mouth", 1.0, false, "z", 5.0, 10.0, 0.0), "which must be");
    rejects(painter.arrows(&mut model, 0.5, "nose", 1.0, false, "cfg", 5.0, 10.0, 0.0), "unknown class");
    rejects(painter.vectors(&[0.0, 0.0], &[1.0], 10.0, 0.0), "same number");
    rejects(painter.path(&flow, 0.0, 1e9), "frame must be");

    // every handle still works
    assert_eq!(ok(flow.advance_for(&mut cfg(2.0, false), &mut model, f64::INFINITY, Some(10.0))), 10.0);
    assert!(flow.positions().to_vec().iter().all(|v| v.is_finite()));
    assert!(ok(model.hit_rate(&flow)).as_f64().is_some());
    ok(painter.particles(&flow, -1.0, 1.0, 0.8, 1.5));
    ok(painter.density(&flow, 10.0, 16.0, 1.0, 0.0));
    assert!(painter.coverage() > 0.0);
    assert_eq!(ok(model.velocities(&[0.0, 0.0], 0.5, "mouth", 3.0, false)).length(), 6);
    assert!(ok(tr.train(2.0)).is_finite());
    assert_eq!(ok(painter.to_pixel(0.0, 0.0)), vec![30.0, 20.0]);
}

#[wasm_bindgen_test]
fn one_trainer_handle_trains_a_classifier_a_reflow_round_and_a_student() {
    use cfg_playground::web::Classifier;
    let opts = r#"{"width": 8, "depth": 1, "steps": 4, "batch": 32}"#;
    let mut flow = ok(Trainer::new("face", opts, ""));
    ok(flow.train(4.0));
    let teacher = ok(flow.to_json("f32"));
    let mut trainers = [
        ok(Trainer::classifier("face", opts)),
        ok(Trainer::reflow(&teacher, opts)),
        ok(Trainer::distill(&teacher, opts)),
    ];
    let mut kinds = Vec::new();
    for tr in trainers.iter_mut() {
        assert_eq!((tr.steps_done(), tr.total_steps()), (0.0, 4.0));
        assert!(ok(tr.train(4.0)).is_finite());
        rejects(tr.train(10_001.0), "steps must be between");
        let file: serde_json::Value = serde_json::from_str(&ok(tr.to_json("f16"))).unwrap();
        assert_eq!(file["steps_done"], 4);
        kinds.push(file["kind"].as_str().unwrap_or("velocity").to_string());
    }
    assert_eq!(kinds, ["classifier", "velocity", "velocity"]);
    // the classifier's weights go to a Classifier, the student is a student Model
    let mut clf = ok(Classifier::untrained("face", opts));
    ok(clf.set_params(&trainers[0].params().to_vec()));
    let student = ok(trainers[2].to_json("f32"));
    assert!(ok(Model::from_json(&student)).is_student());
    rejects(Trainer::distill(&student, opts), "teacher must be a velocity model");
    rejects(Trainer::reflow(&student, opts), "teacher must be a velocity model");
    rejects(Trainer::reflow("{", opts), "model file");
    rejects(Trainer::classifier("nope", opts), "unknown data set");
}

#[wasm_bindgen_test]
fn training_with_a_huge_learning_rate_is_reported_as_divergence() {
    let mut tr = ok(Trainer::new("face", r#"{"width": 16, "depth": 2, "lr": 10, "seed": 1}"#, ""));
    let mut msg = None;
    for _ in 0..200 {
        if let Err(e) = tr.train(10.0) {
            msg = Some(js_sys::Error::from(JsValue::from(e)).message().as_string().unwrap());
            break;
        }
    }
    let msg = msg.expect("lr 10 diverges within 2000 steps");
    assert!(msg.contains("diverged"), "{msg}");
    assert!(msg.contains("lower the learning rate"), "{msg}");
}

#[wasm_bindgen_test]
fn points_files_parse_and_write_as_natively_and_bad_ones_name_the_line() {
    use cfg_playground::web::{parse_points, points_csv};
    let text = "x,y,label\n0.5,1,a\n-1,0.25,b\n0,0,a\n1,1,b\n2,2,a\n3,3,b\n";
    let drawn: serde_json::Value = serde_json::from_str(&ok(parse_points(text))).unwrap();
    assert_eq!(drawn["total"], 6);
    assert_eq!(drawn["std"], cfg_playground::points_csv::DRAWN_STD);
    assert_eq!(drawn["classes"][0]["name"], "a");
    // (the browser writes 1.0 as 1: compared as numbers)
    let first: Vec<f64> =
        drawn["classes"][0]["points"][0].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(first, [0.5, 1.0]);
    // what pointsCsv writes parses back to the same points (pointsCsv takes drawn data: no total)
    let mut back = drawn.clone();
    back.as_object_mut().unwrap().remove("total");
    let again: serde_json::Value =
        serde_json::from_str(&ok(parse_points(&ok(points_csv(&back.to_string()))))).unwrap();
    assert_eq!(again["classes"], drawn["classes"]);
    // above the drawing's cap: a seeded subsample of each class
    let big: String =
        (0..5000).map(|i| format!("{},{},{}\n", (i % 100) as f64 / 50.0, 0.5, ["a", "b"][i % 2])).collect();
    let capped: serde_json::Value =
        serde_json::from_str(&ok(parse_points(&format!("x,y,label\n{big}")))).unwrap();
    assert_eq!(capped["total"], 5000);
    let kept: usize =
        capped["classes"].as_array().unwrap().iter().map(|c| c["points"].as_array().unwrap().len()).sum();
    assert_eq!(kept, cfg_playground::caps::MAX_DRAWN_POINTS);
    rejects(parse_points(""), "line 1: the file is empty");
    rejects(parse_points("x,y,label\n0,0,a\nNaN,0,b\n"), "line 3: x is not finite");
    rejects(parse_points("x,y,label\n0,0,a\n0,0,a\n0,0,a\n"), "every point is class 'a'");
    rejects(points_csv("{"), "drawn data");
    rejects(points_csv(r#"{"classes": []}"#), "1 to 8 classes");
}

#[wasm_bindgen_test]
fn the_forward_pass_ends_in_the_models_velocities() {
    let mut model = ok(Model::from_json(include_str!("../../www/models/face.json")));
    let sizes = model.layer_sizes();
    assert_eq!(sizes, [19, 64, 64, 64, 2]);
    assert_eq!(model.input_labels().len(), 19);
    let per_row: usize = sizes.iter().map(|&n| n as usize).sum();
    let (x, y, t, w) = (0.4, -1.1, 0.35, 2.5);
    let got = ok(model.forward_pass(x, y, t, "mouth", w)).to_vec();
    assert_eq!(got.len(), 2 * per_row + 2);
    let want = ok(model.velocities(&[x as f32, y as f32], t, "mouth", w, false)).to_vec();
    // v_c ends the class row, v_u the null row, and v the whole
    let pairs = [(per_row - 2, 2), (2 * per_row - 2, 0), (2 * per_row, 4)];
    for (at, slot) in pairs {
        for j in 0..2 {
            let (a, b) = (got[at + j], want[slot + j]);
            assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }
    // a hidden unit over the plane: 16 × 16 values, finite
    assert_eq!(ok(model.unit_weights(2.0, 7.0)).length(), 64);
    assert_eq!(ok(model.unit_weights(0.0, 3.0)).length(), 64);
    let map = ok(model.unit_map(2.0, 7.0, t, "null", 16.0)).to_vec();
    assert_eq!(map.len(), 256);
    assert!(map.iter().all(|v| v.is_finite()));
}
