//! Browser tests of the guidance-method exports (web/methods.rs): rectified CFG and the scaled
//! velocity step flows exactly as the core samples, and bad input is an error, not a panic.
#![cfg(target_arch = "wasm32")]

#[path = "common/js_result.rs"]
mod js_result;

use cfg_playground::datasets::Dataset;
use cfg_playground::field::FieldSource;
use cfg_playground::mixture::Prepared;
use cfg_playground::rcfg::{self, RectifiedCfg};
use cfg_playground::web::{cfg_steps_at_equal_calls, sliced_w2, Flow, Model, Painter, Tilted};
use js_result::{err, ok};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn model() -> Model {
    ok(Model::untrained("overlapping", r#"{"width": 16, "depth": 1}"#, ""))
}

#[wasm_bindgen_test]
fn a_rectified_cfg_flow_lands_where_the_core_sampler_does() {
    let mut m = model();
    let mut f = ok(Flow::new(&m, "upper-right", 300.0, 6.0, "euler", 5.0, true));
    while !f.done() {
        ok(f.advance_rcfg_for(&mut m, 2.5, 1.5, true, 0.0));
    }
    let d = Dataset::by_name("overlapping").unwrap();
    let mix = d.mixture();
    let mut prep = Prepared::default();
    let mut src = FieldSource::Exact { mixture: &mix, prep: &mut prep };
    let rule = RectifiedCfg { lambda_max: 2.5, gamma: 1.5 };
    let (want, _) = rcfg::sample(&d, &mut src, 1, rule, 300, 6, 5).unwrap();
    assert_eq!(f.positions().to_vec(), want.as_slice().unwrap().to_vec());
    assert_eq!(ok(cfg_steps_at_equal_calls(6.0)), 9.0);
    assert_eq!(ok(cfg_steps_at_equal_calls(7.0)), 11.0);
}

#[wasm_bindgen_test]
fn scaled_noise_and_a_zero_velocity_keep_points_where_they_start() {
    let mut m = model();
    let mut f = ok(Flow::new(&m, "lower-left", 50.0, 4.0, "euler", 2.0, false));
    ok(f.restart_scaled(2.0, 0.0));
    assert!(f.positions().to_vec().iter().all(|&v| v == 0.0));
    ok(f.restart_scaled(2.0, 0.5));
    let start = f.positions().to_vec();
    assert!(start.iter().any(|&v| v != 0.0));
    while !f.done() {
        ok(f.advance_scaled_for(&mut m, 0.0, 1.0, false, 0.0));
    }
    assert_eq!(f.positions().to_vec(), start);
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
        ok(f.advance_for(&mut m, 1.0, true, 1000.0));
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
        ok(g.advance_for(&mut m, 4.0, true, 1000.0));
    }
    let d4: D = serde_wasm_bindgen::from_value(ok(t4.distance_to(&g, 64.0))).unwrap();
    assert!(d4.distance > 3.0 * d4.floor, "{} vs floor {}", d4.distance, d4.floor);
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
    ok(noise.restart_scaled(9.0, temperature.sqrt()));
    while !noise.done() {
        ok(noise.advance_for(&mut m, 1.0, true, 1000.0));
    }
    #[derive(serde::Deserialize)]
    struct D {
        distance: f64,
        floor: f64,
    }
    let d: D = serde_wasm_bindgen::from_value(ok(t.distance_to(&noise, 64.0))).unwrap();
    assert!(d.floor > 0.0 && d.distance < 3.0 * d.floor + 0.02, "{} vs floor {}", d.distance, d.floor);
    // CFG at w = 1/T is not that temperature
    let mut cfg = ok(Flow::new(&m, "upper-right", 2000.0, 60.0, "euler", 9.0, false));
    while !cfg.done() {
        ok(cfg.advance_for(&mut m, 1.0 / temperature, true, 1000.0));
    }
    let c: D = serde_wasm_bindgen::from_value(ok(t.distance_to(&cfg, 64.0))).unwrap();
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
    let mut null = ok(Flow::new(&m, "null", 10.0, 4.0, "euler", 0.0, false));
    assert!(err(null.advance_rcfg_for(&mut m, 2.0, 1.0, true, 1.0)).contains("class"));
    assert!(err(null.advance_scaled_for(&mut m, 0.5, 1.0, true, 1.0)).contains("class"));
    let mut f = ok(Flow::new(&m, "upper-right", 10.0, 4.0, "euler", 0.0, false));
    assert!(err(f.advance_rcfg_for(&mut m, -1.0, 1.0, true, 1.0)).contains("lambdaMax"));
    assert!(err(f.advance_rcfg_for(&mut m, 1.0, f64::INFINITY, true, 1.0)).contains("gamma"));
    assert!(err(f.advance_scaled_for(&mut m, 9.0, 1.0, true, 1.0)).contains("scale"));
    assert!(err(f.restart_scaled(0.0, -1.0)).contains("tau"));
    assert!(err(sliced_w2(&[0.0, 1.0, 2.0], &[0.0, 1.0], 8.0, 0.0)).contains("a must"));
    assert!(err(sliced_w2(&[0.0, 1.0], &[f32::NAN, 1.0], 8.0, 0.0)).contains("not finite"));
    assert!(err(cfg_steps_at_equal_calls(0.0)).contains("steps"));
    // one point each: the mean of (u·d)² over evenly spaced directions is |d|²/2
    assert!((ok(sliced_w2(&[0.0, 0.0], &[3.0, 4.0], 16.0, 0.0)) - 5.0 / 2f64.sqrt()).abs() < 1e-6);
}
