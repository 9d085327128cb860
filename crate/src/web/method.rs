//! The guidance methods on the page: a [`Method`] handle names a method of `crate::method` with
//! its parameters, its guidance scale w, whether it reads the data's exact fields, and (for
//! classifier guidance) its classifier network, (for autoguidance) its guide network or the
//! widened mixture. Every flow follows one through `Flow.advanceFor`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::{js, number, to_js, whole, Classifier, Model};
use crate::caps::MAX_GUIDANCE;
use crate::classifier::guided::ClassifierScratch;
use crate::field::NetScratch;
use crate::method::spec::{all_params, Given, Spelling};
use crate::method::{self, MethodSpec, Needs, METHODS};
use crate::mixture::{Mixture, Prepared};
use crate::mlp::Mlp;

/// Rows per classifier pass.
const CLASSIFIER_CHUNK: usize = 256;

/// The options every method takes besides its own parameters (the method table's `js` names).
const RUN_OPTIONS: [&str; 2] = ["w", "exact"];

/// Every option name the page accepts: w, exact, and each parameter's of the method table.
fn option_names() -> Vec<&'static str> {
    RUN_OPTIONS.iter().copied().chain(all_params().into_iter().map(|p| p.js)).collect()
}

/// The method table for the page (`methodTable()`): each method's name, what it needs
/// ("nothing", "classifier", "guide", "student"), whether it runs on the exact field, whether
/// it has a flow, its solver if it insists on one, and its parameters (name, flag, js, kind, lo,
/// hi, open or of, default, doc).
#[wasm_bindgen(js_name = methodTable)]
pub fn method_table() -> Result<JsValue, JsError> {
    #[derive(serde::Serialize)]
    struct Row {
        #[serde(flatten)]
        spec: &'static MethodSpec,
        exact: bool,
        flow: bool,
    }
    let rows: Vec<Row> =
        METHODS.iter().map(|spec| Row { spec, exact: spec.runs.exact(), flow: spec.runs.flow() }).collect();
    to_js(&rows)
}

/// A guidance schedule's w(t) (`schedule`: a name of the method table's `schedule` parameter,
/// `w` its mean, [`tLo`, `tHi`] the `interval` schedule's window) at `n` evenly spaced times
/// t = 0 (noise) … 1 (data), for the page's small w(t) plot; bad input is a one-line error.
#[wasm_bindgen(js_name = scheduleCurve)]
pub fn schedule_curve(schedule: &str, w: f64, t_lo: f64, t_hi: f64, n: f64) -> Result<Vec<f32>, JsError> {
    method::schedule::curve(schedule, w, t_lo, t_hi, n).map_err(js)
}

