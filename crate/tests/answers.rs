//! The post's questions, answered with numbers: each method run on the shipped models
//! (www/models, made by scripts/pretrain.sh) and on the exact mixture, measured with the same
//! metrics as CFG. Prints the tables docs/results.md shows, and checks the answers.
//!
//! Beyond the post, `answers/lab.rs` measures the modern guidance family the same way, and
//! `answers/schedules.rs` the guidance schedules and CFG++.
//!
//! Run in release (about a minute): `cargo test --release --test answers -- --ignored --nocapture`

use std::path::PathBuf;

use cfg_playground::datasets::Dataset;
use cfg_playground::density::{DensityIntegrator, JacobianScratch, NetworkDivergence};
use cfg_playground::evaluate::compare_at_equal_calls;
use cfg_playground::field::Guidance;
use cfg_playground::field::Source;
use cfg_playground::method::Student;
use cfg_playground::method::{self, Method};
use cfg_playground::metrics;
use cfg_playground::mixture::{Mixture, Prepared};
use cfg_playground::model_file::ModelFile;
use cfg_playground::rcfg::RectifiedCfg;
use cfg_playground::reflow;
use cfg_playground::rng::{self, stream};
use cfg_playground::sample::SampleConfig;
use cfg_playground::sampler::Solver;
use cfg_playground::temperature::report::{cfg_vs_tilted, TiltConfig};
use ndarray::Array2;

#[path = "answers/lab.rs"]
mod lab;
#[path = "answers/schedules.rs"]
mod schedules;
#[path = "answers/which.rs"]
mod which;

const N: usize = 10_000;

fn model(name: &str) -> ModelFile {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../www/models").join(format!("{name}.json"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ModelFile::from_json_any(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display())).0
}

fn class_data(d: &Dataset, c: u32, n: usize) -> Array2<f32> {
    d.sample_class(c, n, &mut rng::seeded(7, stream::EVAL_REF))
}

fn sw2(a: &Array2<f32>, b: &Array2<f32>) -> f64 {
    metrics::sliced_w2(a.view(), b.view(), 64, &mut rng::seeded(7, stream::PROJECTIONS))
}

fn hit(d: &Dataset, x: &Array2<f32>, c: u32) -> f64 {
    metrics::hit_rate(&metrics::classify(&d.mixture(), x.view()), c)
}

fn div(d: &Dataset, x: &Array2<f32>, c: u32) -> f64 {
    metrics::diversity(x.view(), &d.mixture(), Some(c))
}

#[test]
#[ignore = "slow in debug: run in release with --ignored"]
fn the_posts_questions_answered_with_numbers() {
    classifier_guidance_is_cfg_with_a_bayes_classifier();
    cfg_is_not_temperature();
    reflow_straightens_and_needs_fewer_steps();
    rectified_cfg_at_equal_calls();
    the_student_matches_its_teacher();
    exact_densities_of_a_trained_network();
}

#[test]
#[ignore = "slow in debug: run in release with --ignored"]
fn which_distribution_cfg_samples() {
    which::the_sampler_decides_which_distribution();
}

#[test]
#[ignore = "slow in debug: run in release with --ignored"]
fn guidance_schedules_and_cfg_plus_plus_measured() {
    let start = std::time::Instant::now();
    schedules::every_schedule_at_equal_mean_w();
    schedules::cfg_plus_plus_by_steps();
    eprintln!("schedules and CFG++: {:.0} s", start.elapsed().as_secs_f64());
}

#[test]
#[ignore = "slow in debug: run in release with --ignored"]
fn the_guidance_family_measured() {
    lab::each_method_at_equal_precision();
    lab::zero_star_early_in_training();
}

/// Q1: is classifier guidance the same as CFG?
fn classifier_guidance_is_cfg_with_a_bayes_classifier() {
    println!("\n### Classifier guidance against CFG (class upper-right, w = λ = 3, 100 Euler steps, {N} samples)\n");
    println!("| data set | velocity, classifier | CFG hit / div | classifier guidance hit / div | sliced W2 between them | mean endpoint distance | calls per sample (CFG, CG) |");
    println!("|---|---|---|---|---|---|---|");
    for name in ["non-overlapping", "overlapping"] {
        let velocity = model(name);
        let clf = model(&format!("classifier-{name}"));
        let d = velocity.dataset.clone();
        let cfg = SampleConfig { n: N, steps: 100, guidance: 3.0, ..SampleConfig::default() };
        for (label, source, classifier) in [
            ("exact, exact Bayes", Source::Exact, None),
            ("network, network", Source::Network(&velocity.model), Some(&clf.model)),
        ] {
            let (a, sa) = method::generate(&d, source, &Method::CFG, Some(1), &cfg).unwrap();
            let (b, sb) = method::generate_with(
                &d,
                source,
                method::Models::classifier(classifier),
                &Method::CLASSIFIER,
                Some(1),
                &cfg,
            )
            .unwrap();
            let gap = metrics::mean_distance(a.view(), b.view());
            println!(
                "| {name} | {label} | {:.3} / {:.3} | {:.3} / {:.3} | {:.4} | {:.4} | {}, {} |",
                hit(&d, &a, 1),
                div(&d, &a, 1),
                hit(&d, &b, 1),
                div(&d, &b, 1),
                sw2(&a, &b),
                gap,
                sa.calls_per_sample,
                sb.calls_per_sample
            );
            if classifier.is_none() {
                // the same field for t > 0; only the first Euler step (t = 0) differs
                assert!(gap < 0.05, "{name}: exact classifier guidance is {gap} from exact CFG");
            }
        }
    }
}

