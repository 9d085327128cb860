//! The post's "v ← T·v": a time rescaling of CFG's velocity, not a temperature
//! (`crate::temperature`).

use serde::Serialize;

use super::rule::{MethodRule, On};
use crate::caps::MAX_VELOCITY_SCALE;
use crate::error::{check_range, Result};
use crate::field::VelocityField;
use crate::temperature::{Clock, ScaledVelocity};

/// T·v read at the sampler's own clock (the post's loop, the CLI's default) or at T·t (an
/// exact time rescaling, the page's figure): see [`Clock`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct VelocityScale {
    pub temperature: f32,
    pub clock: Clock,
}

impl MethodRule for VelocityScale {
    fn validate(&self) -> Result<()> {
        check_range("temperature", self.temperature as f64, 0.0, MAX_VELOCITY_SCALE).map(drop)
    }

    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        let mut inner = on.cfg();
        f(&mut ScaledVelocity { inner: &mut inner, scale: self.temperature, clock: self.clock })
    }
}
