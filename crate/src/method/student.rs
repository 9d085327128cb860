//! A distilled student (`crate::distill`): one network call at w, w as its input.

use serde::Serialize;

use super::rule::{MethodRule, On};
use crate::field::{FieldSource, Guidance, NetworkField, VelocityField};

/// A distilled student's velocity, conditional, with w as its extra input (its row needs a
/// student network: `MethodField::new` checks it).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Student;

impl MethodRule for Student {
    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        let FieldSource::Network { model, scratch } = on.velocity else {
            unreachable!("MethodField::new checked the student")
        };
        f(&mut NetworkField {
            model,
            scratch,
            labels: on.labels,
            guidance: Guidance::Conditional,
            extra: std::slice::from_ref(&on.w),
        })
    }
}