/// Q2: is CFG temperature tuning?
fn cfg_is_not_temperature() {
    let report = cfg_vs_tilted(
        &[Dataset::by_name("non-overlapping").unwrap(), Dataset::by_name("overlapping").unwrap()],
        1,
        &[1.0, 3.0, 7.0],
        &TiltConfig { n: N, ..TiltConfig::default() },
    )
    .unwrap();
    println!("\n### CFG against the tilted density p(x)^(1−w)·p(x|c)^w and the best-matching temperature (exact field, class upper-right, {N} samples, 100 Heun steps)\n");
    println!("| data set | w | sliced W2, CFG to tilted | noise floor | CFG to the tempered class at the matching T | matching T |");
    println!("|---|---|---|---|---|---|");
    for r in &report.rows {
        println!(
            "| {} | {} | {:.4} | {:.4} | {:.4} | {:.2} |",
            r.dataset, r.w, r.cfg_vs_tilted, r.noise_floor, r.cfg_vs_tempered, r.matched_temperature
        );
        if r.w >= 3.0 {
            assert!(r.cfg_vs_tilted > 5.0 * r.noise_floor, "{}: w = {}", r.dataset, r.w);
            assert!(r.cfg_vs_tempered > 5.0 * r.noise_floor, "{}: w = {}", r.dataset, r.w);
        } else {
            assert!(r.cfg_vs_tilted < 2.0 * r.noise_floor, "{}: w = 1", r.dataset);
        }
    }
}

/// Q3: does reflow straighten the paths, and sample well in fewer steps?
fn reflow_straightens_and_needs_fewer_steps() {
    let steps = [1usize, 2, 4, 8, 100];
    println!("\n### Rectified flow: the shipped model before and after one reflow round (class lower-left, w = 1, Euler, {N} samples)\n");
    println!("| data set | model | straightness | sliced W2 to the class at 1 / 2 / 4 / 8 / 100 steps |");
    println!("|---|---|---|---|");
    for name in ["non-overlapping", "overlapping"] {
        let mut rows = Vec::new();
        for (label, file) in [("base", model(name)), ("2-rectified", model(&format!("reflow-{name}")))] {
            let d = file.dataset.clone();
            let src = Source::Network(&file.model);
            let s = reflow::straightness(&d, src, Some(0), 1.0, N, 100, 0).unwrap();
            let q = reflow::quality_by_steps(&d, src, 0, 1.0, &steps, N, 0).unwrap();
            let w2: Vec<String> = q.iter().map(|(w, _)| format!("{w:.3}")).collect();
            println!("| {name} | {label} | {s:.4} | {} |", w2.join(" / "));
            rows.push((s, q[0].0));
        }
        assert!(rows[1].0 < 0.2 * rows[0].0, "{name}: straightness {:?}", rows);
        assert!(rows[1].1 < 0.5 * rows[0].1, "{name}: one-step sliced W2 {:?}", rows);
    }
}

/// Q4: rectified CFG against plain CFG at equal network calls.
fn rectified_cfg_at_equal_calls() {
    println!("\n### Rectified CFG (λ_max = 3, γ = 1) against CFG (w = 3) at equal network calls (class upper-right, {N} samples)\n");
    println!("| data set | field | steps (RCFG, CFG) | calls per sample | RCFG hit / div / W2 to class | CFG hit / div / W2 to class |");
    println!("|---|---|---|---|---|---|");
    for name in ["non-overlapping", "overlapping"] {
        let file = model(name);
        let d = file.dataset.clone();
        let data = class_data(&d, 1, N);
        for k in [4usize, 8, 32] {
            for exact in [false, true] {
                let source = if exact { Source::Exact } else { Source::Network(&file.model) };
                let rule = RectifiedCfg { lambda_max: 3.0, gamma: 1.0 };
                let e = compare_at_equal_calls(&d, source, 1, rule, k, 3.0, N, 0).unwrap();
                let calls = if exact { 3 * k } else { e.rcfg_stats.calls_per_sample };
                println!(
                    "| {name} | {} | {}, {} | {calls} | {:.3} / {:.3} / {:.3} | {:.3} / {:.3} / {:.3} |",
                    if exact { "exact" } else { "network" },
                    e.rcfg_steps,
                    e.cfg_steps,
                    hit(&d, &e.rcfg, 1),
                    div(&d, &e.rcfg, 1),
                    sw2(&e.rcfg, &data),
                    hit(&d, &e.cfg, 1),
                    div(&d, &e.cfg, 1),
                    sw2(&e.cfg, &data)
                );
                if !exact {
                    assert_eq!(e.rcfg_stats.calls_per_sample, e.cfg_stats.calls_per_sample);
                }
            }
        }
    }
}

