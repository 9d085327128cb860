//! Rectified CFG as a method: its rule and field are in `crate::rcfg` ([`RectifiedCfg`],
//! [`RcfgField`]); without a class it is the unconditional flow.

pub use crate::rcfg::RectifiedCfg;

use super::rule::{MethodRule, On};
use crate::error::Result;
use crate::field::VelocityField;
use crate::rcfg::{RcfgField, RcfgScratch};

impl MethodRule for RectifiedCfg {
    fn validate(&self) -> Result<()> {
        RectifiedCfg::validate(self)
    }

    /// The corrector's buffers.
    fn prepare(&self, state: &mut super::MethodState, rows: usize) {
        let scratch = state.own::<Option<RcfgScratch>>();
        if scratch.as_ref().is_none_or(|s| s.capacity() < rows) {
            *scratch = Some(RcfgScratch::new(rows));
        }
    }

    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        if on.class.is_none() {
            return f(&mut on.cfg());
        }
        let scratch = on.state.own::<Option<RcfgScratch>>().as_mut().expect("made by prepare");
        f(&mut RcfgField { source: on.velocity, labels: on.labels, rule: *self, dt: on.at.dt, scratch })
    }
}
