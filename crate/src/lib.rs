//! cfg-playground: classifier-free guidance on 2D toy data, with a hand-written MLP.
//!
//! The core modules are plain Rust, tested natively; `web` is the only wasm-aware module.
//!
//! Layers, lowest first. A module imports only modules of its own layer or of the layers below,
//! so no module imports, directly or through others, a module that imports it back
//! (`crate/tests/layers.rs` checks both against this list). error, caps, rng, fastmath, gemm,
//! params, guidance, mixture, mixture_jacobian, real, activation, input, linalg, mlp, adam, scalar and metrics
//! live in the crate cfg-kernels (`crate/kernels`), re-exported here under their names:
//!
//! 1. leaves: error, caps, rng, fastmath, gemm, params, guidance, mixture, mixture_jacobian, json_path, document
//! 2. numerics: real, activation, input, linalg, mlp, activations, adam, scalar
//! 3. data: datasets, metrics
//! 4. training pieces: descent
//! 5. sampling primitives: field, sampler, sample, sde, fkc, particles, rcfg, temperature, classifier, density
//! 6. methods: method
//! 7. trainers: flow, reflow, distill
//! 8. runners, files and pictures: evaluate, model_file, train, points_csv, options, bench, render, strip, cap_table
//! 9. facade: web
//!
//! The command line (`main.rs`, `cli/`) is a separate crate on top of all of them.

pub mod activations;
pub mod bench;
pub mod cap_table;
pub mod classifier;
pub mod datasets;
pub mod density;
pub mod descent;
pub mod distill;
pub mod document;
pub mod evaluate;
pub mod field;
pub mod fkc;
pub mod flow;
pub mod json_path;
pub mod method;
pub mod model_file;
pub mod options;
pub mod particles;
pub mod points_csv;
pub mod rcfg;
pub mod reflow;
pub mod render;
pub mod sample;
pub mod sampler;
pub mod sde;
pub mod strip;
pub mod temperature;
pub mod train;

// The numeric core is the crate cfg-kernels (crate/kernels: built at opt-level 3 in the page's
// wasm, the rest for size); its modules keep their paths here.
pub use cfg_kernels::invalid;
pub use cfg_kernels::{
    activation, adam, caps, error, fastmath, gemm, guidance, input, linalg, metrics, mixture,
    mixture_jacobian, mlp, params, real, rng, scalar,
};

pub use error::{Error, Result};

#[cfg(target_arch = "wasm32")]
pub mod web;
