//! Every resource cap, each a named constant with its one home here: how many points, steps,
//! grid cells, weights and bytes any caller (the CLI, the page, an embed, a hand-written script
//! calling the wasm build) may ask for. A request over a cap is an error naming the cap, never a
//! silent clamp, except image sides, which `cfg_playground::render::Image::reset` clamps.
//!
//! A leaf module, so that every layer can check its caps without importing the layers above.
//! The ranges of the guidance methods' own parameters are declared with each method
//! (`cfg_playground::method`), and `cfg_playground::cap_table` lists every cap for README's "Limits" section.

// Sampling runs (CLI, `evaluate`, the sampling primitives).

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

// Particle flows on the page (`particles::Particles`).

/// Largest number of particles in one flow.
pub const MAX_PARTICLES: usize = 100_000;
/// Largest number of sampler steps in one flow.
pub const MAX_FLOW_STEPS: usize = 1000;
/// Largest number of recorded positions of one flow (particles × (steps + 1)).
pub const MAX_RECORDED: usize = 2_000_000;

// Networks (`mlp::MlpConfig::validate`).

/// Largest network width.
pub const MAX_WIDTH: usize = 512;
/// Largest number of hidden layers.
pub const MAX_DEPTH: usize = 8;
/// Largest number of classes.
pub const MAX_CLASSES: usize = 16;
/// Largest class embedding size.
pub const MAX_CLASS_DIM: usize = 64;
/// Largest number of extra scalar conditions (a distilled student has 1: w).
pub const MAX_EXTRA: usize = 4;
/// Largest number of network outputs.
pub const MAX_OUTPUTS: usize = 16;
/// Largest number of Fourier frequencies of the time embedding.
pub const MAX_TIME_FREQS: usize = 16;

// Training.

/// Largest number of training steps in one run (`descent::TrainConfig`, `distill::DistillConfig`).
pub const MAX_TRAIN_STEPS: usize = 1_000_000;
/// Largest training batch.
pub const MAX_TRAIN_BATCH: usize = 8192;
/// Largest training batch in the page (`options::ModelOptions::training`).
pub const MAX_PAGE_BATCH: usize = 4096;
/// Training steps one `Trainer.train` call of the wasm build may run (keeps a worker responsive).
pub const MAX_TRAIN_CALL: usize = 10_000;
/// Largest number of reflow rounds in one run (`reflow::Reflow`).
pub const MAX_REFLOW_ROUNDS: usize = 5;
/// Largest number of reflow pairs per class (`train --method reflow --pairs`).
pub const MAX_REFLOW_PAIRS: usize = MAX_POINTS / 8;
/// Largest number of Euler steps of a distillation teacher's trajectories.
pub const MAX_TEACHER_STEPS: usize = 1000;

// Pictures and the page's calls into the wasm build.

/// Largest image side, in pixels (`render::Image`).
pub const MAX_IMAGE_SIDE: usize = 4096;
/// Points one `Model.velocities` or `Painter.vectors` call may take.
pub const MAX_CALL_POINTS: usize = 10_000;
/// Cells per side of a density grid (`Painter.density`).
pub const MAX_DENSITY_BINS: usize = 512;
/// Bins of a probability-path strip (`Painter.projection`, `Painter.pathStrip`).
pub const MAX_PROJECTION_BINS: usize = 1024;
/// Arrows per side of a velocity grid (`Painter.arrows`).
pub const MAX_ARROW_GRID: usize = 100;
/// Arrows per side of a classifier's gradient grid (`Classifier.gradGrid`).
pub const MAX_CLASSIFIER_GRID: usize = 64;
/// Frames in one drawn trail (`Painter.trails`).
pub const MAX_TRAIL: usize = 1000;
/// Largest grid side of a unit's heat map (`activations::Probe::unit_map`: 64² points at most).
pub const MAX_MAP_SIDE: usize = 64;
/// Largest number of cells along one side of a tilted or tempered target's grid (`temperature`).
pub const MAX_TILT_GRID_SIDE: usize = 2048;
/// Largest number of timed windows of a W1 benchmark run.
pub const MAX_BENCH_WINDOWS: usize = 1000;

// Exact densities along the probability path (`density::path`).

/// Largest grid side (cells per side).
pub const MAX_PATH_SIDE: usize = 128;
/// Largest number of times in one path.
pub const MAX_PATH_TIMES: usize = 64;
/// Largest number of integration steps per unit time.
pub const MAX_PATH_STEPS: usize = 1000;
/// Largest number of grid points over all times (times × side²): the buffers' size.
pub const MAX_PATH_POINTS: usize = 262_144;

// Data and files.

/// Largest number of points in a drawn data set (`datasets::Dataset::custom`).
pub const MAX_DRAWN_POINTS: usize = 4000;
/// Largest number of classes in a drawn data set.
pub const MAX_DRAWN_CLASSES: usize = 8;
/// Drawn points lie in [−MAX_DRAWN_COORD, MAX_DRAWN_COORD]².
pub const MAX_DRAWN_COORD: f64 = 4.0;
/// Longest class name of a drawn data set, in characters.
pub const MAX_NAME_CHARS: usize = 40;
/// Most points read from one points file; reading stops with an error past it (`points_csv`).
pub const MAX_CSV_ROWS: usize = 1_000_000;
/// Longest line of a points file, in bytes.
pub const MAX_CSV_LINE_BYTES: usize = 256;
/// Most points kept in the data set built from a points file (the rest is subsampled away).
pub const MAX_CSV_POINTS: usize = 500;
/// Largest model file accepted, in bytes (`model_file::ModelFile::from_json`).
pub const MAX_MODEL_FILE_BYTES: usize = 32 << 20;
/// Largest noise level η of the SDE sampler and of Feynman–Kac-corrected CFG (`cfg_playground::sde`; the
/// page's slider goes to 3, and the step is stable for any η).
pub const MAX_SDE_NOISE: f64 = 10.0;
