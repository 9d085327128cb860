//! Guidance schedules and CFG++ (issue 26), natively: the constant schedule is CFG bit for bit,
//! every schedule has mean w, a scheduled run is CFG at w(t) step by step, CFG++ is CFG at
//! λ·(t + h)(1 − t)/h step by step (and the paper's renoised step), bad schedules are one-line
//! errors, and the command line exits 2 on them.

use std::path::PathBuf;
use std::process::{Command, Output};

use cfg_playground::datasets::Dataset;
use cfg_playground::field::{Bound, Guidance, Source, VelocityField};
use cfg_playground::method::cfg_plus_plus::effective_w;
use cfg_playground::method::schedule::{self, Schedule, Shape};
use cfg_playground::method::spec::{Given, Spelling};
use cfg_playground::method::{self, Apg, Method, MethodSpec, Models};
use cfg_playground::method::{Autoguidance, Cfg, CfgPlusPlus, CfgZeroStar, Classifier};
use cfg_playground::mlp::{Mlp, MlpConfig};
use cfg_playground::rng::seeded;
use cfg_playground::sample::{self, guidance_for, start_points, SampleConfig};
use cfg_playground::sampler::Solver;
use ndarray::Array2;

fn net(d: &Dataset) -> Mlp<f32> {
    Mlp::new(MlpConfig::velocity(d.n_classes(), 16, 2), &mut seeded(3, 0)).unwrap()
}

fn config(w: f32, steps: usize, solver: Solver) -> SampleConfig {
    SampleConfig { n: 300, steps, solver, guidance: w, seed: 5, sde_noise: 1.0 }
}

fn scheduled(shape: Shape) -> Method {
    Method::Cfg(Cfg { schedule: Schedule::of(shape) })
}

#[test]
fn the_constant_schedule_is_cfg_bit_for_bit() {
    let d = Dataset::by_name("face").unwrap();
    let model = net(&d);
    // the table's default, and "constant" by name, build the same method as plain CFG
    let spec = MethodSpec::find("cfg").unwrap();
    let named = spec.parse([("schedule", Given::Text("constant".into()))], Spelling::Js).unwrap();
    assert_eq!(Method::from_name("cfg", &named).unwrap(), Method::CFG);
    for source in [Source::Exact, Source::Network(&model)] {
        for solver in [Solver::Euler, Solver::Heun] {
            for (label, w) in [(Some(1), 3.0), (Some(2), 0.37), (Some(0), -1.3), (None, 2.0)] {
                let c = config(w, 12, solver);
                let (a, sa) = method::generate(&d, source, &Method::CFG, label, &c).unwrap();
                // `sample::generate` is plain CFG without the method layer
                let (b, sb) = sample::generate(&d, source, label, &c).unwrap();
                assert_eq!(a, b, "{solver:?} {label:?} w {w}");
                assert_eq!(sa.calls_per_sample, sb.calls_per_sample);
            }
        }
    }
}

/// The midpoint rule on 200 000 cells, in f64 over the f32 values.
fn mean_over_path(s: &Schedule, w: f32) -> f64 {
    let n = 200_000;
    (0..n).map(|i| s.w_at(w, (i as f32 + 0.5) / n as f32) as f64).sum::<f64>() / n as f64
}

#[test]
fn every_schedule_has_mean_w() {
    for (i, name) in Shape::NAMES.iter().enumerate() {
        for (t_lo, t_hi) in [method::DEFAULT_INTERVAL, (0.0, 0.5), (0.6, 1.0)] {
            // built from the table as the CLI and the page build it
            let spec = MethodSpec::find("autoguidance").unwrap();
            let given = [
                ("--schedule", Given::Text(name.to_string())),
                ("--t-lo", Given::Number(t_lo as f64)),
                ("--t-hi", Given::Number(t_hi as f64)),
            ];
            let m = Method::from_name("autoguidance", &spec.parse(given, Spelling::Cli).unwrap()).unwrap();
            let s = m.schedule();
            assert_eq!(s, Schedule { shape: Shape::ALL[i], t_lo, t_hi });
            for w in [-1.0, 0.5, 2.0, 3.0, 5.0, 9.0] {
                let mean = mean_over_path(&s, w);
                assert!(
                    (mean - w as f64).abs() < 1e-3 * (1.0 + w.abs() as f64),
                    "{name} [{t_lo}, {t_hi}] w {w}: {mean}"
                );
            }
        }
    }
}

