//! A live figure's state: a model being trained, the samples it draws and the pixels shown.
//! Plain Rust, tested natively; `web.rs` wraps it in an opaque handle for JavaScript.
//! Every entry point checks its arguments against documented caps and returns an error.

use ndarray::{s, Array2, ArrayView2};
use serde::Deserialize;

use crate::activation::Activation;
use crate::datasets::Dataset;
use crate::error::{check_count, check_range, Result};
use crate::evaluate::{guidance_for, MAX_GUIDANCE};
use crate::field::{ExactField, NetScratch, NetworkField};
use crate::flow::{TrainConfig, Trainer};
use crate::invalid;
use crate::mixture::{Mixture, Prepared};
use crate::mlp::MlpConfig;
use crate::model_file::{Dtype, ModelFile};
use crate::render::{class_color, Image, View};
use crate::rng::{self, stream};
use crate::sampler::{noise_into, Integrator, SampleStats, Solver};

/// Largest number of points a session samples at once.
pub const MAX_SESSION_POINTS: usize = 200_000;
/// Largest number of sampler steps in a session.
pub const MAX_SESSION_STEPS: usize = 1000;
/// Largest number of training steps in one call.
pub const MAX_TRAIN_CALL: usize = 10_000;

/// Model and training settings; every field is optional (defaults below).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SessionOptions {
    pub width: usize,
    pub depth: usize,
    pub activation: String,
    pub residual: bool,
    pub lr: f64,
    pub batch: usize,
    pub dropout: f64,
    /// Length of the run (sets the cosine schedule).
    pub steps: usize,
    pub seed: u64,
}

impl Default for SessionOptions {
    fn default() -> Self {
        let t = TrainConfig::default();
        SessionOptions {
            width: 64,
            depth: 3,
            activation: "silu".into(),
            residual: false,
            lr: t.lr,
            batch: 256,
            dropout: t.dropout,
            steps: 3000,
            seed: 0,
        }
    }
}

/// What to sample.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleRequest {
    /// Class label, or None for unconditional samples.
    pub class: Option<u32>,
    pub guidance: f32,
    pub steps: usize,
    pub solver: Solver,
    pub n: usize,
    pub seed: u64,
    /// Follow the exact mixture velocity instead of the network.
    pub exact: bool,
}

/// A model, its samples, and the reference data drawn behind them.
pub struct Session {
    trainer: Trainer,
    mixture: Mixture,
    prep: Prepared,
    scratch: NetScratch,
    integrator: Integrator,
    /// (capacity, 2); the first `n` rows are the last samples
    points: Array2<f32>,
    n: usize,
    label: u32,
    stats: SampleStats,
    data: Array2<f32>,
    data_labels: Vec<u32>,
    image: Image,
}

impl Session {
    /// A fresh model for data set `dataset`.
    pub fn new(dataset: &str, o: &SessionOptions) -> Result<Session> {
        let dataset = Dataset::by_name(dataset)?;
        let activation = Activation::parse(&o.activation)
            .ok_or_else(|| invalid!("activation must be silu or relu, got '{}'", o.activation))?;
        let mut arch = MlpConfig::velocity(dataset.n_classes(), o.width, o.depth);
        arch.activation = activation;
        arch.residual = o.residual;
        arch.validate()?;
        check_count("batch", o.batch as i64, 1, 4096)?;
        let config = TrainConfig {
            steps: o.steps,
            batch: o.batch,
            lr: o.lr,
            dropout: o.dropout,
            seed: o.seed,
            ..TrainConfig::default()
        };
        Ok(Self::with_trainer(Trainer::new(dataset, arch, config)?))
    }

    /// A session around a model file's network (training continues from it).
    pub fn from_model(bytes: &[u8]) -> Result<Session> {
        let f = ModelFile::from_json(bytes)?;
        let config = TrainConfig { batch: f.training.batch.min(4096), ..f.training.clone() };
        Ok(Self::with_trainer(Trainer::with_model(f.dataset, f.model, config)))
    }

