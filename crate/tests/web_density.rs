//! Browser tests of the `DensityPath` handle (`wasm-pack test --headless --chrome crate`): it
//! reproduces the native densities (fixtures/density_path.json, written by density_path.rs),
//! the exact field's densities are the mixture's, and bad input is an error. Also prints the
//! cost of a unit of work (run with `--release` for the page's numbers).
#![cfg(target_arch = "wasm32")]

#[path = "common/js_result.rs"]
mod js_result;

#[path = "common/density_case.rs"]
mod density_case;

use cfg_playground::datasets::Dataset;
use cfg_playground::density::MixtureJacobian;
use cfg_playground::web::{DensityPath, Model, Painter};
use density_case::{CLASS, MODEL, SIDE, STEPS, TIMES, W};
use js_result::{err, ok};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_handle_reproduces_the_native_densities() {
    cfg_playground::web::init_panic_hook();
    let model = ok(Model::from_json(MODEL));
    let mut h = ok(DensityPath::new(&model, CLASS, W as f64, false, SIDE as f64, &TIMES, STEPS as f64));
    assert_eq!((h.count(), h.ready_count(), h.done()), (3.0, 0.0, false));
    assert!(err(h.log_density(2.0)).contains("not computed yet"));
    // the focus is computed first
    while !ok(h.ready(2.0)) {
        ok(h.advance(&model, 1.0, 2.0));
    }
    assert!(!ok(h.ready(0.0)) && h.progress() < 1.0);
    while !h.done() {
        ok(h.advance_for(&model, 5.0, 0.0));
    }
    let stored: Vec<Vec<f64>> = serde_json::from_str(include_str!("fixtures/density_path.json")).unwrap();
    let here = density_case::compute();
    for k in 0..TIMES.len() {
        let got = ok(h.log_density(k as f64)).to_vec();
        for ((a, b), c) in got.iter().zip(&stored[k]).zip(&here[k]) {
            assert!((a - b).abs() < 1e-4 * (1.0 + b.abs()), "time {k}: {a} vs native {b}");
            assert!((a - c).abs() < 1e-9 * (1.0 + c.abs()), "time {k}: {a} vs the core here {c}");
        }
    }
    // painting: into a painter of the model's square, not another
    let mut p = ok(Painter::new(64.0, 64.0, model.extent()));
    let peak = ok(h.paint(&mut p, 2.0, 1.0));
    assert!(peak > 0.0 && p.coverage() > 0.01, "peak {peak}, coverage {}", p.coverage());
    let mut other = ok(Painter::new(64.0, 64.0, 1.0));
    assert!(err(h.paint(&mut other, 2.0, 1.0)).contains("square"));
    // the page paints what its worker sends, the log densities: the same peak and pixels
    let logs = ok(h.log_density(2.0)).to_vec();
    let mut q = ok(Painter::new(64.0, 64.0, model.extent()));
    assert_eq!(ok(q.log_density(&logs, model.extent(), 1.0)), peak);
    assert_eq!(q.coverage(), p.coverage());
    assert!(err(q.log_density(&logs[1..], model.extent(), 1.0)).contains("side"));
    assert!(err(other.log_density(&logs, model.extent(), 1.0)).contains("square"));
    let mut nan = logs.clone();
    nan[3] = f64::NAN;
    assert!(err(q.log_density(&nan, model.extent(), 1.0)).contains("log densities"));
    // restarting forgets the results
    ok(h.restart(1.0, false));
    assert_eq!(h.ready_count(), 0.0);
}