/// The run of `method` at guidance `w` from `sample`'s start noise, with an Euler loop written
/// here: each step is CFG at `w_of(t, h)` (the label's, or unconditional).
fn cfg_loop(
    d: &Dataset,
    source: Source,
    label: Option<u32>,
    c: &SampleConfig,
    w_of: impl Fn(f32, f32) -> f32,
) -> Array2<f32> {
    let mixture = d.mixture();
    let mut x = start_points(c.n, c.seed, 1.0);
    let labels = [label.unwrap_or(d.n_classes() as u32)];
    source.with_field(&mixture, c.n, |src| {
        let mut v = Array2::<f32>::zeros((c.n, 2));
        for k in 0..c.steps {
            let (t, h) = (k as f32 / c.steps as f32, 1.0 / c.steps as f32);
            let guidance = guidance_for(label, w_of(t, h));
            Bound { source: src, labels: &labels, guidance }.eval(x.view(), t, v.view_mut());
            x.zip_mut_with(&v, |x, &v| *x += h * v);
        }
    });
    x
}

#[test]
fn a_scheduled_run_is_cfg_at_w_of_t_step_by_step() {
    let d = Dataset::by_name("overlapping").unwrap();
    let model = net(&d);
    for source in [Source::Exact, Source::Network(&model)] {
        for shape in Shape::ALL {
            let s = Schedule { shape, t_lo: 0.2, t_hi: 0.7 };
            let c = config(3.0, 16, Solver::Euler);
            let (a, _) =
                method::generate(&d, source, &Method::Cfg(Cfg { schedule: s }), Some(1), &c).unwrap();
            assert_eq!(a, cfg_loop(&d, source, Some(1), &c, |t, _| s.w_at(3.0, t)), "{shape:?}");
        }
    }
    // a schedule that is off (w(t) = 1) costs one call there: early at 4 steps is 2 + 2 + 1 + 1
    let c = config(3.0, 4, Solver::Euler);
    let early =
        method::generate(&d, Source::Network(&model), &scheduled(Shape::Early), Some(0), &c).unwrap().1;
    assert_eq!(early.calls_per_sample, 6);
    // every scheduled method runs, and its schedule changes where it lands
    // (a guide of other weights: the model as its own guide is the conditional flow at every w)
    let guide = Mlp::new(MlpConfig::velocity(d.n_classes(), 8, 1), &mut seeded(4, 0)).unwrap();
    let models = Models { classifier: None, guide: Some(&guide) };
    let apg = |schedule| Method::Apg(Apg { schedule, ..Apg::default() });
    let zero = |schedule| Method::CfgZeroStar(CfgZeroStar { zero_steps: 1, schedule });
    let auto = |schedule| Method::Autoguidance(Autoguidance { guide_widen: 1.5, schedule });
    let classifier = |schedule| Method::Classifier(Classifier { schedule });
    let c = config(3.0, 10, Solver::Heun);
    for make in [apg, zero, auto, classifier] {
        let run =
            |s| method::generate_with(&d, Source::Exact, Models::default(), &make(s), Some(1), &c).unwrap().0;
        let base = run(Schedule::CONSTANT);
        assert_ne!(base, run(Schedule::of(Shape::LinearUp)), "{}", make(Schedule::CONSTANT).name());
        let needs = if matches!(make(Schedule::CONSTANT), Method::Autoguidance(_)) {
            models
        } else {
            Models::default()
        };
        let on_net =
            |s| method::generate_with(&d, Source::Network(&model), needs, &make(s), Some(1), &c).unwrap().0;
        let name = make(Schedule::CONSTANT).name();
        assert_ne!(on_net(Schedule::CONSTANT), on_net(Schedule::of(Shape::Triangle)), "{name}");
    }
}

