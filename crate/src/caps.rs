//! The caps of a sampling run (points, steps, guidance, noise and velocity scales), in a leaf
//! module so that every layer can check them without importing the layers above;
//! [`crate::limits`] lists them with every other cap.

/// Largest number of points one sampling run takes (CLI, `eval`).
pub const MAX_POINTS: usize = 1_000_000;
/// Largest number of sampler steps (CLI, `eval`).
pub const MAX_SAMPLER_STEPS: usize = 10_000;
/// Largest |w| (guidance scale) anywhere, CLI and page.
pub const MAX_GUIDANCE: f64 = 100.0;
/// Largest noise scale τ of x0 ~ N(0, τ²I) (`noise-scale`).
pub const MAX_NOISE_SCALE: f64 = 10.0;
/// Largest velocity scale T of the post's v ← T·v (`velocity-scale`).
pub const MAX_VELOCITY_SCALE: f64 = 10.0;
