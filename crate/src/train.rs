//! One interface over every trainer: [`Train`] runs a slice of steps, counts them, and gives the
//! model file out. The flow model ([`crate::flow::Trainer`]), the classifier
//! ([`crate::classifier::ClassifierTrainer`]), reflow ([`crate::reflow::Reflow`]) and guidance
//! distillation ([`crate::distill::Distillation`]) implement it here; the command line's `train`
//! and the page's `Trainer` handle drive any of them through it.

use crate::classifier::ClassifierTrainer;
use crate::datasets::Dataset;
use crate::descent::TrainConfig;
use crate::distill::Distillation;
use crate::error::Result;
use crate::flow::Trainer;
use crate::invalid;
use crate::mlp::Mlp;
use crate::model_file::{Dtype, ModelFile, ModelKind};
use crate::reflow::Reflow;

/// A loss above this is divergence ([`Train::run`]): every trainer's targets are O(1) to O(10)
/// (velocities, or a cross-entropy of a few nats), so a network that is learning has a loss far
/// below it; an exploding one (a learning rate of 10, say) passes 1e6 on its way to 1e30 or to
/// infinity.
pub const DIVERGED_LOSS: f64 = 1e6;

/// What a trainer trains, on what, with which settings: [`Train::parts`].
pub struct Parts<'a> {
    /// The network as it is now.
    pub model: &'a Mlp<f32>,
    /// The data set the model file names.
    pub dataset: &'a Dataset,
    /// The training settings the model file records.
    pub training: TrainConfig,
    /// The run's planned length.
    pub total_steps: usize,
}

impl<'a> Parts<'a> {
    /// The parts of a trainer of one network by one `TrainConfig` (the flow's, the
    /// classifier's): the run is `config.steps` long.
    pub fn of(model: &'a Mlp<f32>, dataset: &'a Dataset, config: &TrainConfig) -> Parts<'a> {
        Parts { model, dataset, training: config.clone(), total_steps: config.steps }
    }
}

/// A network being trained, one step at a time.
pub trait Train {
    /// One step; returns its loss (an error: no step was taken).
    fn step(&mut self) -> Result<f32>;
    /// Steps done so far.
    fn steps_done(&self) -> usize;
    /// The loss of the last step (NaN before the first).
    fn last_loss(&self) -> f32;
    /// The network, its data set, the settings and the run's length.
    fn parts(&self) -> Parts<'_>;
    /// The run's planned length.
    fn total_steps(&self) -> usize {
        self.parts().total_steps
    }
    /// The network as it is now.
    fn model(&self) -> &Mlp<f32> {
        self.parts().model
    }
    /// The data set the model file names.
    fn dataset(&self) -> &Dataset {
        self.parts().dataset
    }
    /// The training settings the model file records.
    fn training(&self) -> TrainConfig {
        self.parts().training
    }
    /// What the network computes (the model file's `kind`).
    fn kind(&self) -> ModelKind {
        ModelKind::Velocity
    }
    /// The share of the last batch classified right, for a classifier.
    fn last_accuracy(&self) -> Option<f64> {
        None
    }

    /// Runs up to `n` steps, stopping at the first that diverges: a non-finite loss or weight,
    /// or a loss above [`DIVERGED_LOSS`]. Returns the mean loss, or an error naming the step.
    fn run(&mut self, n: usize) -> Result<f32> {
        let mut total = 0.0f64;
        for _ in 0..n {
            let loss = self.step()?;
            if !loss.is_finite()
                || loss as f64 > DIVERGED_LOSS
                || self.model().params.iter().any(|p| !p.is_finite())
            {
                return Err(invalid!(
                    "training diverged at step {} (loss {loss}); lower the learning rate",
                    self.steps_done()
                ));
            }
            total += loss as f64;
        }
        Ok((total / n.max(1) as f64) as f32)
    }

    /// The network as it is now, as a model file.
    fn model_file(&self) -> ModelFile {
        let parts = self.parts();
        ModelFile::new(
            parts.dataset.clone(),
            parts.model.clone(),
            parts.training,
            self.steps_done(),
            Some(self.last_loss()).filter(|l| l.is_finite()),
        )
    }
}

impl dyn Train {
    /// The model file as JSON text, weights stored as `dtype` (the command line's). Not a method
    /// of the trait: every method of a trait object is linked where the object is, and the page's
    /// wasm writes its model files through the browser (`web::json`) instead of serde_json.
    pub fn to_json(&self, dtype: Dtype) -> String {
        self.model_file().to_json_kind(dtype, self.kind())
    }
}

impl Train for Trainer {
    fn step(&mut self) -> Result<f32> {
        Ok(Trainer::step(self))
    }
    fn steps_done(&self) -> usize {
        Trainer::steps_done(self)
    }
    fn last_loss(&self) -> f32 {
        Trainer::last_loss(self)
    }
    fn parts(&self) -> Parts<'_> {
        Parts::of(&self.model, &self.dataset, &self.config)
    }
}