#[test]
fn cfg_plus_plus_is_cfg_at_its_effective_scale_step_by_step() {
    let d = Dataset::by_name("face").unwrap();
    let model = net(&d);
    let mixture = d.mixture();
    for source in [Source::Exact, Source::Network(&model)] {
        for (lambda, steps) in [(0.6f32, 10), (0.3, 40), (1.0, 7)] {
            let c = config(lambda, steps, Solver::Euler);
            let (a, stats) =
                method::generate(&d, source, &Method::CfgPlusPlus(CfgPlusPlus), Some(2), &c).unwrap();
            // the method is CFG at λ·(t + h)(1 − t)/h, bit for bit
            let b = cfg_loop(&d, source, Some(2), &c, |t, h| effective_w(lambda, t, h));
            assert_eq!(a, b, "λ {lambda}, {steps} steps");
            // (one call where the effective scale is 0 or 1: at λ = 1 the first step is conditional)
            let per_step = |k| match effective_w(lambda, k as f32 / steps as f32, 1.0 / steps as f32) {
                0.0 | 1.0 => 1,
                _ => 2,
            };
            let calls = if matches!(source, Source::Exact) { 0 } else { (0..steps).map(per_step).sum() };
            assert_eq!(stats.calls_per_sample, calls);
            // and each of those steps is the paper's: the guided x̂1 renoised with the unconditional x̂0
            let mut x = start_points(c.n, c.seed, 1.0);
            let labels = [2u32];
            source.with_field(&mixture, c.n, |src| {
                let (mut vu, mut vc, mut v) =
                    (Array2::zeros((c.n, 2)), Array2::zeros((c.n, 2)), Array2::zeros((c.n, 2)));
                for k in 0..steps {
                    let (t, h) = (k as f32 / steps as f32, 1.0 / steps as f32);
                    Bound { source: src, labels: &labels, guidance: Guidance::Unconditional }.eval(
                        x.view(),
                        t,
                        vu.view_mut(),
                    );
                    Bound { source: src, labels: &labels, guidance: Guidance::Conditional }.eval(
                        x.view(),
                        t,
                        vc.view_mut(),
                    );
                    let w = effective_w(lambda, t, h);
                    Bound { source: src, labels: &labels, guidance: guidance_for(Some(2), w) }.eval(
                        x.view(),
                        t,
                        v.view_mut(),
                    );
                    let (t, h, l) = (t as f64, h as f64, lambda as f64);
                    for i in 0..c.n {
                        for j in 0..2 {
                            let (xi, u, cc) = (x[[i, j]] as f64, vu[[i, j]] as f64, vc[[i, j]] as f64);
                            let x1 = xi + (1.0 - t) * (u + l * (cc - u));
                            let x0 = xi - t * u;
                            let paper = (t + h) * x1 + (1.0 - t - h) * x0;
                            let cfg = xi + h * v[[i, j]] as f64;
                            let scale = 1.0 + xi.abs() + h * (u.abs() + w as f64 * (cc - u).abs());
                            assert!((paper - cfg).abs() < 1e-5 * scale, "step {k}: {paper} vs {cfg}");
                        }
                    }
                    x.zip_mut_with(&v, |x, &v| *x += h as f32 * v);
                }
            });
            assert_eq!(x, a);
        }
        // λ = 0 is the unconditional flow
        let c = config(0.0, 20, Solver::Euler);
        let (a, _) = method::generate(&d, source, &Method::CfgPlusPlus(CfgPlusPlus), Some(1), &c).unwrap();
        let (u, _) = sample::generate(&d, source, None, &c).unwrap();
        assert_eq!(a, u);
    }
    // it steps with Euler whatever is asked
    assert_eq!(Method::CfgPlusPlus(CfgPlusPlus).solver(Solver::Heun), Solver::Euler);
}

