//! Classifier guidance: the classifier's input gradient against central differences (f64), the
//! post's identity (exact classifier guidance at λ = w is exact CFG), a briefly trained
//! classifier against the exact Bayes classifier, the gradient grid and classifier model files.

#![allow(clippy::needless_range_loop)] // index loops read like the formulas

use cfg_playground::classifier::guided::{guidance_factor, CLASSIFIER_CALLS};
use cfg_playground::classifier::{
    classifier_arch, classifier_grad_grid, evaluate_classifier, exact_log_prob_grad, ClassifierGuided,
    ClassifierScratch, ClassifierSource, ClassifierTrainer,
};
use cfg_playground::datasets::Dataset;
use cfg_playground::descent::TrainConfig;
use cfg_playground::field::{ExactField, FieldSource, Guidance, NetScratch, VelocityField};
use cfg_playground::mixture::{Mixture, Prepared};
use cfg_playground::mlp::{Mlp, MlpConfig};
use cfg_playground::model_file::{Dtype, ModelFile, ModelKind};
use cfg_playground::rng;
use ndarray::{Array2, ArrayView2};

/// log p(c | x, t) of every row, by a plain forward pass.
fn log_probs(model: &Mlp<f64>, x: ArrayView2<f64>, t: f64, labels: &[u32]) -> Vec<f64> {
    let mut ws = model.workspace(x.nrows(), false);
    let out = model.forward(&mut ws, x, &[t], &[0], &[]);
    out.rows()
        .into_iter()
        .zip(labels)
        .map(|(r, &c)| {
            let lse = r.iter().map(|z| z.exp()).sum::<f64>().ln();
            r[c as usize] - lse
        })
        .collect()
}

#[test]
fn classifier_gradient_matches_central_differences() {
    for (k, width, depth, seed) in [(2, 16, 2, 1), (3, 24, 3, 2), (5, 8, 1, 3)] {
        let model = Mlp::<f64>::new(classifier_arch(k, width, depth), &mut rng::seeded(seed, 1)).unwrap();
        let mut r = rng::seeded(seed, 2);
        let n = 7;
        let x = Array2::from_shape_fn((n, 2), |_| 1.5 * rng::normal(&mut r));
        let labels: Vec<u32> = (0..n).map(|i| (i % k) as u32).collect();
        // a chunk smaller than the batch, so the chunking is exercised too
        let mut sc = ClassifierScratch::new(&model, 3);
        let mut grad = Array2::zeros((n, 2));
        let mut lp = vec![0.0; n];
        let t = 0.37;
        sc.log_prob_grad(&model, x.view(), t, &labels, grad.view_mut(), Some(&mut lp));
        let want = log_probs(&model, x.view(), t, &labels);
        for i in 0..n {
            assert!((lp[i] - want[i]).abs() < 1e-12, "log p: {} vs {}", lp[i], want[i]);
        }
        let h = 1e-4;
        let mut worst = 0.0f64;
        for i in 0..n {
            for j in 0..2 {
                let f = |d: f64| {
                    let mut xp = x.clone();
                    xp[[i, j]] += d;
                    log_probs(&model, xp.view(), t, &labels)[i]
                };
                let num = (-f(2.0 * h) + 8.0 * f(h) - 8.0 * f(-h) + f(-2.0 * h)) / (12.0 * h);
                let e = (num - grad[[i, j]]).abs() / num.abs().max(grad[[i, j]].abs()).max(1e-7);
                worst = worst.max(e);
            }
        }
        eprintln!("K = {k}: worst relative error {worst:e}");
        assert!(worst < 1e-6, "K = {k}: worst relative error {worst:e}");
    }
}

#[test]
fn a_null_label_has_no_gradient() {
    let model = Mlp::<f64>::new(classifier_arch(3, 8, 2), &mut rng::seeded(0, 1)).unwrap();
    let mut sc = ClassifierScratch::new(&model, 4);
    let x = ndarray::arr2(&[[0.3, -0.2], [1.0, 2.0]]);
    let mut g = Array2::from_elem((2, 2), 9.0);
    sc.log_prob_grad(&model, x.view(), 0.5, &[3], g.view_mut(), None);
    assert!(g.iter().all(|&v| v == 0.0));
}