/// Q5: does a distilled student (one call per step) match its teacher (two)?
fn the_student_matches_its_teacher() {
    println!("\n### Guidance distillation: the shipped student against its teacher's CFG (class upper-right, 32 Euler steps, {N} samples, same noise)\n");
    println!("| data set | w | sliced W2, student to teacher | noise floor | mean endpoint gap | student hit / teacher hit | calls per sample (student, teacher) |");
    println!("|---|---|---|---|---|---|---|");
    for name in ["non-overlapping", "overlapping"] {
        let teacher = model(name);
        let student = model(&format!("student-{name}"));
        let d = teacher.dataset.clone();
        for w in [0.0f32, 1.0, 3.0, 5.0, 7.0, 9.0] {
            let run = |file: &ModelFile, m: Method, seed| {
                let cfg = SampleConfig {
                    n: N,
                    steps: 32,
                    solver: Solver::Euler,
                    guidance: w,
                    seed,
                    sde_noise: 1.0,
                };
                method::generate(&d, Source::Network(&file.model), &m, Some(1), &cfg).unwrap()
            };
            let (t, ts) = run(&teacher, Method::CFG, 0);
            let (s, ss) = run(&student, Method::Student(Student), 0);
            // two independent runs of the teacher: what sampling noise alone gives
            let (t2, _) = run(&teacher, Method::CFG, 1);
            let gap = metrics::mean_distance(t.view(), s.view());
            let (d_st, floor) = (sw2(&s, &t), sw2(&t2, &t));
            println!(
                "| {name} | {w} | {d_st:.4} | {floor:.4} | {gap:.4} | {:.3} / {:.3} | {}, {} |",
                hit(&d, &s, 1),
                hit(&d, &t, 1),
                ss.calls_per_sample,
                ts.calls_per_sample
            );
            // at w = 0 (the unconditional field) on far-apart modes, a point near the boundary
            // that the student sends to the other mode costs the whole distance between them:
            // reported, not bounded
            if w >= 1.0 {
                assert!(d_st < 0.15, "{name}: w = {w}: student {d_st} from the teacher");
            }
            assert_eq!(ss.calls_per_sample, 32);
        }
    }
}

/// Q6: exact densities through the network against the true density.
fn exact_densities_of_a_trained_network() {
    println!("\n### Exact log densities of the shipped models (log N(x0) − ∫ tr ∂v/∂x dt, 100 Heun steps, 2000 samples) against the true log density\n");
    println!("| data set | class | median abs error of log p | 90th percentile |");
    println!("|---|---|---|---|");
    for name in ["non-overlapping", "overlapping", "face"] {
        let file = model(name);
        let d = file.dataset.clone();
        let mixture: Mixture = d.mixture();
        let mut prep = Prepared::default();
        mixture.prepare(1.0, &mut prep);
        let weights = mixture.class_weights();
        for class in [None, Some(0u32)] {
            let n = 2000;
            let mut x = Array2::<f64>::zeros((n, 2));
            let mut r = rng::seeded(3, stream::SAMPLE);
            x.iter_mut().for_each(|v| *v = rng::normal(&mut r));
            let mut log_p = vec![0.0; n];
            let labels = [class.unwrap_or(d.n_classes() as u32)];
            let guidance = if class.is_some() { Guidance::Conditional } else { Guidance::Unconditional };
            let mut scratch = JacobianScratch::new(&file.model, 512);
            let mut field = NetworkDivergence {
                model: &file.model,
                scratch: &mut scratch,
                labels: &labels,
                guidance,
                extra: &[],
            };
            DensityIntegrator::new(n).forward(&mut field, x.view_mut(), &mut log_p, 100, Solver::Heun);
            let mut err: Vec<f64> = x
                .rows()
                .into_iter()
                .zip(&log_p)
                .map(|(row, l)| {
                    let e = Mixture::eval(&prep, [row[0], row[1]], class);
                    // log_p_c is the joint log p(x, c): the class density is that minus log p(c)
                    let truth = match class {
                        Some(c) => e.log_p_c - weights[c as usize].ln(),
                        None => e.log_p_u,
                    };
                    (l - truth).abs()
                })
                .collect();
            err.sort_by(f64::total_cmp);
            let (med, p90) = (err[n / 2], err[n * 9 / 10]);
            let cname =
                class.map_or("all (unconditional)".to_string(), |c| d.class_names()[c as usize].to_string());
            println!("| {name} | {cname} | {med:.3} | {p90:.3} |");
            assert!(med < 0.5, "{name} {cname}: median |Δ log p| {med}");
        }
    }
}