impl Train for ClassifierTrainer {
    fn step(&mut self) -> Result<f32> {
        Ok(ClassifierTrainer::step(self).loss as f32)
    }
    fn steps_done(&self) -> usize {
        ClassifierTrainer::steps_done(self)
    }
    fn last_loss(&self) -> f32 {
        self.last().loss as f32
    }
    fn parts(&self) -> Parts<'_> {
        Parts::of(&self.model, &self.dataset, &self.config)
    }
    fn kind(&self) -> ModelKind {
        ModelKind::Classifier
    }
    fn last_accuracy(&self) -> Option<f64> {
        Some(self.last().accuracy)
    }
}

impl Train for Reflow {
    fn step(&mut self) -> Result<f32> {
        Reflow::step(self)
    }
    fn steps_done(&self) -> usize {
        Reflow::steps_done(self)
    }
    fn last_loss(&self) -> f32 {
        self.trainer().last_loss()
    }
    fn parts(&self) -> Parts<'_> {
        Parts {
            model: &self.trainer().model,
            dataset: Reflow::dataset(self),
            training: Reflow::training(self),
            total_steps: Reflow::total_steps(self),
        }
    }
}

impl Train for Distillation {
    fn step(&mut self) -> Result<f32> {
        Distillation::step(self)
    }
    fn steps_done(&self) -> usize {
        self.distiller.steps_done()
    }
    fn last_loss(&self) -> f32 {
        self.distiller.last_loss()
    }
    fn parts(&self) -> Parts<'_> {
        Parts {
            model: &self.distiller.student,
            dataset: &self.dataset,
            training: self.training.clone(),
            total_steps: self.distiller.config.steps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distill::StudentStart;
    use crate::mlp::MlpConfig;
    use crate::reflow::{rectify, PairConfig, ReflowConfig};

    fn small() -> TrainConfig {
        TrainConfig { steps: 6, batch: 16, ..TrainConfig::default() }
    }

    fn flow() -> Trainer {
        let d = Dataset::by_name("face").unwrap();
        let mut t = Trainer::new(d.clone(), MlpConfig::velocity(d.n_classes(), 8, 1), small()).unwrap();
        t.train(6);
        t
    }

    #[test]
    fn a_reflow_run_is_its_rounds_one_after_another() {
        let t = flow();
        let pairs = PairConfig { n_per_class: 20, n_null: 20, steps: 4, seed: 3, ..PairConfig::default() };
        let cfg = ReflowConfig { pairs, train: TrainConfig { seed: 5, ..small() } };
        let mut run = Reflow::new(&t.dataset, &t.model, &cfg, 2).unwrap();
        assert_eq!((Train::steps_done(&run), Train::total_steps(&run)), (0, 12));
        let loss = run.run(12).unwrap();
        assert!(loss.is_finite());
        assert_eq!((Train::steps_done(&run), run.round()), (12, 1));
        let rounds = rectify(&t.dataset, &t.model, &cfg, 2).unwrap();
        assert_eq!(Train::model(&run).params, rounds[1].params, "bit for bit");
        let f = run.model_file();
        assert_eq!((f.steps_done, f.training.seed, f.training.dropout), (12, 5, 0.0));
    }

    #[test]
    fn every_trainer_writes_its_model_file() {
        let d = Dataset::by_name("face").unwrap();
        let arch = crate::classifier::classifier_arch(d.n_classes(), 8, 1);
        let mut c = ClassifierTrainer::new(d.clone(), arch, small()).unwrap();
        assert!(c.last_accuracy().unwrap().is_nan() && c.model_file().final_loss.is_none());
        c.run(3).unwrap();
        let (f, kind) = ModelFile::from_json_any((&c as &dyn Train).to_json(Dtype::F32).as_bytes()).unwrap();
        assert_eq!((kind, f.steps_done, f.final_loss), (ModelKind::Classifier, 3, Some(c.last_loss())));
        assert_eq!(f.model.params, c.model.params);

        let t = flow();
        let mut s =
            Distillation::new(d.clone(), t.model.clone(), small(), 4.0, StudentStart::Teacher).unwrap();
        s.run(2).unwrap();
        let f = ModelFile::from_json((&s as &dyn Train).to_json(Dtype::F32).as_bytes()).unwrap();
        assert_eq!((f.steps_done, f.model.config().n_extra, f.training), (2, 1, small()));
        let e = Distillation::new(d.clone(), f.model, small(), 4.0, StudentStart::Fresh).unwrap_err();
        assert!(e.to_string().contains("teacher must be a velocity model"), "{e}");
    }
}