/// The λ at which CFG++'s mean scale over an Euler run of `steps` steps is `w`
/// ([`method::cfg_plus_plus::lambda_for_mean`]); bad input is a one-line error.
#[wasm_bindgen(js_name = cfgPlusPlusLambda)]
pub fn cfg_plus_plus_lambda(w: f64, steps: f64) -> Result<f64, JsError> {
    let w = number("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)?;
    let steps = whole("steps", steps, 1.0, crate::caps::MAX_FLOW_STEPS as f64)?;
    Ok(method::cfg_plus_plus::lambda_for_mean(w, steps))
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
    /// `method`'s guide on the exact field of `mixture` ([`method::Method::exact_guide`]: the
    /// widened mixture; made again only when the mixture changed), None if it has none.
    pub(super) fn exact_for(
        &mut self,
        mixture: &Mixture,
        method: &method::Method,
    ) -> Option<(&Mixture, &mut Prepared)> {
        if self.exact.as_ref().is_none_or(|(from, _, _)| from != mixture) {
            self.exact = Some((mixture.clone(), method.exact_guide(mixture)?, Prepared::default()));
        }
        let (_, m, prep) = self.exact.as_mut()?;
        Some((m, prep))
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
    /// η of a flow made with the SDE solver (`sdeNoise`; fkc's own η is its parameter)
    pub(super) sde_noise: f32,
}

impl MethodHandle {
    /// The core method (for tests comparing the page with the CLI).
    pub fn method(&self) -> method::Method {
        self.method
    }

    /// η of the flows it moves with the SDE solver (for tests comparing the page with the CLI).
    pub fn sde_noise(&self) -> f32 {
        self.sde_noise
    }
}

#[wasm_bindgen(js_class = Method)]
impl MethodHandle {
    /// The method `name` (a row of the method table, `methodTable()`; tilted and tempered have
    /// no flow) with `options`, an object with any of w (the guidance scale, λ for classifier
    /// guidance, the student's input), exact (the data's exact fields instead of the networks)
    /// and the method's own parameters by their page names (docs/methods.md: lambdaMax, gamma,
    /// tau, temperature, clock, schedule, tLo, tHi, zeroSteps, eta, normThreshold, momentum,
    /// guideWiden, sdeNoise),
    /// each checked against the method's row; another method's parameter is ignored, an unknown
    /// name is an error. A method that needs a classifier takes one by `setClassifier` on a
    /// network, one that needs a guide by `setGuide`.
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, options: JsValue) -> Result<MethodHandle, JsError> {
        let spec = MethodSpec::find(name).map_err(js)?;
        let mut given: Vec<(String, Given)> = Vec::new();
        let (mut w, mut exact) = (None, None);
        if !(options.is_undefined() || options.is_null()) {
            if !options.is_object() {
                return Err(JsError::new("options must be an object"));
            }
            let names = option_names();
            let object: js_sys::Object = options.into();
            for entry in js_sys::Object::entries(&object).iter() {
                let entry: js_sys::Array = entry.into();
                let (key, value) = (entry.get(0).as_string().unwrap_or_default(), entry.get(1));
                if !names.contains(&key.as_str()) {
                    return Err(JsError::new(&format!(
                        "options: unknown field '{key}', expected one of {}",
                        names.join(", ")
                    )));
                }
                if value.is_undefined() || value.is_null() {
                    continue;
                }
                match key.as_str() {
                    "exact" => {
                        exact = Some(
                            value
                                .as_bool()
                                .ok_or_else(|| JsError::new("options: exact must be true or false"))?,
                        )
                    }
                    "w" => {
                        w = Some(value.as_f64().ok_or_else(|| JsError::new("options: w must be a number"))?)
                    }
                    _ => match (value.as_f64(), value.as_string()) {
                        (Some(v), _) => given.push((key, Given::Number(v))),
                        (None, Some(t)) => given.push((key, Given::Text(t))),
                        _ => return Err(JsError::new(&format!("options: {key} must be a number or a name"))),
                    },
                }
            }
        }
        let sde_noise = match given.iter().find(|(k, _)| k == "sdeNoise") {
            Some((_, Given::Number(v))) => number("sdeNoise", *v, 0.0, crate::sde::MAX_SDE_NOISE)? as f32,
            Some(_) => return Err(JsError::new("options: sdeNoise must be a number")),
            None => crate::sde::DEFAULT_SDE_NOISE,
        };
        let params =
            spec.parse(given.iter().map(|(k, v)| (k.as_str(), v.clone())), Spelling::Js).map_err(js)?;
        let method = method::Method::from_name(name, &params).map_err(js)?;
        let w = match w {
            Some(w) => number("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)?,
            None => 1.0,
        };
        Ok(MethodHandle {
            method,
            w: w as f32,
            exact: exact.unwrap_or(false),
            classifier: None,
            classifier_prep: Prepared::default(),
            guide: Guide::default(),
            sde_noise,
        })
    }

    /// Autoguidance by a snapshot of `model`'s network as it is now (a weaker model of the same
    /// data: smaller, or trained shorter). Only the `autoguidance` method takes one; on the
    /// exact field the guide is the data's widened mixture instead.
    #[wasm_bindgen(js_name = setGuide)]
    pub fn set_guide(&mut self, model: &Model) -> Result<(), JsError> {
        if self.method.needs() != Needs::Guide {
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
        if self.method.needs() != Needs::Classifier {
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