/// The post's derivation, checked exactly: for this path v = x/t + ((1−t)/t)·∇log p_t(x), so
/// v_c − v_u = ((1−t)/t)·∇log p_t(c | x) and exact classifier guidance at λ = w equals exact CFG.
#[test]
fn exact_classifier_guidance_is_exact_cfg() {
    let mut worst64 = 0.0f64;
    let mut worst32 = 0.0f64;
    for name in ["non-overlapping", "overlapping", "face", "multimodal"] {
        let d = Dataset::by_name(name).unwrap();
        let m = d.mixture();
        let mut pts: Vec<[f64; 2]> = Vec::new();
        for i in 0..9 {
            for j in 0..9 {
                pts.push([-3.0 + 0.75 * i as f64, -3.0 + 0.75 * j as f64]);
            }
        }
        let (data, _) = d.sample(40, &mut rng::seeded(5, rng::stream::DATA));
        pts.extend(data.rows().into_iter().map(|r| [r[0] as f64, r[1] as f64]));
        let x32 = Array2::from_shape_fn((pts.len(), 2), |(i, j)| pts[i][j] as f32);
        let mut prep = Prepared::default();
        for ti in 0..10 {
            let t = 0.05 + 0.1 * ti as f64;
            m.prepare(t, &mut prep);
            for c in 0..d.n_classes() as u32 {
                for w in [0.0f64, 1.0, 3.0, 7.0] {
                    // f64, straight from the formulas
                    for &x in &pts {
                        let e = Mixture::eval(&prep, x, Some(c));
                        let (_, g) = exact_log_prob_grad(&prep, x, c);
                        for j in 0..2 {
                            let cg = e.v_u[j] + w * (1.0 - t) / t * g[j];
                            let cfg = e.v_u[j] + w * (e.v_c[j] - e.v_u[j]);
                            worst64 = worst64.max((cg - cfg).abs() / cfg.abs().max(1.0));
                        }
                    }
                    // f32, through the velocity fields the sampler follows
                    let (mut pv, mut pc, mut pe) =
                        (Prepared::default(), Prepared::default(), Prepared::default());
                    let mut velocity = FieldSource::Exact { mixture: &m, prep: &mut pv };
                    let mut classifier = ClassifierSource::Exact { mixture: &m, prep: &mut pc };
                    let mut guided = ClassifierGuided {
                        velocity: &mut velocity,
                        classifier: &mut classifier,
                        labels: &[c],
                        base: Guidance::Unconditional,
                        scale: w as f32,
                    };
                    assert_eq!(guided.calls(), 0);
                    let mut v_cg = Array2::zeros(x32.dim());
                    guided.eval(x32.view(), t as f32, v_cg.view_mut());
                    let mut exact = ExactField {
                        mixture: &m,
                        prep: &mut pe,
                        labels: &[c],
                        guidance: Guidance::Cfg(w as f32),
                    };
                    let mut v_cfg = Array2::zeros(x32.dim());
                    exact.eval(x32.view(), t as f32, v_cfg.view_mut());
                    for (a, b) in v_cg.iter().zip(v_cfg.iter()) {
                        worst32 = worst32.max(((a - b).abs() / b.abs().max(1.0)) as f64);
                    }
                }
            }
        }
    }
    eprintln!("classifier guidance vs CFG: worst relative difference f64 {worst64:e}, f32 {worst32:e}");
    assert!(worst64 < 1e-9, "f64: worst relative difference {worst64:e}");
    assert!(worst32 < 1e-4, "f32: worst relative difference {worst32:e}");
}

#[test]
fn calls_count_the_velocity_and_the_classifier_passes() {
    let d = Dataset::by_name("face").unwrap();
    let m = d.mixture();
    let net = Mlp::<f32>::new(MlpConfig::velocity(3, 8, 1), &mut rng::seeded(0, 1)).unwrap();
    let clf = Mlp::<f32>::new(classifier_arch(3, 8, 1), &mut rng::seeded(0, 2)).unwrap();
    let mut ns = NetScratch::new(&net, 16);
    let mut cs = ClassifierScratch::new(&clf, 16);
    let mut pe = Prepared::default();
    let mut velocity = FieldSource::Network { model: &net, scratch: &mut ns };
    let mut classifier = ClassifierSource::Network { model: &clf, scratch: &mut cs };
    let mut g = ClassifierGuided {
        velocity: &mut velocity,
        classifier: &mut classifier,
        labels: &[1],
        base: Guidance::Unconditional,
        scale: 2.0,
    };
    assert_eq!(g.calls(), 1 + CLASSIFIER_CALLS);
    g.scale = 0.0;
    assert_eq!(g.calls(), 1);
    // with λ = 0 the field is the network's unconditional velocity, bit for bit
    let x = ndarray::arr2(&[[0.1f32, 0.2], [-1.0, 0.5], [2.0, -2.0]]);
    let mut v = Array2::zeros((3, 2));
    g.eval(x.view(), 0.4, v.view_mut());
    let mut ws = net.workspace(3, false);
    let want = net.forward(&mut ws, x.view(), &[0.4], &[3], &[]).to_owned();
    assert_eq!(v, want);
    // the exact classifier costs nothing
    let mut classifier = ClassifierSource::Exact { mixture: &m, prep: &mut pe };
    let g = ClassifierGuided {
        velocity: &mut velocity,
        classifier: &mut classifier,
        labels: &[1],
        base: Guidance::Conditional,
        scale: 2.0,
    };
    assert_eq!(g.calls(), 1);
    assert_eq!(guidance_factor(2.0, 0.0), 2.0 / 0.02);
}

