//! Browser tests (`wasm-pack test --headless --chrome crate`): the core computes in Chromium what
//! it computes natively, and the exported API trains, samples, renders and rejects bad input.
#![cfg(target_arch = "wasm32")]

#[path = "common/reference.rs"]
mod reference;

use cfg_playground::web::Playground;
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

#[wasm_bindgen_test]
fn a_model_file_round_trips_in_the_browser() {
    let mut pg = Playground::new("two-moons", JsValue::UNDEFINED).map_err(JsValue::from).unwrap();
    pg.train(10.0).map_err(JsValue::from).unwrap();
    let text = pg.save_model("f32").map_err(JsValue::from).unwrap();
    let mut back = Playground::from_model(&text).map_err(JsValue::from).unwrap();
    let tensors = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap()["tensors"].clone();
    assert_eq!(tensors(&back.save_model("f32").map_err(JsValue::from).unwrap()), tensors(&text));
    // the reloaded network samples exactly what the original does
    pg.sample("upper-moon", 2.0, 8.0, "heun", 64.0, 5.0, false).map_err(JsValue::from).unwrap();
    back.sample("upper-moon", 2.0, 8.0, "heun", 64.0, 5.0, false).map_err(JsValue::from).unwrap();
    assert_eq!(pg.points().to_vec(), back.points().to_vec());
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
fn the_exported_api_trains_samples_and_renders_into_a_canvas() {
    cfg_playground::web::init_panic_hook();
    let opts = js_sys::JSON::parse(r#"{"width": 32, "depth": 2, "seed": 3}"#).unwrap();
    let mut pg = Playground::new("face", opts).map_err(JsValue::from).unwrap();
    assert_eq!(pg.class_names(), vec!["left-eye", "right-eye", "mouth"]);
    let first = pg.train(20.0).map_err(JsValue::from).unwrap();
    let later = pg.train(200.0).map_err(JsValue::from).unwrap();
    assert!(later < first, "loss {first} -> {later}");
    assert_eq!(pg.steps_done(), 220.0);
    pg.sample("mouth", 3.0, 20.0, "euler", 500.0, 1.0, false).map_err(JsValue::from).unwrap();
    let pts = pg.points();
    assert_eq!(pts.length(), 1000);
    assert!(pts.to_vec().iter().all(|v| v.is_finite()));
    let (c, ctx) = canvas(120, 90);
    pg.render(&ctx, 120.0, 90.0, 1.5).map_err(JsValue::from).unwrap();
    let px = ctx.get_image_data(0.0, 0.0, 120.0, 90.0).unwrap().data();
    let painted = px.chunks(4).filter(|p| p[3] > 0).count();
    assert!(painted > 200, "only {painted} painted pixels");
    c.remove();
}

#[wasm_bindgen_test]
fn bad_input_is_a_js_error_and_the_handle_keeps_working() {
    let err = |r: Result<JsValue, wasm_bindgen::JsError>| -> String {
        let v: JsValue = r.expect_err("an error").into();
        js_sys::Error::from(v).message().into()
    };
    assert!(Playground::new("nope", JsValue::UNDEFINED).is_err());
    let bad_opts = js_sys::JSON::parse(r#"{"width": -3}"#).unwrap();
    assert!(Playground::new("face", bad_opts).is_err());
    let unknown = js_sys::JSON::parse(r#"{"widht": 3}"#).unwrap();
    assert!(Playground::new("face", unknown).is_err());
    let mut pg = Playground::new("face", JsValue::UNDEFINED).map_err(JsValue::from).unwrap();
    assert!(err(pg.sample("mouth", f64::NAN, 10.0, "euler", 10.0, 0.0, false))
        .contains("w must be a finite number"));
    assert!(err(pg.sample("mouth", 1.0, 10.0, "euler", -1.0, 0.0, false)).contains("n must be between"));
    assert!(err(pg.sample("mouth", 1.0, 10.0, "euler", 1e8, 0.0, false)).contains("n must be between"));
    assert!(err(pg.sample("mouth", 1.0, 1e9, "euler", 10.0, 0.0, false)).contains("steps must be between"));
    assert!(err(pg.sample("mouth", 1.0, 2.5, "euler", 10.0, 0.0, false)).contains("whole number"));
    assert!(err(pg.sample("nose", 1.0, 10.0, "euler", 10.0, 0.0, false)).contains("unknown class 'nose'"));
    assert!(err(pg.sample("mouth", 1.0, 10.0, "rk4", 10.0, 0.0, false)).contains("solver"));
    assert!(pg.train(0.0).is_err());
    assert!(pg.train(f64::INFINITY).is_err());
    assert!(Playground::from_model("{\"format\": \"cfg-playground-model\", \"version\": 7}").is_err());
    assert!(Playground::from_model("").is_err());
    // still fine afterwards
    assert!(pg.sample("mouth", 1.0, 10.0, "euler", 10.0, 0.0, false).is_ok());
}
