//! Browser tests (`wasm-pack test --headless --chrome crate`): the core computes in Chromium what
//! it computes natively, and the exported API trains, samples, renders and rejects bad input.
#![cfg(target_arch = "wasm32")]

#[path = "common/reference.rs"]
mod reference;

use cfg_playground::web::{Flow, Model, Painter, Trainer};
use reference::{assert_matches, compute, samples_from_model_file, Reference};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
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

fn ok<T>(r: Result<T, wasm_bindgen::JsError>) -> T {
    r.map_err(JsValue::from).unwrap()
}

fn err<T>(r: Result<T, wasm_bindgen::JsError>) -> String {
    let v: JsValue = r.err().map(JsValue::from).expect("an error");
    js_sys::Error::from(v).message().into()
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
        ok(flow.advance(&mut model, 3.0, false, 6.0));
    }
    assert_eq!(flow.step(), 20.0);
    let pts = flow.positions().to_vec();
    assert_eq!(pts.len(), 1000);
    assert!(pts.iter().all(|v| v.is_finite()));
    let m = ok(model.metrics(&flow));
    let hit = js_sys::Reflect::get(&m, &"hitRate".into()).unwrap().as_f64().unwrap();
    assert!((0.0..=1.0).contains(&hit));
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
    ok(fa.advance(&mut a, 2.0, false, 8.0));
    ok(fb.advance(&mut b, 2.0, false, 8.0));
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
    assert!(err(flow.advance(&mut model, f64::INFINITY, false, 1.0)).contains("w must be a finite number"));
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
    assert_eq!(ok(flow.advance(&mut model, 1.0, false, 10.0)), 10.0);
    assert!(tr.train(1.0).is_ok());
}
