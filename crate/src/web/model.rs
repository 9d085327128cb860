//! A model to sample from: a network and its data set's exact mixture.

use js_sys::Float32Array;
use ndarray::{Array2, ArrayView2};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{js, number, to_js, whole, Flow};
use crate::activations::{self, Probe};
use crate::caps::{MAX_CALL_POINTS, MAX_GUIDANCE, MAX_MAP_SIDE};
use crate::datasets::Dataset;
use crate::descent::TrainConfig;
use crate::field::{Bound, FieldSource, Guidance, NetScratch, VelocityField};
use crate::metrics::{self, Judged, SlicedReference};
use crate::mixture::{Mixture, Prepared};
use crate::mlp::Mlp;
use crate::model_file::{Dtype, ModelFile, ModelKind};
use crate::rng::{self, stream};

/// Reference data drawn behind figures.
const DATA_POINTS: usize = 2000;

/// A network (trained, pretrained or being trained elsewhere) and its data set.
#[wasm_bindgen]
pub struct Model {
    pub(super) ds: Dataset,
    pub(super) mix: Mixture,
    pub(super) net: Mlp<f32>,
    pub(super) scratch: NetScratch,
    pub(super) prep: Prepared,
    pub(super) data: Array2<f32>,
    pub(super) data_labels: Vec<u32>,
    training: TrainConfig,
    steps_done: usize,
    threshold: Option<f64>,
    /// per label (the null label last: the whole data), the reference of the sliced W2 to it
    references: Vec<Option<SlicedReference>>,
    /// inside the network, for the forward-pass figure
    probe: Probe,
}

impl Model {
    fn build(ds: Dataset, net: Mlp<f32>, training: TrainConfig, steps_done: usize) -> Model {
        let (data, data_labels) = ds.sample(DATA_POINTS, &mut rng::seeded(0, stream::DATA));
        Model {
            mix: ds.mixture(),
            scratch: NetScratch::new(&net, 1024),
            probe: Probe::new(&net),
            prep: Prepared::default(),
            ds,
            net,
            data,
            data_labels,
            training,
            steps_done,
            threshold: None,
            references: Vec::new(),
        }
    }

    /// The label of a class name ("null": the null label).
    pub(super) fn label(&self, class: &str) -> Result<u32, JsError> {
        Ok(self.ds.class_label(class).map_err(js)?.unwrap_or(self.ds.n_classes() as u32))
    }

    /// The velocity source: the network, or the exact mixture.
    pub(super) fn source(&mut self, exact: bool) -> FieldSource<'_> {
        self.parts(exact).0
    }

    /// The velocity source (the network, or the exact mixture) and the data's mixture.
    pub(super) fn parts(&mut self, exact: bool) -> (FieldSource<'_>, &Mixture) {
        let Model { mix, net, scratch, prep, .. } = self;
        let source = if exact {
            FieldSource::Exact { mixture: mix, prep }
        } else {
            FieldSource::Network { model: net, scratch }
        };
        (source, mix)
    }

    /// The off-support threshold: the 0.1% quantile of log p over 5,000 reference points (their
    /// 5th lowest log-density), fine for a figure and four times cheaper than the 20,000 of
    /// `cfg-playground eval`.
    fn threshold(&mut self) -> f64 {
        let (ds, mix) = (&self.ds, &self.mix);
        *self.threshold.get_or_insert_with(|| {
            let (all, _) = ds.sample(5_000, &mut rng::seeded(0, stream::EVAL_REF));
            metrics::support_threshold(mix, all.view())
        })
    }

    /// The reference of the sliced W2 to `class` (None: the whole data), made at its first use.
    fn reference(&mut self, class: Option<u32>) -> &mut SlicedReference {
        let n = self.ds.n_classes();
        if self.references.len() != n + 1 {
            self.references = vec![None; n + 1];
        }
        let slot = class.map_or(n, |c| c as usize);
        let ds = &self.ds;
        self.references[slot].get_or_insert_with(|| {
            let mut r = rng::seeded(slot as u64, stream::EVAL_REF);
            let x = match class {
                Some(c) => ds.sample_class(c, W2_REFERENCE, &mut r),
                None => ds.sample(W2_REFERENCE, &mut r).0,
            };
            SlicedReference::new(x.view(), W2_PROJECTIONS, &mut rng::seeded(0, stream::PROJECTIONS))
        })
    }

    /// Evaluates the field at `x` (n, 2) into `v`.
    pub(super) fn eval(
        &mut self,
        x: ArrayView2<f32>,
        t: f32,
        label: u32,
        g: Guidance,
        exact: bool,
        v: &mut Array2<f32>,
    ) {
        let labels = [label];
        let mut src = self.source(exact);
        Bound { source: &mut src, labels: &labels, guidance: g }.eval(x, t, v.view_mut());
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FlowMetrics {
    hit_rate: f64,
    diversity: f64,
    off_support: f64,
    straightness: f64,
    calls_per_sample: usize,
    /// sliced W2 to the class (the whole data for unconditional flows)
    sliced_w2: f64,
}

/// Reference points of the sliced W2 to a class: its noise is well under the lab's bands.
const W2_REFERENCE: usize = 4000;
/// Directions of the sliced W2 (as `cfg-playground eval`).
const W2_PROJECTIONS: usize = 64;
/// Most bootstrap resamples `bands` takes.
const MAX_RESAMPLES: usize = 1000;

/// The noise of a sample set's numbers: each one's standard deviation over bootstrap resamples.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bands {
    hit_rate: f64,
    diversity: f64,
    off_support: f64,
    sliced_w2: f64,
}