    fn with_trainer(trainer: Trainer) -> Session {
        let mixture = trainer.dataset.mixture();
        let mut data_rng = rng::seeded(0, stream::DATA);
        let (data, data_labels) = trainer.dataset.sample(2000, &mut data_rng);
        Session {
            scratch: NetScratch::new(&trainer.model, 1024),
            trainer,
            mixture,
            prep: Prepared::default(),
            integrator: Integrator::new(0),
            points: Array2::zeros((0, 2)),
            n: 0,
            label: 0,
            stats: SampleStats::default(),
            data,
            data_labels,
            image: Image::default(),
        }
    }

    /// The data set.
    pub fn dataset(&self) -> &Dataset {
        &self.trainer.dataset
    }

    /// The trainer (model, optimiser, settings).
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// Runs `steps` training steps; returns their mean loss. A non-finite loss is an error and
    /// the step count tells where it happened.
    pub fn train(&mut self, steps: usize) -> Result<f32> {
        check_count("steps", steps as i64, 1, MAX_TRAIN_CALL as i64)?;
        let loss = self.trainer.train(steps);
        if !loss.is_finite() {
            return Err(invalid!(
                "training diverged by step {} (loss {loss}); lower the learning rate",
                self.trainer.steps_done()
            ));
        }
        Ok(loss)
    }

    /// The label of a class name ("null": unconditional).
    pub fn class_label(&self, name: &str) -> Result<Option<u32>> {
        self.trainer.dataset.class_label(name)
    }

    /// Samples `req.n` points from fresh noise (seeded) into the session's point buffer.
    pub fn sample(&mut self, req: &SampleRequest) -> Result<SampleStats> {
        let n = check_count("n", req.n as i64, 1, MAX_SESSION_POINTS as i64)?;
        let steps = check_count("steps", req.steps as i64, 1, MAX_SESSION_STEPS as i64)?;
        check_range("guidance", req.guidance as f64, -MAX_GUIDANCE, MAX_GUIDANCE)?;
        let k = self.trainer.dataset.n_classes() as u32;
        if let Some(c) = req.class {
            if c >= k {
                return Err(invalid!("class {c} out of range (the data set has {k} classes)"));
            }
        }
        if self.points.nrows() < n {
            self.points = Array2::zeros((n, 2));
            self.integrator = Integrator::new(n);
        }
        let mut x = self.points.slice_mut(s![..n, ..]);
        noise_into(&mut rng::seeded(req.seed, stream::SAMPLE), x.view_mut());
        let label = req.class.unwrap_or(k);
        let labels = [label];
        let guidance = guidance_for(req.class, req.guidance);
        self.stats = if req.exact {
            let mut f =
                ExactField { mixture: &self.mixture, prep: &mut self.prep, labels: &labels, guidance };
            self.integrator.run(&mut f, x, steps, req.solver, None)
        } else {
            let model = &self.trainer.model;
            let mut f =
                NetworkField { model, scratch: &mut self.scratch, labels: &labels, guidance, extra: &[] };
            self.integrator.run(&mut f, x, steps, req.solver, None)
        };
        self.n = n;
        self.label = label;
        Ok(self.stats)
    }

