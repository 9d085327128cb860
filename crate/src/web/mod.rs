//! The only wasm-aware module: opaque handles for JavaScript over the pure core.
//!
//! - [`Model`]: a network (or, with `exact`, its data set's exact mixture) to sample from;
//! - [`Trainer`]: training (a flow model, a classifier, reflow or distillation), run in a Web Worker;
//!   its weights go to a `Model` or a `Classifier`;
//! - [`Flow`]: particles moving from noise to data, advanced a few steps per animation frame along
//!   a [`MethodHandle`] (`Method` in JavaScript: a guidance method of `crate::method` and its models);
//! - [`Painter`]: pixels (dots, trails, densities) and line geometry for a figure's canvas;
//! - [`DensityPath`]: exact densities on a grid along the probability path, a little per frame.
//!
//! Every export that takes arguments validates them and returns `Result`, so bad input becomes
//! a JS `Error` with a clear message and never a panic (`crate/tests/web_api.rs` checks the
//! signatures; `crate/tests/web.rs` calls every export with bad values). Exports without
//! arguments are infallible getters. Resource caps are `crate::caps` (docs/limits.md). Numbers arrive as JS numbers (f64) and are checked
//! before conversion, so −1 or NaN are never silently wrapped into huge integers. Float32Array
//! results named "view" point into wasm memory and are valid until the next call into the module.

mod classifier;
mod density;
mod flow;
mod json;
mod method;
mod methods;
mod model;
mod paint;
mod points;
mod reflow;
mod strip;
mod train;

pub use classifier::Classifier;
pub use density::DensityPath;
pub use flow::Flow;
pub use method::{cfg_plus_plus_lambda, method_table, MethodHandle};
pub use methods::{cfg_steps_at_equal_calls, sliced_w2, Tilted};
pub use model::Model;
pub use paint::Painter;
pub use points::{parse_points, points_csv};
pub use train::Trainer;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::datasets::Dataset;
use crate::error::{check_range, Error};

/// Installs the panic hook when the module starts (a bug then logs a readable message).
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Installs the panic hook (for hosts where `start` does not run, such as test harnesses).
#[wasm_bindgen(js_name = initPanicHook)]
pub fn init_panic_hook() {
    console_error_panic_hook::set_once();
}

pub(crate) fn js(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// A whole number in [lo, hi], from a JS number.
pub(crate) fn whole(name: &str, v: f64, lo: f64, hi: f64) -> Result<usize, JsError> {
    check_range(name, v, lo, hi).map_err(js)?;
    if v.fract() != 0.0 {
        return Err(js(crate::invalid!("{name} must be a whole number, got {v}")));
    }
    Ok(v as usize)
}

/// A finite number in [lo, hi], from a JS number.
pub(crate) fn number(name: &str, v: f64, lo: f64, hi: f64) -> Result<f64, JsError> {
    check_range(name, v, lo, hi).map_err(js)
}

/// Weights from JavaScript for a network of `expected` weights: the count must match and every
/// weight be finite (otherwise the previous weights are kept).
pub(crate) fn check_weights(expected: usize, params: &[f32]) -> Result<(), JsError> {
    if params.len() != expected {
        return Err(JsError::new(&format!("expected {expected} weights, got {}", params.len())));
    }
    if let Some(i) = params.iter().position(|p| !p.is_finite()) {
        return Err(JsError::new(&format!("weight {i} is not finite; keeping the previous weights")));
    }
    Ok(())
}

pub(crate) fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
}

#[derive(Serialize)]
struct DatasetInfo {
    name: String,
    description: String,
    classes: Vec<String>,
    extent: f64,
}

/// The built-in data sets: `[{name, description, classes, extent}]`.
#[wasm_bindgen]
pub fn datasets() -> Result<JsValue, JsError> {
    let list: Vec<DatasetInfo> = Dataset::all()
        .into_iter()
        .map(|d| DatasetInfo {
            classes: d.class_names().iter().map(|s| s.to_string()).collect(),
            name: d.name,
            description: d.description,
            extent: d.extent,
        })
        .collect();
    to_js(&list)
}

/// The page's (or worker's) millisecond clock.
pub(crate) fn clock() -> Result<web_sys::Performance, JsError> {
    use wasm_bindgen::JsCast;
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or_else(|| JsError::new("no performance clock in this context"))
}

/// Runs benchmark workload W1 (shared/BENCH.md) in this build and returns its report as JSON
/// text; `windows` timed windows per measurement (medians are reported). Blocks for a few
/// seconds: run it in a worker or on a page made for it.
#[wasm_bindgen(js_name = benchW1)]
pub fn bench_w1(windows: f64) -> Result<String, JsError> {
    use wasm_bindgen::JsCast;
    let plan = crate::bench::BenchPlan {
        windows: whole("windows", windows, 1.0, crate::caps::MAX_BENCH_WINDOWS as f64)?,
        ..Default::default()
    };
    let perf: web_sys::Performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or_else(|| JsError::new("no performance clock in this context"))?;
    let report = crate::bench::run_w1(&plan, &mut || perf.now());
    json::stringify(&report)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LimitInfo {
    what: &'static str,
    value: f64,
    enforced_by: &'static str,
}

/// Every resource cap (`crate::caps`): `[{what, value, enforcedBy}]`. Not exported to the page
/// (docs/limits.md is the readers' list, and the cap texts would cost the wasm budget); tested.
pub fn limits() -> Result<JsValue, JsError> {
    let list: Vec<LimitInfo> = crate::cap_table::all()
        .into_iter()
        .map(|l| LimitInfo { what: l.what, value: l.value, enforced_by: l.enforced_by })
        .collect();
    to_js(&list)
}

/// The size of this module's linear memory in bytes (it only grows; for soak tests).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

/// A fresh random seed (below 2^32), from the browser's crypto API.
#[wasm_bindgen(js_name = freshSeed)]
pub fn fresh_seed() -> f64 {
    crate::rng::fresh_seed() as f64
}
