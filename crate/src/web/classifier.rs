//! Classifier guidance on the page: a classifier network p(c | x_t, t) (flows guided by it follow
//! the `classifier` method of `Flow.advanceFor`, which shares the network) and its gradient field
//! ∇_x log p(c | x_t, t) on a grid.

use js_sys::Float32Array;
use ndarray::Array2;
use wasm_bindgen::prelude::*;

use std::cell::{RefCell, RefMut};
use std::rc::Rc;

use super::{js, number, whole, Model};
use crate::caps::MAX_CLASSIFIER_GRID;
use crate::caps::MAX_GUIDANCE;
use crate::classifier::guided::{classifier_grad_grid, guidance_factor, ClassifierScratch, ClassifierSource};
use crate::datasets::Dataset;
use crate::field::Guidance;
use crate::mixture::Prepared;
use crate::mlp::Mlp;
use crate::model_file::ModelKind;

/// A time-conditioned classifier network and its data set.
#[wasm_bindgen]
pub struct Classifier {
    ds: Dataset,
    /// shared with the `Method` handles that guide by it
    net: Rc<RefCell<Mlp<f32>>>,
    scratch: ClassifierScratch<f32>,
    /// the exact Bayes classifier's own prepared mixture (the model's serves the velocity)
    prep: Prepared,
    /// (nx², 2) each: grid points and gradients
    grid: Array2<f32>,
    g: Array2<f32>,
}

impl Classifier {
    /// A classifier handle for network `net` of data set `ds`.
    pub(super) fn with_net(ds: Dataset, net: Mlp<f32>) -> Classifier {
        Classifier {
            scratch: ClassifierScratch::new(&net, 256),
            ds,
            net: Rc::new(RefCell::new(net)),
            prep: Prepared::default(),
            grid: Array2::zeros((0, 2)),
            g: Array2::zeros((0, 2)),
        }
    }

    /// The network, to replace its weights.
    pub(super) fn net_mut(&mut self) -> RefMut<'_, Mlp<f32>> {
        self.net.borrow_mut()
    }

    /// The network, shared (for a `Method` that guides by it).
    pub(super) fn shared(&self) -> Rc<RefCell<Mlp<f32>>> {
        self.net.clone()
    }

    /// Checks that `model` is of this classifier's data set.
    fn check(&self, model: &Model) -> Result<(), JsError> {
        if model.ds.name != self.ds.name || model.ds.n_classes() != self.ds.n_classes() {
            return Err(JsError::new(&format!(
                "the classifier is for data set '{}', the model for '{}'",
                self.ds.name, model.ds.name
            )));
        }
        Ok(())
    }
}

#[wasm_bindgen]
impl Classifier {
    /// A classifier model file (kind "classifier"; JSON text).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> Result<Classifier, JsError> {
        let f = super::json::model_file(text, ModelKind::Classifier)?;
        Ok(Classifier::with_net(f.dataset, f.model))
    }

    /// The data set's name.
    #[wasm_bindgen(getter)]
    pub fn dataset(&self) -> String {
        self.ds.name.clone()
    }

    /// What each method adds to v_u at time t for `class` at scale `w`, on an `nx` × `nx` grid
    /// over [−extent, extent]² (the model's view, rows from the bottom-left): classifier guidance
    /// w·((1 − t)/max(t, 0.02))·∇_x log p(c | x, t) (from this network, or `exact`: the Bayes
    /// classifier of the data) and CFG w·(v_c − v_u) (from `model`'s network, or the exact
    /// mixture). Returns `{points, classifier, cfg}` (Float32Arrays of x, y pairs, copies) and
    /// `longest`, the largest vector length of the two.
    #[wasm_bindgen(js_name = guidanceGrid)]
    pub fn guidance_grid(
        &mut self,
        model: &mut Model,
        class: &str,
        t: f64,
        w: f64,
        nx: f64,
        exact: bool,
    ) -> Result<JsValue, JsError> {
        self.check(model)?;
        let label = model.label(class)?;
        if label as usize >= self.ds.n_classes() {
            return Err(JsError::new("guidance needs a class (not null)"));
        }
        let t = number("t", t, 0.0, 1.0)? as f32;
        let w = number("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)? as f32;
        let nx = whole("nx", nx, 2.0, MAX_CLASSIFIER_GRID as f64)?;
        let m = nx * nx;
        if self.grid.nrows() != m {
            self.grid = Array2::zeros((m, 2));
            self.g = Array2::zeros((m, 2));
        }
        let net = self.net.borrow();
        let mut src = if exact {
            ClassifierSource::Exact { mixture: &model.mix, prep: &mut self.prep }
        } else {
            ClassifierSource::Network { model: &net, scratch: &mut self.scratch }
        };
        let extent = model.ds.extent as f32;
        classifier_grad_grid(&mut src, label, t, extent, nx, nx, self.grid.view_mut(), self.g.view_mut());
        self.g *= guidance_factor(w, t);
        let mut v_u = Array2::zeros((m, 2));
        let mut v = Array2::zeros((m, 2));
        model.eval(self.grid.view(), t, label, Guidance::Unconditional, exact, &mut v_u);
        model.eval(self.grid.view(), t, label, Guidance::Cfg(w), exact, &mut v);
        v -= &v_u;
        let norm = |a: &Array2<f32>| a.rows().into_iter().map(|r| r[0].hypot(r[1])).fold(0.0f32, f32::max);
        let longest = norm(&self.g).max(norm(&v));
        let out = js_sys::Object::new();
        let set = |k: &str, val: JsValue| js_sys::Reflect::set(&out, &k.into(), &val).map(drop);
        let arr = |a: &Array2<f32>| Float32Array::from(a.as_slice().expect("contiguous")).into();
        set("points", arr(&self.grid))
            .and_then(|_| set("classifier", arr(&self.g)))
            .and_then(|_| set("cfg", arr(&v)))
            .and_then(|_| set("longest", JsValue::from_f64(longest as f64)))
            .map_err(|_| JsError::new("could not build the result"))?;
        Ok(out.into())
    }
}

#[wasm_bindgen]
impl Classifier {
    /// An untrained classifier with the architecture a `Trainer.classifier` with the same
    /// arguments builds, ready to receive its weights through `setParams`.
    pub fn untrained(dataset: &str, options: &str) -> Result<Classifier, JsError> {
        let ds = super::json::dataset(dataset, "")?;
        let t = super::json::model_options(options)?.classifier_trainer(ds);
        let t = t.map_err(js)?;
        Ok(Classifier::with_net(t.dataset, t.model))
    }

    /// Replaces every weight (from a `Trainer.classifier` of the same architecture); rejects a
    /// wrong length or non-finite values and then keeps the old weights.
    #[wasm_bindgen(js_name = setParams)]
    pub fn set_params(&mut self, params: &[f32]) -> Result<(), JsError> {
        let mut net = self.net_mut();
        super::check_weights(net.num_params(), params)?;
        net.params.copy_from_slice(params);
        Ok(())
    }
}
