//! How guidance mixes the unconditional and conditional velocities: v = (1 − w)·v_u + w·v_c, which
//! is v_u + w·(v_c − v_u) written so that w = 0 gives v_u and w = 1 gives v_c exactly, bit for bit.
//!
//! Here, in cfg-kernels, so that the exact field's loop ([`crate::mixture::Mixture::eval_guided`])
//! is built with the kernels; `cfg_playground::field` re-exports it as `field::Guidance`.

/// Which velocity to follow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Guidance {
    /// v_u: the null label.
    Unconditional,
    /// v_c: each point's own label.
    Conditional,
    /// (1 − w)·v_u + w·v_c, both from one forward pass over the stacked batch.
    Cfg(f32),
}

impl Guidance {
    /// Network evaluations per point per field evaluation.
    pub fn calls(self) -> usize {
        match self {
            Guidance::Cfg(_) => 2,
            _ => 1,
        }
    }

    /// The guided velocity from its two parts.
    #[inline]
    pub fn mix(self, v_u: f32, v_c: f32) -> f32 {
        match self {
            Guidance::Unconditional => v_u,
            Guidance::Conditional => v_c,
            Guidance::Cfg(w) => (1.0 - w) * v_u + w * v_c,
        }
    }
}
