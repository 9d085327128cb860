//! Every sampling method of the post behind one name, so that the CLI (`sample --method`,
//! `eval --method`) and the page run them the same way and measure them with the same metrics.
//!
//! | name | what | network calls per step |
//! |---|---|---|
//! | `cfg` | v_u + w·(v_c − v_u) | 2 (1 at w ∈ {0, 1}) |
//! | `rectified-cfg` | predictor–corrector guidance, α(t) = λ_max·(1 − t)^γ ([`crate::rcfg`]) | 3 |
//! | `noise-scale` | CFG at w from x0 ~ N(0, τ²I) | as `cfg` |
//! | `velocity-scale` | the post's "v ← T·v": a time rescaling, not a temperature ([`crate::temperature`]) | as `cfg` |
//! | `tilted` | exact samples of p(x)^(1−w)·p(x\|c)^w on a grid (no network) | 0 |
//! | `tempered` | exact samples of p(x\|c)^(1/T) on a grid (no network) | 0 |
//! | `student` | a distilled student, w as its input ([`crate::distill`]) | 1 |
//! | `classifier` | v_u + λ·((1−t)/t)·∇log p(c\|x_t), λ = w ([`crate::classifier`]); a trained classifier network or the exact Bayes classifier | 1 + 2 (classifier forward and backward) |

use ndarray::Array2;
use serde::Serialize;

use crate::classifier::check_classifier_arch;
use crate::classifier::guided::{ClassifierGuided, ClassifierScratch, ClassifierSource};
use crate::datasets::Dataset;
use crate::error::{check_range, Result};
use crate::evaluate::{self, guidance_for, Report, SampleConfig, Source};
use crate::field::{ExactField, FieldSource, Guidance, NetScratch, NetworkField, VelocityField};
use crate::invalid;
use crate::mixture::Prepared;
use crate::mlp::Mlp;
use crate::rcfg::{self, RectifiedCfg};
use crate::rng::{self, stream};
use crate::sampler::{noise_into, Integrator, SampleStats};
use crate::temperature::{Clock, Grid, GridDensity, ScaledVelocity, Target, TEMPERATURE_RANGE};

/// Cells per side of the grid that `tilted` and `tempered` sample on.
pub const GRID_SIDE: usize = 512;
/// Margin added around the data set's view extent for that grid.
pub const GRID_MARGIN: f64 = 0.5;

/// A sampling method and its own parameters (w, steps, solver, n and seed come from
/// [`SampleConfig`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "method")]
pub enum Method {
    Cfg,
    RectifiedCfg(RectifiedCfg),
    NoiseScale {
        tau: f32,
    },
    VelocityScale {
        temperature: f32,
    },
    Tilted,
    Tempered {
        temperature: f64,
    },
    Student,
    /// Classifier guidance at λ = `cfg.guidance`, with the classifier given to [`generate_with`]
    /// (none: the exact Bayes classifier of the data's mixture).
    Classifier,
}

impl Method {
    /// The method's name, as the CLI spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Cfg => "cfg",
            Method::RectifiedCfg(_) => "rectified-cfg",
            Method::NoiseScale { .. } => "noise-scale",
            Method::VelocityScale { .. } => "velocity-scale",
            Method::Tilted => "tilted",
            Method::Tempered { .. } => "tempered",
            Method::Student => "student",
            Method::Classifier => "classifier",
        }
    }

    /// Every method name.
    pub const NAMES: [&'static str; 8] = [
        "cfg",
        "rectified-cfg",
        "noise-scale",
        "velocity-scale",
        "tilted",
        "tempered",
        "student",
        "classifier",
    ];

    /// Checks the method's own parameters, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Method::RectifiedCfg(r) => r.validate(),
            Method::NoiseScale { tau } => {
                check_range("tau", tau as f64, 0.0, evaluate::MAX_NOISE_SCALE).map(drop)
            }
            Method::VelocityScale { temperature } => {
                check_range("temperature", temperature as f64, 0.0, 10.0).map(drop)
            }
            Method::Tempered { temperature } => {
                check_range("temperature", temperature, TEMPERATURE_RANGE.0, TEMPERATURE_RANGE.1).map(drop)
            }
            Method::Cfg | Method::Tilted | Method::Student | Method::Classifier => Ok(()),
        }
    }

    /// True for the methods that need no network (exact samples of a density).
    pub fn is_exact_only(&self) -> bool {
        matches!(self, Method::Tilted | Method::Tempered { .. })
    }
}