/// With the exact field at w = 1 the handle's densities are the mixture's p_t(x | c).
#[wasm_bindgen_test]
fn the_exact_field_gives_the_class_density() {
    let model = ok(Model::from_json(MODEL));
    let times = [0.0, 0.5, 1.0];
    let mut h = ok(DensityPath::new(&model, CLASS, 1.0, true, 24.0, &times, 40.0));
    while !h.done() {
        ok(h.advance_for(&model, 10.0, 0.0));
    }
    let m = Dataset::by_name("non-overlapping").unwrap().mixture();
    let mut check = MixtureJacobian::default();
    let e = model.extent();
    for (k, &t) in times.iter().enumerate() {
        check.prepare(&m, t);
        let got = ok(h.log_density(k as f64)).to_vec();
        let mut worst = 0.0f64;
        let mut peak = 0.0f64;
        for j in 0..24 {
            for i in 0..24 {
                let x = [-e + 2.0 * e * (i as f64 + 0.5) / 24.0, -e + 2.0 * e * (j as f64 + 0.5) / 24.0];
                let want = (check.eval(x, Some(1)).log_p_c - 0.5f64.ln()).exp();
                worst = worst.max((got[j * 24 + i].exp() - want).abs());
                peak = peak.max(want);
            }
        }
        assert!(worst < 2e-3 * peak, "t {t}: |Δp| {worst} against peak {peak}");
        let mass = ok(h.mass(k as f64)).unwrap();
        assert!(mass > 0.99 && mass < 1.01, "t {t}: mass {mass}");
        let err = ok(h.mass_error(k as f64)).unwrap();
        assert!(err >= 0.0 && mass - err <= 1.0, "t {t}: mass {mass} ± {err}");
    }
}

#[wasm_bindgen_test]
fn bad_input_is_an_error() {
    let model = ok(Model::from_json(MODEL));
    let new = |class: &str, w: f64, side: f64, times: &[f64], steps: f64| {
        err(DensityPath::new(&model, class, w, false, side, times, steps))
    };
    assert!(new("nope", 1.0, 8.0, &[1.0], 10.0).contains("nope"));
    assert!(new(CLASS, f64::NAN, 8.0, &[1.0], 10.0).contains('w'));
    assert!(new(CLASS, 1.0, 8.5, &[1.0], 10.0).contains("whole"));
    assert!(new(CLASS, 1.0, 1e6, &[1.0], 10.0).contains("side"));
    assert!(new(CLASS, 1.0, 8.0, &[], 10.0).contains("times"));
    assert!(new(CLASS, 1.0, 8.0, &[1.5], 10.0).contains("[0, 1]"));
    assert!(new(CLASS, 1.0, 8.0, &[f64::NAN], 10.0).contains("[0, 1]"));
    assert!(new(CLASS, 1.0, 8.0, &[1.0], 0.0).contains("steps"));
    assert!(new(CLASS, 1.0, 8.0, &[0.5; 65], 10.0).contains("times"));
    assert!(new(CLASS, 1.0, 128.0, &[0.5; 64], 10.0).contains("limit"));
    let mut h = ok(DensityPath::new(&model, CLASS, 3.0, false, 8.0, &TIMES, 10.0));
    assert!(err(h.advance_for(&model, -1.0, 0.0)).contains("budgetMs"));
    assert!(err(h.advance_for(&model, 1.0, 3.0)).contains('k'));
    assert!(err(h.ready(-1.0)).contains('k'));
    assert!(err(h.restart(f64::INFINITY, false)).contains('w'));
    let face = ok(Model::from_json(include_str!("../../www/models/face.json")));
    assert!(err(h.advance(&face, 1.0, 0.0)).contains("other classes"));
    // and the handle still works
    ok(h.advance(&model, 4.0, 0.0));
}

/// The cost of the page's exact densities in this build: milliseconds per unit (32 grid points,
/// one Heun step) for the shipped models, conditional (w = 1) and CFG (w = 3).
#[wasm_bindgen_test]
fn cost_of_a_unit_of_work() {
    let perf = web_sys::window().unwrap().performance().unwrap();
    for name in ["non-overlapping", "overlapping"] {
        let text =
            if name == "overlapping" { include_str!("../../www/models/overlapping.json") } else { MODEL };
        let model = ok(Model::from_json(text));
        for w in [1.0, 3.0] {
            let mut h = ok(DensityPath::new(&model, CLASS, w, false, 32.0, &[1.0], 10.0));
            ok(h.advance(&model, 2.0, 0.0)); // warm-up (sizes the scratch)
            let units = 64.0;
            let t0 = perf.now();
            ok(h.advance(&model, units, 0.0));
            let ms = (perf.now() - t0) / units;
            console_log!("density cost: {name} w = {w}: {ms:.3} ms per unit (32 points, one Heun step)");
        }
    }
}
