//! Classifier guidance as a method: v_u + λ·((1−t)/t)·∇log p(c|x_t), λ = w(t), with a
//! classifier network or the exact Bayes classifier (`crate::classifier::guided`).

use serde::Serialize;

use super::rule::{MethodRule, On};
use super::schedule::Schedule;
use crate::classifier::guided::ClassifierGuided;
use crate::error::Result;
use crate::field::{Guidance, VelocityField};

/// Classifier guidance at λ = w (following `schedule`), with a classifier network or the
/// exact Bayes classifier of the data's mixture. Without a class: the unconditional flow.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Classifier {
    #[serde(skip_serializing_if = "Schedule::is_constant")]
    pub schedule: Schedule,
}

impl MethodRule for Classifier {
    fn validate(&self) -> Result<()> {
        self.schedule.validate()
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }

    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        if on.class.is_none() {
            return f(&mut on.cfg());
        }
        let classifier = on.classifier.expect("checked by MethodField::new");
        f(&mut ClassifierGuided {
            velocity: on.velocity,
            classifier,
            labels: on.labels,
            base: Guidance::Unconditional,
            scale: on.w_t,
        })
    }
}