    /// The last samples: (n, 2).
    pub fn points(&self) -> ArrayView2<'_, f32> {
        self.points.slice(s![..self.n, ..])
    }

    /// What the last sampling run measured.
    pub fn stats(&self) -> SampleStats {
        self.stats
    }

    /// Fraction of the last samples whose most likely class is the requested one.
    pub fn hit_rate(&self) -> f64 {
        let classes = crate::metrics::classify(&self.mixture, self.points());
        crate::metrics::hit_rate(&classes, self.label)
    }

    /// Draws the reference data (faint, by class) and the last samples into a
    /// `width` × `height` image of the data set's square view; returns the RGBA bytes.
    pub fn render(&mut self, width: usize, height: usize, dot_radius: f32) -> Result<&[u8]> {
        check_count("width", width as i64, 1, crate::render::MAX_SIDE as i64)?;
        check_count("height", height as i64, 1, crate::render::MAX_SIDE as i64)?;
        check_range("dot radius", dot_radius as f64, 0.1, 50.0)?;
        let view = View::square(self.trainer.dataset.extent as f32);
        let k = self.trainer.dataset.n_classes();
        self.image.reset(width, height);
        let data_labels = &self.data_labels;
        self.image.dots(&view, self.data.view(), dot_radius, 0.18, |i| class_color(data_labels[i], k));
        let color = class_color(self.label, k);
        let pts = self.points.slice(s![..self.n, ..]);
        self.image.dots(&view, pts, dot_radius, 0.7, |_| color);
        Ok(&self.image.rgba)
    }

    /// The model as a model file.
    pub fn model_json(&self, dtype: Dtype) -> String {
        ModelFile {
            dataset: self.trainer.dataset.clone(),
            model: self.trainer.model.clone(),
            training: self.trainer.config.clone(),
            steps_done: self.trainer.steps_done(),
            final_loss: Some(self.trainer.last_loss()).filter(|l| l.is_finite()),
        }
        .to_json(dtype)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(n: usize) -> SampleRequest {
        SampleRequest {
            class: Some(0),
            guidance: 2.0,
            steps: 10,
            solver: Solver::Euler,
            n,
            seed: 1,
            exact: false,
        }
    }

    #[test]
    fn a_session_trains_samples_and_renders() {
        let mut s =
            Session::new("face", &SessionOptions { width: 16, depth: 2, ..Default::default() }).unwrap();
        let first = s.train(20).unwrap();
        let later = s.train(200).unwrap();
        assert!(later < first);
        let st = s.sample(&req(300)).unwrap();
        assert_eq!(st.calls_per_sample, 20);
        assert_eq!(s.points().nrows(), 300);
        let px = s.render(64, 48, 1.5).unwrap();
        assert_eq!(px.len(), 64 * 48 * 4);
        assert!(px.chunks(4).any(|p| p[3] > 0));
    }

    #[test]
    fn bad_requests_are_errors_that_name_the_field() {
        let mut s =
            Session::new("face", &SessionOptions { width: 8, depth: 1, ..Default::default() }).unwrap();
        let e = |r: Result<SampleStats>| r.unwrap_err().to_string();
        assert!(e(s.sample(&req(0))).contains("n must be"));
        assert!(e(s.sample(&SampleRequest { guidance: f32::NAN, ..req(5) })).contains("guidance"));
        assert!(e(s.sample(&SampleRequest { steps: 0, ..req(5) })).contains("steps"));
        assert!(e(s.sample(&SampleRequest { class: Some(3), ..req(5) })).contains("class 3"));
        assert!(s.train(0).is_err());
        assert!(s.render(0, 10, 1.0).is_err());
        assert!(Session::new("nope", &SessionOptions::default()).is_err());
        assert!(Session::new("face", &SessionOptions { width: 0, ..Default::default() }).is_err());
        assert!(Session::new("face", &SessionOptions { lr: f64::INFINITY, ..Default::default() }).is_err());
        // the session still works after the errors
        assert!(s.sample(&req(5)).is_ok());
    }

    #[test]
    fn model_files_round_trip_through_a_session() {
        let mut s =
            Session::new("two-moons", &SessionOptions { width: 8, depth: 2, ..Default::default() }).unwrap();
        s.train(5).unwrap();
        let json = s.model_json(Dtype::F32);
        let t = Session::from_model(json.as_bytes()).unwrap();
        assert_eq!(t.trainer().model.params, s.trainer().model.params);
        assert_eq!(t.trainer().steps_done(), 0);
    }
}
