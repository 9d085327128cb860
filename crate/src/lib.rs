//! cfg-playground: classifier-free guidance on 2D toy data, with a hand-written MLP.
//!
//! The core modules are plain Rust, tested natively; `web` is the only wasm-aware module.

pub mod activation;
pub mod adam;
pub mod bench;
pub mod classifier;
pub mod datasets;
pub mod density;
pub mod distill;
pub mod error;
pub mod evaluate;
pub mod fastmath;
pub mod field;
pub mod flow;
pub mod gemm;
pub mod input;
pub mod limits;
pub mod linalg;
pub mod method;
pub mod metrics;
pub mod mixture;
pub mod mlp;
pub mod model_file;
pub mod options;
pub mod params;
pub mod particles;
pub mod points_csv;
pub mod rcfg;
pub mod real;
pub mod reflow;
pub mod render;
pub mod rng;
pub mod sampler;
pub mod strip;
pub mod temperature;

pub use error::{Error, Result};

#[cfg(target_arch = "wasm32")]
pub mod web;
