//! The only wasm-aware module: an opaque `Playground` handle over a [`Session`] for JavaScript.
//!
//! Every export validates its arguments and returns `Result`, so bad input becomes a JS `Error`
//! with a clear message and never a panic. Numbers arrive as JS numbers (f64) and are checked here
//! before any conversion, so −1 or NaN are not silently wrapped into huge integers.
//! Point buffers are handed out as `Float32Array` views into wasm memory: valid until the next
//! call into the module (which may grow memory), so read them right away.

use js_sys::Float32Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::Clamped;
use web_sys::{CanvasRenderingContext2d, ImageData};

use crate::datasets::Dataset;
use crate::error::{check_range, Error};
use crate::model_file::Dtype;
use crate::sampler::Solver;
use crate::session::{SampleRequest, Session, SessionOptions};

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

fn js(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// A whole number in [lo, hi], from a JS number.
fn whole(name: &str, v: f64, lo: f64, hi: f64) -> Result<usize, JsError> {
    check_range(name, v, lo, hi).map_err(js)?;
    if v.fract() != 0.0 {
        return Err(js(crate::invalid!("{name} must be a whole number, got {v}")));
    }
    Ok(v as usize)
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
    serde_wasm_bindgen::to_value(&list).map_err(|e| JsError::new(&e.to_string()))
}

/// What a sampling run measured, for the page.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    calls_per_sample: usize,
    straightness: f64,
}

/// A model, its samples and its pixels, living in wasm memory.
#[wasm_bindgen]
pub struct Playground {
    s: Session,
}

#[wasm_bindgen]
impl Playground {
    /// A fresh model for `dataset`. `options` is an object with any of width, depth,
    /// activation ("silu" | "relu"), residual, lr, batch, dropout, steps, seed; or undefined.
    #[wasm_bindgen(constructor)]
    pub fn new(dataset: &str, options: JsValue) -> Result<Playground, JsError> {
        let o: SessionOptions = if options.is_undefined() || options.is_null() {
            SessionOptions::default()
        } else {
            // through JSON text, so that unknown keys (typos) are rejected by name
            let text: String = js_sys::JSON::stringify(&options)
                .map_err(|_| JsError::new("options must be a plain object"))?
                .into();
            serde_json::from_str(&text).map_err(|e| JsError::new(&format!("options: {e}")))?
        };
        Ok(Playground { s: Session::new(dataset, &o).map_err(js)? })
    }

    /// A playground around a model file's network (the file's text).
    #[wasm_bindgen(js_name = fromModel)]
    pub fn from_model(json: &str) -> Result<Playground, JsError> {
        Ok(Playground { s: Session::from_model(json.as_bytes()).map_err(js)? })
    }

    /// Trains `steps` steps (1..=10000); returns their mean loss.
    pub fn train(&mut self, steps: f64) -> Result<f32, JsError> {
        let steps = whole("steps", steps, 1.0, crate::session::MAX_TRAIN_CALL as f64)?;
        self.s.train(steps).map_err(js)
    }

    /// Training steps done.
    #[wasm_bindgen(getter, js_name = stepsDone)]
    pub fn steps_done(&self) -> f64 {
        self.s.trainer().steps_done() as f64
    }

    /// The data set's name.
    #[wasm_bindgen(getter)]
    pub fn dataset(&self) -> String {
        self.s.dataset().name.clone()
    }

    /// The class names, in label order.
    #[wasm_bindgen(js_name = classNames)]
    pub fn class_names(&self) -> Vec<String> {
        self.s.dataset().class_names().iter().map(|s| s.to_string()).collect()
    }

    /// Samples `n` points of `class` ("null": unconditional) at guidance `w` from noise drawn
    /// with `seed`; `exact` follows the data's exact velocity instead of the network.
    /// Returns `{callsPerSample, straightness}`.
    #[allow(clippy::too_many_arguments)]
    pub fn sample(
        &mut self,
        class: &str,
        w: f64,
        steps: f64,
        solver: &str,
        n: f64,
        seed: f64,
        exact: bool,
    ) -> Result<JsValue, JsError> {
        let req = SampleRequest {
            class: self.s.class_label(class).map_err(js)?,
            guidance: check_range("w", w, -1e2, 1e2).map_err(js)? as f32,
            steps: whole("steps", steps, 1.0, crate::session::MAX_SESSION_STEPS as f64)?,
            solver: Solver::parse(solver)
                .ok_or_else(|| JsError::new(&format!("solver must be euler or heun, got '{solver}'")))?,
            n: whole("n", n, 1.0, crate::session::MAX_SESSION_POINTS as f64)?,
            seed: whole("seed", seed, 0.0, u32::MAX as f64)? as u64,
            exact,
        };
        let st = self.s.sample(&req).map_err(js)?;
        let stats = Stats { calls_per_sample: st.calls_per_sample, straightness: st.straightness };
        serde_wasm_bindgen::to_value(&stats).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The last samples as x0, y0, x1, y1, ...: a view into wasm memory, valid until the next call.
    pub fn points(&self) -> Float32Array {
        let p = self.s.points();
        let flat = p.as_slice().expect("points are contiguous");
        // SAFETY: the view is returned to JS immediately; it is documented as valid only until
        // the next call into the module, which is the only thing that can move or grow memory.
        unsafe { Float32Array::view(flat) }
    }

    /// Fraction of the last samples whose most likely class is the one asked for.
    #[wasm_bindgen(js_name = hitRate)]
    pub fn hit_rate(&self) -> f64 {
        self.s.hit_rate()
    }

    /// Draws the faint data and the last samples into `ctx` at (0, 0), `width` × `height` pixels.
    pub fn render(
        &mut self,
        ctx: &CanvasRenderingContext2d,
        width: f64,
        height: f64,
        dot_radius: f64,
    ) -> Result<(), JsError> {
        let (w, h) = (whole("width", width, 1.0, 4096.0)?, whole("height", height, 1.0, 4096.0)?);
        let radius = check_range("dotRadius", dot_radius, 0.1, 50.0).map_err(js)? as f32;
        let px = self.s.render(w, h, radius).map_err(js)?;
        let img = ImageData::new_with_u8_clamped_array_and_sh(Clamped(px), w as u32, h as u32)
            .map_err(|_| JsError::new("could not create ImageData"))?;
        ctx.put_image_data(&img, 0.0, 0.0).map_err(|_| JsError::new("could not draw into the canvas"))
    }

    /// The model as a model file (JSON text), weights stored as "f32" or "f16".
    #[wasm_bindgen(js_name = saveModel)]
    pub fn save_model(&self, dtype: &str) -> Result<String, JsError> {
        let dtype = match dtype {
            "f32" => Dtype::F32,
            "f16" => Dtype::F16,
            _ => return Err(JsError::new(&format!("dtype must be f32 or f16, got '{dtype}'"))),
        };
        Ok(self.s.model_json(dtype))
    }
}