#[test]
fn the_gradient_grid_is_the_exact_gradient_at_the_grid_points() {
    let m = Dataset::by_name("overlapping").unwrap().mixture();
    let (nx, ny) = (7, 5);
    let mut grid = Array2::zeros((nx * ny, 2));
    let mut g = Array2::zeros((nx * ny, 2));
    let mut prep = Prepared::default();
    classifier_grad_grid(
        &mut ClassifierSource::Exact { mixture: &m, prep: &mut prep },
        1,
        0.6,
        3.0,
        nx,
        ny,
        grid.view_mut(),
        g.view_mut(),
    );
    assert_eq!([grid[[0, 0]], grid[[0, 1]]], [-3.0 + 3.0 / 7.0, -3.0 + 3.0 / 5.0]);
    let mut p = Prepared::default();
    m.prepare(0.6, &mut p);
    for r in 0..nx * ny {
        let (_, want) = exact_log_prob_grad(&p, [grid[[r, 0]] as f64, grid[[r, 1]] as f64], 1);
        for j in 0..2 {
            assert!((g[[r, j]] as f64 - want[j]).abs() < 1e-5);
        }
    }
}

/// A small classifier trained briefly separates the non-overlapping classes near the data, and
/// its gradient points like the Bayes classifier's where the classes are not yet separated.
#[test]
fn a_trained_classifier_agrees_with_the_bayes_classifier() {
    let d = Dataset::by_name("non-overlapping").unwrap();
    let config = TrainConfig { steps: 400, batch: 128, lr: 3e-3, seed: 7, ..TrainConfig::default() };
    let mut tr = ClassifierTrainer::new(d.clone(), classifier_arch(2, 32, 2), config).unwrap();
    let first = tr.step();
    let last = tr.train(399);
    let late = evaluate_classifier(&tr.model, &d, 0.9, 2000, 1);
    eprintln!("first step {first:?}; mean of the rest {last:?}; held out at t = 0.9: {late:?}");
    assert!(late.accuracy > 0.98, "{late:?}");
    assert!(late.loss < first.loss);

    let m = d.mixture();
    let mut sc = ClassifierScratch::new(&tr.model, 64);
    let mut prep = Prepared::default();
    let mut r = rng::seeded(3, 9);
    let (mut total, mut count) = (0.0, 0);
    for &t in &[0.5f32, 0.6, 0.7, 0.8] {
        let (x1, _) = d.sample(200, &mut r);
        let xt =
            x1.mapv(|v| t * v) + Array2::from_shape_fn((200, 2), |_| (1.0 - t) * rng::normal(&mut r) as f32);
        m.prepare(t as f64, &mut prep);
        let mut g = Array2::zeros((200, 2));
        for c in 0..2u32 {
            ClassifierSource::Network { model: &tr.model, scratch: &mut sc }.grad(
                xt.view(),
                t,
                &[c],
                g.view_mut(),
            );
            for i in 0..200 {
                let (_, e) = exact_log_prob_grad(&prep, [xt[[i, 0]] as f64, xt[[i, 1]] as f64], c);
                let ne = (e[0] * e[0] + e[1] * e[1]).sqrt();
                if ne < 1e-2 {
                    continue; // the classifier is saturated here: no direction to compare
                }
                let (a, b) = (g[[i, 0]] as f64, g[[i, 1]] as f64);
                let na = (a * a + b * b).sqrt().max(1e-12);
                total += (a * e[0] + b * e[1]) / (na * ne);
                count += 1;
            }
        }
    }
    let cosine = total / count as f64;
    eprintln!("mean cosine over {count} points: {cosine:.4}");
    assert!(count > 100 && cosine > 0.9, "{cosine} over {count}");
}