/// Checks that `source` can run `method` on `dataset`.
fn check_source(dataset: &Dataset, source: Source, method: &Method) -> Result<()> {
    let Source::Network(model) = source else {
        if *method == Method::Student {
            return Err(invalid!(
                "the student method needs a student model file (made by train --method distill)"
            ));
        }
        return Ok(());
    };
    let c = model.config();
    if c.n_classes != dataset.n_classes() {
        return Err(invalid!("the model's classes do not match data set '{}'", dataset.name));
    }
    match (c.n_extra, *method == Method::Student) {
        (1, true) | (0, false) => {}
        (_, true) => {
            return Err(invalid!("the student method needs a distilled student model (w as an input)"))
        }
        (_, false) => {
            return Err(invalid!("this model is a distilled student (w as an input): use --method student"))
        }
    }
    if c.d_out != 2 {
        return Err(invalid!("this model is not a velocity model (it has {} outputs)", c.d_out));
    }
    Ok(())
}

/// `cfg.n` samples of class `label` (None: unconditional) by `method`, with their statistics.
/// Every method starts from the noise [`evaluate::generate`] draws for `cfg.seed` (scaled for
/// `noise-scale`), so runs are comparable point for point. `rectified-cfg` and `student` step with
/// Euler (as the post does); the others use `cfg.solver`.
pub fn generate(
    dataset: &Dataset,
    source: Source,
    method: &Method,
    label: Option<u32>,
    cfg: &SampleConfig,
) -> Result<(Array2<f32>, SampleStats)> {
    generate_with(dataset, source, None, method, label, cfg)
}

/// [`generate`] with a classifier network for [`Method::Classifier`] (None: the exact Bayes
/// classifier).
pub fn generate_with(
    dataset: &Dataset,
    source: Source,
    classifier: Option<&Mlp<f32>>,
    method: &Method,
    label: Option<u32>,
    cfg: &SampleConfig,
) -> Result<(Array2<f32>, SampleStats)> {
    cfg.validate()?;
    if let Some(c) = classifier {
        check_classifier_arch(c.config(), dataset.n_classes())?;
    }
    method.validate()?;
    check_source(dataset, source, method)?;
    if let Some(c) = label {
        if c as usize >= dataset.n_classes() {
            return Err(invalid!(
                "class {c} out of range (data set '{}' has {})",
                dataset.name,
                dataset.n_classes()
            ));
        }
    }
    let null = dataset.n_classes() as u32;
    match *method {
        Method::Cfg => evaluate::generate(dataset, source, label, cfg),
        Method::NoiseScale { tau } => evaluate::generate_with_noise_scale(dataset, source, label, cfg, tau),
        Method::Student => {
            let Source::Network(model) = source else { unreachable!("checked above") };
            crate::distill::sample_student(
                model,
                label.unwrap_or(null),
                cfg.guidance,
                cfg.n,
                cfg.steps,
                cfg.seed,
            )
        }
        Method::RectifiedCfg(rule) => {
            let Some(c) = label else {
                // no class to guide towards: the unconditional field, as for CFG
                return evaluate::generate(dataset, source, None, cfg);
            };
            with_source(dataset, source, |fs| rcfg::sample(dataset, fs, c, rule, cfg.n, cfg.steps, cfg.seed))
        }
        Method::VelocityScale { temperature } => {
            let mut x = Array2::zeros((cfg.n, 2));
            noise_into(&mut rng::seeded(cfg.seed, stream::SAMPLE), x.view_mut());
            let labels = [label.unwrap_or(null)];
            let guidance = guidance_for(label, cfg.guidance);
            let mut integrator = Integrator::new(cfg.n);
            let mut run = |inner: &mut dyn VelocityField| {
                let mut f = ScaledVelocity { inner, scale: temperature, clock: Clock::Sampler };
                integrator.run(&mut f, x.view_mut(), cfg.steps, cfg.solver, None)
            };
            let stats = match source {
                Source::Network(model) => {
                    let mut scratch = NetScratch::new(model, 1024.min(cfg.n));
                    run(&mut NetworkField {
                        model,
                        scratch: &mut scratch,
                        labels: &labels,
                        guidance,
                        extra: &[],
                    })
                }
                Source::Exact => {
                    let mixture = dataset.mixture();
                    let mut prep = Prepared::default();
                    run(&mut ExactField { mixture: &mixture, prep: &mut prep, labels: &labels, guidance })
                }
            };
            Ok((x, stats))
        }
        Method::Classifier => {
            let Some(c) = label else {
                // no class: the unconditional field, which classifier guidance starts from
                return evaluate::generate(dataset, source, None, cfg);
            };
            let mut x = Array2::zeros((cfg.n, 2));
            noise_into(&mut rng::seeded(cfg.seed, stream::SAMPLE), x.view_mut());
            let mixture = dataset.mixture();
            let mut prep = Prepared::default();
            let mut scratch = classifier.map(|m| ClassifierScratch::new(m, 1024.min(cfg.n)));
            let mut cls = match (classifier, scratch.as_mut()) {
                (Some(model), Some(scratch)) => ClassifierSource::Network { model, scratch },
                _ => ClassifierSource::Exact { mixture: &mixture, prep: &mut prep },
            };
            let stats = with_source(dataset, source, |velocity| {
                let mut f = ClassifierGuided {
                    velocity,
                    classifier: &mut cls,
                    labels: &[c],
                    base: Guidance::Unconditional,
                    scale: cfg.guidance,
                };
                Integrator::new(cfg.n).run(&mut f, x.view_mut(), cfg.steps, cfg.solver, None)
            });
            Ok((x, stats))
        }
        Method::Tilted | Method::Tempered { .. } => {
            let target = match (*method, label) {
                (Method::Tilted, Some(class)) => Target::Tilted { class, w: cfg.guidance as f64 },
                (Method::Tempered { temperature }, class) => Target::Tempered { class, temperature },
                // tilting needs a class: unconditionally it is p(x) itself
                _ => Target::Tempered { class: None, temperature: 1.0 },
            };
            let grid = Grid::square(dataset.extent + GRID_MARGIN, GRID_SIDE);
            let density = GridDensity::new(&dataset.mixture(), target, grid)?;
            let x = density.sample(cfg.n, &mut rng::seeded(cfg.seed, stream::SAMPLE));
            Ok((x, SampleStats { calls_per_sample: 0, straightness: f64::NAN }))
        }
    }
}

