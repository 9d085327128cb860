//! Seeded random numbers. Every run (data, initialisation, training, sampling) draws from a
//! [`Rng`] made from a user-visible seed, so a seed in a URL or on a command line reproduces it.
//!
//! PCG-64 (MCG variant) gives the same stream on every platform (native and wasm32), unlike
//! `SmallRng`, whose algorithm depends on the pointer width.

use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

/// The project's random generator.
pub type Rng = rand_pcg::Pcg64Mcg;

/// A generator for `seed`, with `stream` separating independent uses of one seed (data, init, ...).
pub fn seeded(seed: u64, stream: u64) -> Rng {
    // Mix the stream into the seed with SplitMix64 so that nearby seeds give unrelated streams.
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = || {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut x = z;
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    };
    let lo = next() as u128;
    let hi = next() as u128;
    Rng::from_seed(((hi << 64) | lo).to_le_bytes())
}

/// Streams: one per independent use of a seed.
pub mod stream {
    pub const INIT: u64 = 1;
    pub const TRAIN: u64 = 2;
    pub const SAMPLE: u64 = 3;
    pub const DATA: u64 = 4;
    pub const EVAL_REF: u64 = 5;
    pub const PROJECTIONS: u64 = 6;
    /// Subsampling a points file down to a data set's cap (`points_csv`).
    pub const SUBSAMPLE: u64 = 7;
    /// The SDE sampler's Brownian increments (`sde`), one generator per step and point: this
    /// plus ((step << 32 | point) << 8).
    pub const SDE: u64 = 8;
    /// The resampling of Feynman–Kac-corrected CFG (`fkc`): this plus (step << 8).
    pub const RESAMPLE: u64 = 9;
}

/// A standard normal draw.
#[inline]
pub fn normal(rng: &mut Rng) -> f64 {
    rng.sample(StandardNormal)
}

/// A uniform draw in [0, 1).
#[inline]
pub fn uniform(rng: &mut Rng) -> f64 {
    rng.random::<f64>()
}

/// A uniform index in 0..n (n > 0).
#[inline]
pub fn index(rng: &mut Rng, n: usize) -> usize {
    rng.random_range(0..n)
}

/// A fresh seed from the operating system (or the browser's crypto API), for "new seed" buttons.
pub fn fresh_seed() -> u64 {
    let mut bytes = [0u8; 4];
    // Seeds are kept below 2^32 so that they survive a round trip through a URL and JS numbers.
    if getrandom::fill(&mut bytes).is_err() {
        return 1;
    }
    u32::from_le_bytes(bytes) as u64
}
