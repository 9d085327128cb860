//! The guidance methods on the page: a [`Method`] handle names a method of `crate::method` with
//! its parameters, its guidance scale w, whether it reads the data's exact fields, and (for
//! classifier guidance) its classifier network, (for autoguidance) its guide network or the
//! widened mixture. Every flow follows one through `Flow.advanceFor`.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::{js, number, whole, Classifier, Model};
use crate::caps::{MAX_GUIDANCE, MAX_NOISE_SCALE, MAX_SAMPLER_STEPS};
use crate::classifier::guided::ClassifierScratch;
use crate::field::NetScratch;
use crate::method::apg::{MAX_ETA, MAX_NORM_THRESHOLD};
use crate::method::autoguidance::{widened, MAX_WIDEN};
use crate::method::{self, Apg, MethodParams};
use crate::mixture::{Mixture, Prepared};
use crate::mlp::Mlp;
use crate::temperature::{Clock, TEMPERATURE_RANGE};

/// Rows per classifier pass.
const CLASSIFIER_CHUNK: usize = 256;

/// The fields of [`Options`], as JavaScript spells them.
const OPTION_NAMES: [&str; 14] = [
    "w",
    "exact",
    "lambdaMax",
    "gamma",
    "tau",
    "temperature",
    "clock",
    "tLo",
    "tHi",
    "zeroSteps",
    "eta",
    "normThreshold",
    "momentum",
    "guideWiden",
];

/// A method's options from JavaScript: `{w, exact, lambdaMax, gamma, tau, temperature, clock,
/// tLo, tHi, zeroSteps, eta, normThreshold, momentum, guideWiden}`, each optional (w = 1, not
/// exact, the method's defaults).
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
    t_lo: Option<f64>,
    t_hi: Option<f64>,
    zero_steps: Option<f64>,
    eta: Option<f64>,
    norm_threshold: Option<f64>,
    momentum: Option<f64>,
    guide_widen: Option<f64>,
}

/// Autoguidance's guide on the page: a snapshot of a model's network (with its data set's name
/// and its own buffers), or, on the exact field, the model's mixture widened (cached with the
/// mixture it was made from).
#[derive(Default)]
pub(super) struct Guide {
    pub(super) net: Option<(String, Mlp<f32>, NetScratch)>,
    pub(super) exact: Option<(Mixture, Mixture, Prepared)>,
}

impl Guide {
    /// The widened mixture of `mixture` (made again only when the mixture changed).
    pub(super) fn exact_for(&mut self, mixture: &Mixture, factor: f64) -> (&Mixture, &mut Prepared) {
        if self.exact.as_ref().is_none_or(|(from, _, _)| from != mixture) {
            self.exact = Some((mixture.clone(), widened(mixture, factor), Prepared::default()));
        }
        let (_, m, prep) = self.exact.as_mut().expect("just made");
        (m, prep)
    }
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
    pub(super) guide: Guide,
}

impl MethodHandle {
    /// The core method (for tests comparing the page with the CLI).
    pub fn method(&self) -> method::Method {
        self.method
    }
}

#[wasm_bindgen(js_class = Method)]
impl MethodHandle {
    /// The method `name` (cfg, rectified-cfg, noise-scale, velocity-scale, student, classifier,
    /// guidance-interval, cfg-zero-star, apg, autoguidance; tilted and tempered have no flow)
    /// with `options`, an object with any of w (the guidance scale, λ for classifier guidance,
    /// the student's input), exact (the data's exact fields instead of the networks), lambdaMax
    /// and gamma (rectified-cfg), tau (noise-scale), temperature and clock ("sampler" or
    /// "rescaled"; velocity-scale), tLo and tHi (guidance-interval), zeroSteps (cfg-zero-star),
    /// eta, normThreshold and momentum (apg), guideWiden (autoguidance on the exact field).
    /// Classifier guidance with a network needs `setClassifier`, autoguidance with a network
    /// `setGuide`.
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
            t_lo: get("tLo", o.t_lo, 0.0, 1.0, d.t_lo as f64)? as f32,
            t_hi: get("tHi", o.t_hi, 0.0, 1.0, d.t_hi as f64)? as f32,
            zero_steps: match o.zero_steps {
                Some(k) => whole("zeroSteps", k, 0.0, MAX_SAMPLER_STEPS as f64)?,
                None => d.zero_steps,
            },
            apg: Apg {
                eta: get("eta", o.eta, 0.0, MAX_ETA, d.apg.eta as f64)? as f32,
                norm_threshold: match o.norm_threshold {
                    Some(r) => Some(number("normThreshold", r, 0.0, MAX_NORM_THRESHOLD)? as f32),
                    None => None,
                },
                momentum: get("momentum", o.momentum, 0.0, 1.0, d.apg.momentum as f64)? as f32,
            },
            guide_widen: get("guideWiden", o.guide_widen, 1.0, MAX_WIDEN, d.guide_widen)?,
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
            guide: Guide::default(),
        })
    }

    /// Autoguidance by a snapshot of `model`'s network as it is now (a weaker model of the same
    /// data: smaller, or trained shorter). Only the `autoguidance` method takes one; on the
    /// exact field the guide is the data's widened mixture instead.
    #[wasm_bindgen(js_name = setGuide)]
    pub fn set_guide(&mut self, model: &Model) -> Result<(), JsError> {
        if !matches!(self.method, method::Method::Autoguidance { .. }) {
            return Err(JsError::new(&format!("{} takes no guide", self.method.name())));
        }
        let net = model.net.clone();
        let scratch = NetScratch::new(&net, 1024);
        self.guide.net = Some((model.ds.name.clone(), net, scratch));
        Ok(())
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
