//! The guidance methods on the page: a [`Method`] handle names a method of `crate::method` with
//! its parameters, its guidance scale w, whether it reads the data's exact fields, and (for
//! classifier guidance) its classifier network. Every flow follows one through `Flow.advanceFor`.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::{js, number, Classifier};
use crate::caps::{MAX_GUIDANCE, MAX_NOISE_SCALE};
use crate::classifier::guided::ClassifierScratch;
use crate::method::{self, MethodParams};
use crate::mixture::Prepared;
use crate::mlp::Mlp;
use crate::temperature::{Clock, TEMPERATURE_RANGE};

/// Rows per classifier pass.
const CLASSIFIER_CHUNK: usize = 256;

/// The fields of [`Options`], as JavaScript spells them.
const OPTION_NAMES: [&str; 7] = ["w", "exact", "lambdaMax", "gamma", "tau", "temperature", "clock"];

/// A method's options from JavaScript: `{w, exact, lambdaMax, gamma, tau, temperature, clock}`,
/// each optional (w = 1, not exact, the method's defaults).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
struct Options {
    w: Option<f64>,
    exact: Option<bool>,
    lambda_max: Option<f64>,
    gamma: Option<f64>,
    tau: Option<f64>,
    temperature: Option<f64>,
    clock: Option<String>,
}

/// A classifier network shared with its `Classifier` handle (new weights reach the method too),
/// with the method's own buffers for it.
pub(super) struct SharedClassifier {
    pub(super) dataset: String,
    pub(super) net: Rc<RefCell<Mlp<f32>>>,
    pub(super) scratch: ClassifierScratch<f32>,
}

/// A sampling method for `Flow.advanceFor`: one of `crate::method`'s, with its parameters and
/// models.
#[wasm_bindgen(js_name = Method)]
pub struct MethodHandle {
    pub(super) method: method::Method,
    pub(super) w: f32,
    pub(super) exact: bool,
    pub(super) classifier: Option<SharedClassifier>,
    /// the exact Bayes classifier's prepared mixture
    pub(super) classifier_prep: Prepared,
}

impl MethodHandle {
    /// The core method (for tests comparing the page with the CLI).
    pub fn method(&self) -> method::Method {
        self.method
    }
}

#[wasm_bindgen(js_class = Method)]
impl MethodHandle {
    /// The method `name` (cfg, rectified-cfg, noise-scale, velocity-scale, student, classifier;
    /// tilted and tempered have no flow) with `options`, an object with any of w (the guidance
    /// scale, λ for classifier guidance, the student's input), exact (the data's exact fields
    /// instead of the networks), lambdaMax and gamma (rectified-cfg), tau (noise-scale),
    /// temperature and clock ("sampler" or "rescaled"; velocity-scale). Classifier guidance
    /// with a network needs `setClassifier`.
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, options: JsValue) -> Result<MethodHandle, JsError> {
        let o: Options = if options.is_undefined() || options.is_null() {
            Options::default()
        } else {
            if !options.is_object() {
                return Err(JsError::new("options must be an object"));
            }
            // serde_wasm_bindgen reads only the fields it knows: a misspelt one is an error here
            for key in js_sys::Object::keys(&options.clone().into()).iter() {
                let key = key.as_string().unwrap_or_default();
                if !OPTION_NAMES.contains(&key.as_str()) {
                    return Err(JsError::new(&format!(
                        "options: unknown field '{key}', expected one of {}",
                        OPTION_NAMES.join(", ")
                    )));
                }
            }
            serde_wasm_bindgen::from_value(options).map_err(|e| JsError::new(&format!("options: {e}")))?
        };
        let d = MethodParams::default();
        let get = |name: &str, v: Option<f64>, lo: f64, hi: f64, default: f64| match v {
            Some(v) => number(name, v, lo, hi),
            None => Ok(default),
        };
        let params = MethodParams {
            lambda_max: get("lambdaMax", o.lambda_max, 0.0, MAX_GUIDANCE, d.lambda_max as f64)? as f32,
            gamma: get("gamma", o.gamma, 0.0, 10.0, d.gamma as f64)? as f32,
            tau: get("tau", o.tau, 0.0, MAX_NOISE_SCALE, d.tau as f64)? as f32,
            temperature: get("temperature", o.temperature, 0.0, TEMPERATURE_RANGE.1, 1.0)?,
            clock: match o.clock.as_deref() {
                None | Some("sampler") => Clock::Sampler,
                Some("rescaled") => Clock::Rescaled,
                Some(c) => {
                    return Err(JsError::new(&format!("clock must be sampler or rescaled, got '{c}'")))
                }
            },
        };
        let method = method::Method::from_name(name, &params).map_err(js)?;
        Ok(MethodHandle {
            method,
            w: get("w", o.w, -MAX_GUIDANCE, MAX_GUIDANCE, 1.0)? as f32,
            exact: o.exact.unwrap_or(false),
            classifier: None,
            classifier_prep: Prepared::default(),
        })
    }

    /// Classifier guidance by `classifier`'s network (shared: its new weights are used too).
    /// Only the `classifier` method takes one.
    #[wasm_bindgen(js_name = setClassifier)]
    pub fn set_classifier(&mut self, classifier: &Classifier) -> Result<(), JsError> {
        if self.method != method::Method::Classifier {
            return Err(JsError::new(&format!("{} takes no classifier", self.method.name())));
        }
        let net = classifier.shared();
        let scratch = ClassifierScratch::new(&net.borrow(), CLASSIFIER_CHUNK);
        self.classifier = Some(SharedClassifier { dataset: classifier.dataset(), net, scratch });
        Ok(())
    }

    /// The method's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.method.name().to_string()
    }

    /// The guidance scale w.
    #[wasm_bindgen(getter)]
    pub fn w(&self) -> f64 {
        self.w as f64
    }

    /// Whether the method reads the data's exact fields.
    #[wasm_bindgen(getter)]
    pub fn exact(&self) -> bool {
        self.exact
    }
}
