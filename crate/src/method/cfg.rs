//! CFG as the post has it: v = v_u + w·(v_c − v_u), its scale following a guidance schedule
//! (`method/schedule.rs`; constant: w at every t).

use serde::Serialize;

use super::rule::MethodRule;
use super::schedule::Schedule;
use crate::error::Result;

/// CFG, its scale following `schedule` (constant: w at every t). Its field is the rule's
/// default ([`MethodRule::with_field`]: CFG at w(t)).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Cfg {
    #[serde(skip_serializing_if = "Schedule::is_constant")]
    pub schedule: Schedule,
}

impl MethodRule for Cfg {
    fn validate(&self) -> Result<()> {
        self.schedule.validate()
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }
}