#[test]
fn classifier_model_files_round_trip_and_are_kept_apart() {
    let d = Dataset::by_name("face").unwrap();
    let config = TrainConfig { steps: 3, batch: 16, seed: 2, ..TrainConfig::default() };
    let mut tr = ClassifierTrainer::new(d, classifier_arch(3, 8, 1), config.clone()).unwrap();
    let s = tr.train(3);
    let file = ModelFile {
        dataset: tr.dataset.clone(),
        model: tr.model.clone(),
        training: config,
        steps_done: 3,
        final_loss: Some(s.loss as f32),
    };
    let text = file.to_json_kind(Dtype::F32, ModelKind::Classifier);
    assert!(text.contains("\"kind\":\"classifier\""));
    let back = ModelFile::from_json_as(text.as_bytes(), ModelKind::Classifier).unwrap();
    assert_eq!(back.model.params, tr.model.params);
    assert_eq!(back.model.config(), tr.model.config());
    let (_, kind) = ModelFile::from_json_any(text.as_bytes()).unwrap();
    assert_eq!(kind, ModelKind::Classifier);
    let e = ModelFile::from_json(text.as_bytes()).unwrap_err().to_string();
    assert!(e.contains("kind is \"classifier\", expected \"velocity\""), "{e}");

    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["kind"] = "student-of-nothing".into();
    let e = ModelFile::from_json_any(v.to_string().as_bytes()).unwrap_err().to_string();
    assert!(e.contains("field 'kind'"), "{e}");
    // without its kind, a 3-logit classifier is no velocity network
    v.as_object_mut().unwrap().remove("kind");
    let e = ModelFile::from_json(v.to_string().as_bytes()).unwrap_err().to_string();
    assert!(e.contains("d_out 2"), "{e}");
    // a velocity network is not a classifier
    v["kind"] = "classifier".into();
    v["architecture"]["class_dim"] = 8.into();
    let e = ModelFile::from_json_any(v.to_string().as_bytes()).unwrap_err().to_string();
    assert!(e.contains("class input"), "{e}");
}

#[test]
fn classifier_training_is_seeded_and_deterministic() {
    let d = Dataset::by_name("face").unwrap();
    let run = |seed| {
        let config = TrainConfig { steps: 5, batch: 32, seed, ..TrainConfig::default() };
        let mut tr = ClassifierTrainer::new(d.clone(), classifier_arch(3, 16, 2), config).unwrap();
        let s = tr.train(5);
        assert_eq!(tr.steps_done(), 5);
        assert!(tr.last().loss.is_finite());
        (tr.model.params, s)
    };
    let (a, sa) = run(11);
    let (b, sb) = run(11);
    let (c, _) = run(12);
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    assert_ne!(a, c);
    // a velocity architecture is refused
    let config = TrainConfig { steps: 5, batch: 32, ..TrainConfig::default() };
    assert!(ClassifierTrainer::new(d, MlpConfig::velocity(3, 8, 1), config).is_err());
}

/// Per-point labels, including the null label (no guidance: v_u, as exact CFG gives for it).
#[test]
fn per_point_labels_guide_each_point_to_its_class() {
    let d = Dataset::by_name("face").unwrap();
    let m = d.mixture();
    let x = Array2::from_shape_fn((8, 2), |(i, j)| -1.5 + 0.4 * i as f32 + 0.3 * j as f32);
    let labels = [0u32, 1, 2, 3, 2, 1, 0, 3];
    let (mut pv, mut pc, mut pe) = (Prepared::default(), Prepared::default(), Prepared::default());
    let mut velocity = FieldSource::Exact { mixture: &m, prep: &mut pv };
    let mut classifier = ClassifierSource::Exact { mixture: &m, prep: &mut pc };
    let mut g = ClassifierGuided {
        velocity: &mut velocity,
        classifier: &mut classifier,
        labels: &labels,
        base: Guidance::Unconditional,
        scale: 4.0,
    };
    let (mut a, mut b) = (Array2::zeros((8, 2)), Array2::zeros((8, 2)));
    g.eval(x.view(), 0.55, a.view_mut());
    ExactField { mixture: &m, prep: &mut pe, labels: &labels, guidance: Guidance::Cfg(4.0) }.eval(
        x.view(),
        0.55,
        b.view_mut(),
    );
    for (u, v) in a.iter().zip(b.iter()) {
        assert!((u - v).abs() < 1e-4 * v.abs().max(1.0), "{u} vs {v}");
    }
}
