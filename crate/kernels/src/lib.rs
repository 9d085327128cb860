//! cfg-kernels: the numeric core of cfg-playground, the code its training and sampling spend their
//! time in: the MLP with its hand-written backward pass, the gemm, Adam, the activations, the
//! exact Gaussian mixture's density, score and Jacobian and the sample metrics with their bootstrap bands,
//! with what they stand on (the error type, the caps, the seeded random numbers).
//!
//! It is a crate of its own for one reason: cargo sets the optimisation level per crate, and the
//! page's wasm builds this crate at opt-level 3 and everything else for size (the `wasm-release`
//! profile in the workspace's Cargo.toml; docs/performance.md#the-wasm-size-budget). Generic code
//! is compiled in the crate that instantiates it, so the passes are instantiated here, for f32 and
//! f64, behind the [`scalar::Scalar`] trait, and callers elsewhere reach them compiled at opt-level 3.
//!
//! `cfg_playground` re-exports every module under its own name (`cfg_playground::mlp`, ...): its
//! layer list (the top of `crate/src/lib.rs`, checked by `crate/tests/layers.rs`) includes these
//! modules as its lowest two layers.

pub mod activation;
pub mod adam;
pub mod caps;
pub mod error;
pub mod fastmath;
pub mod gemm;
pub mod guidance;
pub mod input;
pub mod linalg;
pub mod metrics;
pub mod mixture;
pub mod mixture_jacobian;
pub mod mlp;
pub mod params;
pub mod real;
pub mod rng;
pub mod scalar;

pub use error::{Error, Result};