#[test]
fn bad_schedules_are_one_line_errors() {
    let spec = MethodSpec::find("cfg").unwrap();
    let bad = |given: Vec<(&str, Given)>, spelling| {
        spec.parse(given, spelling).and_then(|p| Method::from_name("cfg", &p)).unwrap_err().to_string()
    };
    let e = bad(vec![("schedule", Given::Text("sawtooth".into()))], Spelling::Js);
    assert!(e.contains("schedule must be constant or linear-up") && e.contains("got 'sawtooth'"), "{e}");
    let e = bad(vec![("--schedule", Given::Number(2.0))], Spelling::Cli);
    assert!(e.contains("--schedule must be constant or"), "{e}");
    let e = bad(
        vec![
            ("schedule", Given::Text("interval".into())),
            ("tLo", Given::Number(0.5)),
            ("tHi", Given::Number(0.52)),
        ],
        Spelling::Js,
    );
    assert!(e.contains("at least 0.05"), "{e}");
    let e = bad(vec![("tLo", Given::Number(0.9)), ("tHi", Given::Number(0.2))], Spelling::Js);
    assert!(e.contains("tLo must not exceed tHi"), "{e}");
    // the page's w(t) plot
    let e = schedule::curve("sawtooth", 3.0, 0.1, 0.9, 50.0).unwrap_err().to_string();
    assert!(e.contains("schedule must be constant or linear-up"), "{e}");
    let c = schedule::curve("cosine", 3.0, 0.1, 0.9, 101.0).unwrap();
    let trapezoid = (c.iter().map(|&v| v as f64).sum::<f64>() - (c[0] + c[100]) as f64 / 2.0) / 100.0;
    assert!((trapezoid - 3.0).abs() < 1e-3, "{trapezoid}");
}

// ---------------------------------------------------------------- the command line

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfg-playground")).args(args).output().expect("the binary runs")
}

fn fails(args: &[&str], needle: &str) {
    let o = run(args);
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(err.starts_with("error: ") && err.contains(needle), "{args:?}: expected '{needle}' in: {err}");
}

#[test]
fn the_command_line_takes_schedules_and_cfg_plus_plus() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let m = dir.join("schedules-model.json");
    let small = ["--steps", "5", "--batch", "32", "--width", "8", "--depth", "1"];
    let o =
        run(&[&["train", "--dataset", "overlapping"][..], &small, &["--out", m.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mp = m.to_str().unwrap();
    let eval = |extra: &[&str]| -> serde_json::Value {
        let args =
            [&["eval", "--model", mp, "--n", "200", "--steps", "4", "--guidance", "3"][..], extra].concat();
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let calls = |v: &serde_json::Value| v["classes"][0]["calls_per_sample"].as_u64().unwrap();
    let plain = eval(&[]);
    assert_eq!(eval(&["--schedule", "constant"]), plain);
    assert!(plain.get("schedule").is_none());
    let early = eval(&["--schedule", "early"]);
    assert_eq!(early["schedule"]["shape"], "early");
    assert_eq!(calls(&early), 6);
    let window = eval(&["--method", "apg", "--schedule", "interval", "--t-lo", "0.3", "--t-hi", "0.6"]);
    assert_eq!(
        (window["schedule"]["shape"].as_str(), window["schedule"]["t_hi"].as_f64()),
        (Some("interval"), Some(0.6))
    );
    let pp = eval(&["--method", "cfg-plus-plus"]);
    assert_eq!((pp["method"].as_str(), calls(&pp)), (Some("cfg-plus-plus"), 8));
    fails(&["eval", "--model", mp, "--schedule", "sawtooth"], "--schedule must be constant or linear-up");
    fails(&["eval", "--model", mp, "--method", "classifier", "--schedule", "3"], "got '3'");
    // a method without schedules refuses one (it was ignored)
    fails(
        &["eval", "--model", mp, "--method", "noise-scale", "--schedule", "early"],
        "--schedule does not go with --method noise-scale (it goes with --method cfg or classifier or cfg-zero-star or apg or autoguidance)",
    );
    fails(
        &["sample", "--model", mp, "--class", "null", "--method", "cfg", "--tau", "0.5"],
        "--tau does not go with --method cfg",
    );
    // train's learning-rate schedule is --lr-schedule; its old spelling names it
    let out = dir.join("never.json");
    let train =
        ["train", "--dataset", "overlapping", "--schedule", "constant", "--out", out.to_str().unwrap()];
    fails(&train, "train takes --lr-schedule");
    fails(
        &["eval", "--model", mp, "--schedule", "interval", "--t-lo", "0.5", "--t-hi", "0.51"],
        "needs t_hi − t_lo of at least 0.05",
    );
    fails(
        &["eval", "--model", mp, "--schedule", "late", "--t-lo", "0.9", "--t-hi", "0.1"],
        "--t-lo must not exceed --t-hi",
    );
}