#[wasm_bindgen]
impl Model {
    /// A model file's network (the file's JSON text).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> Result<Model, JsError> {
        let f = super::json::model_file(text, ModelKind::Velocity)?;
        Ok(Model::build(f.dataset, f.model, f.training, f.steps_done))
    }

    /// An untrained network with the architecture a `Trainer` with the same arguments builds,
    /// ready to receive its weights through `setParams`.
    pub fn untrained(dataset: &str, options: &str, drawn: &str) -> Result<Model, JsError> {
        let ds = super::json::dataset(dataset, drawn)?;
        let o = super::json::model_options(options)?;
        let t = o.trainer(ds).map_err(js)?;
        Ok(Model::build(t.dataset, t.model, t.config, 0))
    }

    /// The data set's name ("custom" for drawn data).
    #[wasm_bindgen(getter)]
    pub fn dataset(&self) -> String {
        self.ds.name.clone()
    }

    /// Class names, in label order.
    #[wasm_bindgen(js_name = classNames)]
    pub fn class_names(&self) -> Vec<String> {
        self.ds.class_names().iter().map(|s| s.to_string()).collect()
    }

    /// Half-width of the square view that shows the data and the noise.
    #[wasm_bindgen(getter)]
    pub fn extent(&self) -> f64 {
        self.ds.extent
    }

    /// Training steps behind these weights.
    #[wasm_bindgen(getter, js_name = stepsDone)]
    pub fn steps_done(&self) -> f64 {
        self.steps_done as f64
    }

    /// Number of weights.
    #[wasm_bindgen(getter, js_name = paramCount)]
    pub fn param_count(&self) -> f64 {
        self.net.num_params() as f64
    }

    /// Whether this network is a distilled student (w as its one extra input; flows follow one
    /// through the `student` method of `Flow.advanceFor`).
    #[wasm_bindgen(getter, js_name = isStudent)]
    pub fn is_student(&self) -> bool {
        self.net.config().n_extra == 1
    }

    /// A copy of every weight.
    pub fn params(&self) -> Float32Array {
        Float32Array::from(self.net.params.as_slice())
    }

    /// Replaces every weight (from a `Trainer` of the same architecture); rejects a wrong length
    /// or non-finite values and then keeps the old weights.
    #[wasm_bindgen(js_name = setParams)]
    pub fn set_params(&mut self, params: &[f32], steps_done: f64) -> Result<(), JsError> {
        super::check_weights(self.net.num_params(), params)?;
        self.steps_done = super::whole("stepsDone", steps_done, 0.0, 1e9)?;
        self.net.params.copy_from_slice(params);
        Ok(())
    }

    /// The model as a model file (JSON text), weights stored as "f32" or "f16".
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self, dtype: &str) -> Result<String, JsError> {
        let dtype = Dtype::parse(dtype).map_err(js)?;
        let f =
            ModelFile::new(self.ds.clone(), self.net.clone(), self.training.clone(), self.steps_done, None);
        super::json::stringify(&f.document(dtype, ModelKind::Velocity))
    }

    /// The reference data as x, y, label triples (a copy).
    pub fn data(&self) -> Float32Array {
        let mut out = Vec::with_capacity(self.data.nrows() * 3);
        for (p, &l) in self.data.rows().into_iter().zip(&self.data_labels) {
            out.extend_from_slice(&[p[0], p[1], l as f32]);
        }
        Float32Array::from(out.as_slice())
    }

    /// Velocities at points `xy` (x0, y0, x1, y1, ...) at time t for `class` and guidance w:
    /// six numbers per point, v_u (2), v_c (2) and v = v_u + w·(v_c − v_u) (2).
    pub fn velocities(
        &mut self,
        xy: &[f32],
        t: f64,
        class: &str,
        w: f64,
        exact: bool,
    ) -> Result<Float32Array, JsError> {
        if xy.len() % 2 != 0 || xy.len() > 2 * MAX_CALL_POINTS {
            return Err(JsError::new(&format!("xy must hold x, y pairs (at most {MAX_CALL_POINTS} points)")));
        }
        if let Some(i) = xy.iter().position(|v| !v.is_finite()) {
            return Err(JsError::new(&format!("xy[{i}] is not finite")));
        }
        let t = number("t", t, 0.0, 1.0)? as f32;
        let w = number("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)? as f32;
        let label = self.label(class)?;
        let n = xy.len() / 2;
        let x = ArrayView2::from_shape((n, 2), xy).expect("pairs");
        let mut out = vec![0.0f32; n * 6];
        let mut v = Array2::zeros((n, 2));
        for (slot, g) in
            [Guidance::Unconditional, Guidance::Conditional, Guidance::Cfg(w)].into_iter().enumerate()
        {
            self.eval(x, t, label, g, exact, &mut v);
            for i in 0..n {
                out[i * 6 + slot * 2] = v[[i, 0]];
                out[i * 6 + slot * 2 + 1] = v[[i, 1]];
            }
        }
        Ok(Float32Array::from(out.as_slice()))
    }

    /// Widths of the network's layers as the forward-pass figure draws them: the input row (x, y,
    /// the Fourier features of t, the class embedding), each hidden layer, the output.
    #[wasm_bindgen(js_name = layerSizes)]
    pub fn layer_sizes(&self) -> Vec<u32> {
        activations::layer_sizes(self.net.config()).into_iter().map(|n| n as u32).collect()
    }

    /// Names of the input row's columns: x, y, t, sin πt, cos πt, ..., c1, c2, ... (the class
    /// embedding).
    #[wasm_bindgen(js_name = inputLabels)]
    pub fn input_labels(&self) -> Vec<String> {
        activations::input_labels(self.net.config())
    }

    /// The network's forward pass at point (x, y) and time t, as a CFG batch: the row of `class`
    /// and the null row in one pass. Returns every layer's activations of the class row (the
    /// layers of `layerSizes` one after another, the output v_c last), then the same for the null
    /// row (its output is v_u), then v = v_u + w·(v_c − v_u) (2 values). A view into wasm memory,
    /// valid until the next call.
    #[wasm_bindgen(js_name = forwardPass)]
    pub fn forward_pass(
        &mut self,
        x: f64,
        y: f64,
        t: f64,
        class: &str,
        w: f64,
    ) -> Result<Float32Array, JsError> {
        let e = 4.0 * self.ds.extent;
        let p = [number("x", x, -e, e)? as f32, number("y", y, -e, e)? as f32];
        let t = number("t", t, 0.0, 1.0)? as f32;
        let w = number("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)? as f32;
        let label = self.label(class)?;
        let out = self.probe.cfg_batch(&self.net, p, t, label, w).map_err(js)?;
        // SAFETY: a view into wasm memory, documented as valid only until the next call.
        Ok(unsafe { Float32Array::view(out) })
    }

    /// Unit `unit` of layer `layer` (0 the input, then the hidden layers, the output last) at
    /// time t for `class`, over the data window [−extent, extent]² on an n × n grid of cell
    /// centres (n from 2 to 64): row-major from the top-left, as an image. A view into wasm
    /// memory, valid until the next call.
    #[wasm_bindgen(js_name = unitMap)]
    pub fn unit_map(
        &mut self,
        layer: f64,
        unit: f64,
        t: f64,
        class: &str,
        n: f64,
    ) -> Result<Float32Array, JsError> {
        let layer = whole("layer", layer, 0.0, 1e6)?;
        let unit = whole("unit", unit, 0.0, 1e6)?;
        let t = number("t", t, 0.0, 1.0)? as f32;
        let n = whole("n", n, 2.0, MAX_MAP_SIDE as f64)?;
        let label = self.label(class)?;
        let extent = self.ds.extent as f32;
        let map = self.probe.unit_map(&self.net, layer, unit, t, label, n, extent).map_err(js)?;
        // SAFETY: a view into wasm memory, documented as valid only until the next call.
        Ok(unsafe { Float32Array::view(map) })
    }

    /// The weights on the selected unit's edges: for a hidden or output unit (`layer` ≥ 1) the
    /// weights into it from each unit of the layer before; for an input (`layer` 0) the weights
    /// from it into each unit of the first hidden layer (a copy).
    #[wasm_bindgen(js_name = unitWeights)]
    pub fn unit_weights(&self, layer: f64, unit: f64) -> Result<Float32Array, JsError> {
        let layer = whole("layer", layer, 0.0, 1e6)?;
        let unit = whole("unit", unit, 0.0, 1e6)?;
        let (w, _) = activations::unit_weights(&self.net, layer, unit).map_err(js)?;
        Ok(Float32Array::from(w.as_slice()))
    }

    /// Each class's mean and covariance under the data: `[{mean: [x, y], cov: [xx, xy, yy]}]`.
    #[wasm_bindgen(js_name = classMoments)]
    pub fn class_moments(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Moments {
            mean: [f64; 2],
            cov: [f64; 3],
        }
        let out: Vec<Moments> = (0..self.ds.n_classes() as u32)
            .map(|c| {
                let (mean, s) = self.mix.moments(Some(c));
                Moments { mean, cov: [s.xx, s.xy, s.yy] }
            })
            .collect();
        to_js(&out)
    }

    /// Share of a finished flow's samples whose most likely class (under the true data) is the
    /// flow's class (1 for unconditional flows); null while the flow is still moving. Cheaper
    /// than `metrics`.
    #[wasm_bindgen(js_name = hitRate)]
    pub fn hit_rate(&self, flow: &Flow) -> Result<JsValue, JsError> {
        if flow.n_classes != self.ds.n_classes() as u32 {
            return Err(JsError::new("this flow belongs to a model with other classes"));
        }
        if flow.p.stats().is_none() {
            return Ok(JsValue::NULL);
        }
        let classes = metrics::classify(&self.mix, flow.p.positions());
        let class = (flow.label < self.ds.n_classes() as u32).then_some(flow.label);
        Ok(JsValue::from_f64(class.map_or(1.0, |c| metrics::hit_rate(&classes, c))))
    }

    /// How a finished flow did: `{hitRate, diversity, offSupport, straightness, callsPerSample,
    /// slicedW2}` (hit rate, diversity and sliced W2 against the flow's class; for unconditional
    /// flows against the whole data). Null while the flow is still moving.
    pub fn metrics(&mut self, flow: &Flow) -> Result<JsValue, JsError> {
        if flow.n_classes != self.ds.n_classes() as u32 {
            return Err(JsError::new("this flow belongs to a model with other classes"));
        }
        let Some(stats) = flow.p.stats() else { return Ok(JsValue::NULL) };
        let x = flow.p.positions();
        let class = (flow.label < self.ds.n_classes() as u32).then_some(flow.label);
        let classes = metrics::classify(&self.mix, x);
        let threshold = self.threshold();
        let sliced_w2 = self.reference(class).distance(x, None);
        to_js(&FlowMetrics {
            hit_rate: class.map_or(1.0, |c| metrics::hit_rate(&classes, c)),
            diversity: metrics::diversity(x, &self.mix, class),
            off_support: metrics::off_support(&self.mix, x, threshold),
            straightness: stats.straightness,
            calls_per_sample: stats.calls_per_sample,
            sliced_w2,
        })
    }

    /// The noise of `metrics`' numbers for samples `xy` (x, y pairs, say a finished flow's
    /// positions) of `class` ("null": unconditional): `{hitRate, diversity, offSupport,
    /// slicedW2}`, each the standard deviation over `resamples` bootstrap resamples drawn with
    /// `seed`. Costs about `resamples` times `metrics`: for a worker.
    pub fn bands(&mut self, class: &str, xy: &[f32], resamples: f64, seed: f64) -> Result<JsValue, JsError> {
        let label = self.label(class)?;
        let class = (label < self.ds.n_classes() as u32).then_some(label);
        if xy.len() < 4 || xy.len() % 2 != 0 || xy.len() > 2 * crate::caps::MAX_PARTICLES {
            return Err(JsError::new(&format!(
                "bands need 2 to {} samples as x, y pairs, got {} numbers",
                crate::caps::MAX_PARTICLES,
                xy.len()
            )));
        }
        let reps = whole("resamples", resamples, 2.0, MAX_RESAMPLES as f64)?;
        let seed = whole("seed", seed, 0.0, u32::MAX as f64)? as u64;
        let x = ArrayView2::from_shape((xy.len() / 2, 2), xy).expect("pairs");
        let classes = metrics::classify(&self.mix, x);
        let threshold = self.threshold();
        let hit: Vec<bool> = classes.iter().map(|&c| class.is_none_or(|k| c == k)).collect();
        let off: Vec<bool> =
            metrics::log_density(&self.mix, x).iter().map(|&l| l.is_nan() || l < threshold).collect();
        let class_trace = self.mix.moments(class).1.trace();
        let j = Judged { x, hit: &hit, off: &off, class_trace };
        let b = metrics::bootstrap(&j, self.reference(class), reps, &mut rng::seeded(seed, stream::RESAMPLE));
        to_js(&Bands {
            hit_rate: b.hit_rate,
            diversity: b.diversity,
            off_support: b.off_support,
            sliced_w2: b.sliced_w2,
        })
    }
}