/// Runs `f` with `source` as a [`FieldSource`] (scratch buffers made here).
fn with_source<R>(dataset: &Dataset, source: Source, f: impl FnOnce(&mut FieldSource) -> R) -> R {
    match source {
        Source::Network(model) => {
            let mut scratch = NetScratch::new(model, 1024);
            f(&mut FieldSource::Network { model, scratch: &mut scratch })
        }
        Source::Exact => {
            let mixture = dataset.mixture();
            let mut prep = Prepared::default();
            f(&mut FieldSource::Exact { mixture: &mixture, prep: &mut prep })
        }
    }
}

/// [`evaluate::evaluate`] for any method: every class at `cfg.guidance`, and unconditionally,
/// measured against fresh data with the same metrics as CFG.
pub fn evaluate(dataset: &Dataset, source: Source, method: &Method, cfg: &SampleConfig) -> Result<Report> {
    evaluate_with(dataset, source, None, method, cfg)
}

/// [`evaluate`] with a classifier network for [`Method::Classifier`].
pub fn evaluate_with(
    dataset: &Dataset,
    source: Source,
    classifier: Option<&Mlp<f32>>,
    method: &Method,
    cfg: &SampleConfig,
) -> Result<Report> {
    method.validate()?;
    check_source(dataset, source, method)?;
    let mut report = evaluate::evaluate_by(dataset, source, cfg, &mut |label| {
        generate_with(dataset, source, classifier, method, label, cfg)
    })?;
    report.method = *method;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(n: usize) -> SampleConfig {
        SampleConfig { n, steps: 20, guidance: 3.0, ..SampleConfig::default() }
    }

    #[test]
    fn cfg_method_is_plain_generate() {
        let d = Dataset::by_name("overlapping").unwrap();
        let a = generate(&d, Source::Exact, &Method::Cfg, Some(0), &cfg(200)).unwrap();
        let b = evaluate::generate(&d, Source::Exact, Some(0), &cfg(200)).unwrap();
        assert_eq!(a.0, b.0);
    }

    #[test]
    fn noise_scale_one_and_velocity_scale_one_are_cfg() {
        let d = Dataset::by_name("face").unwrap();
        let base = generate(&d, Source::Exact, &Method::Cfg, Some(2), &cfg(100)).unwrap().0;
        let ns = generate(&d, Source::Exact, &Method::NoiseScale { tau: 1.0 }, Some(2), &cfg(100)).unwrap().0;
        let vs = generate(&d, Source::Exact, &Method::VelocityScale { temperature: 1.0 }, Some(2), &cfg(100))
            .unwrap()
            .0;
        assert_eq!(base, ns);
        assert_eq!(base, vs);
    }

    #[test]
    fn velocity_scale_below_one_stops_short_of_the_data() {
        // T·v with T = 0.5 keeps samples blended with noise: far wider than the class
        let d = Dataset::by_name("non-overlapping").unwrap();
        let c = SampleConfig { guidance: 1.0, ..cfg(2000) };
        let m = Method::VelocityScale { temperature: 0.5 };
        let (x, _) = generate(&d, Source::Exact, &m, Some(0), &c).unwrap();
        let div = crate::metrics::diversity(x.view(), &d.mixture(), Some(0));
        assert!(div > 2.0, "diversity {div}");
    }

    #[test]
    fn exact_methods_sample_their_density() {
        let d = Dataset::by_name("non-overlapping").unwrap();
        let c = SampleConfig { guidance: 1.0, ..cfg(4000) };
        let (x, st) = generate(&d, Source::Exact, &Method::Tilted, Some(1), &c).unwrap();
        assert_eq!(st.calls_per_sample, 0);
        let m = crate::metrics::classify(&d.mixture(), x.view());
        assert!(crate::metrics::hit_rate(&m, 1) > 0.999);
        // tempering at T = 4 doubles the spread of a Gaussian class (variance × 4)
        let (y, _) =
            generate(&d, Source::Exact, &Method::Tempered { temperature: 4.0 }, Some(0), &c).unwrap();
        let div = crate::metrics::diversity(y.view(), &d.mixture(), Some(0));
        assert!((div - 4.0).abs() < 0.3, "diversity {div}");
    }

    #[test]
    fn exact_classifier_guidance_samples_as_exact_cfg() {
        // the post's derivation: with the Bayes classifier, classifier guidance at λ = w is CFG
        let d = Dataset::by_name("overlapping").unwrap();
        let a = generate(&d, Source::Exact, &Method::Classifier, Some(1), &cfg(300)).unwrap().0;
        let b = generate(&d, Source::Exact, &Method::Cfg, Some(1), &cfg(300)).unwrap().0;
        let gap = crate::metrics::mean_distance(a.view(), b.view());
        // Pointwise the two fields agree for t > 0 (tests/classifier.rs); only the first Euler
        // step differs: at t = 0 the Bayes classifier's gradient is exactly 0 (x_0 is pure noise)
        // while v_c − v_u = E[x1|c] − E[x1] is not; (1 − t)/t·∇log p(c|x_t) only tends to it.
        let c = SampleConfig { guidance: 1.0, ..cfg(300) };
        let cond = generate(&d, Source::Exact, &Method::Cfg, Some(1), &c).unwrap().0;
        let effect = crate::metrics::mean_distance(b.view(), cond.view());
        assert!(gap < 0.1 * effect, "mean distance {gap}, guidance moves points by {effect}");
    }

    #[test]
    fn bad_parameters_and_sources_are_named() {
        let d = Dataset::by_name("face").unwrap();
        let e = generate(&d, Source::Exact, &Method::NoiseScale { tau: f32::NAN }, Some(0), &cfg(10))
            .unwrap_err();
        assert!(e.to_string().contains("tau"), "{e}");
        let e = generate(&d, Source::Exact, &Method::Student, Some(0), &cfg(10)).unwrap_err();
        assert!(e.to_string().contains("student"), "{e}");
        let e = generate(&d, Source::Exact, &Method::Cfg, Some(9), &cfg(10)).unwrap_err();
        assert!(e.to_string().contains("class 9"), "{e}");
    }

    #[test]
    fn rectified_cfg_reports_three_calls_per_step_and_evaluates() {
        let d = Dataset::by_name("overlapping").unwrap();
        let m = Method::RectifiedCfg(RectifiedCfg::default());
        let mut rng = rng::seeded(0, 0);
        let model = crate::mlp::Mlp::new(crate::mlp::MlpConfig::velocity(2, 16, 1), &mut rng).unwrap();
        let (_, st) = generate(&d, Source::Network(&model), &m, Some(0), &cfg(50)).unwrap();
        assert_eq!(st.calls_per_sample, 3 * 20);
        let r = evaluate(&d, Source::Exact, &m, &cfg(300)).unwrap();
        assert_eq!(r.method, m);
        assert_eq!(r.classes.len(), 2);
    }
}
