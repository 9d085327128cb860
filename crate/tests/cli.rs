//! The native command line, run as a user would: outputs, and one-line errors with exit code 2.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cfg-playground"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cfg-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Runs `args`, expects exit code 2 and a single `error: ...` line containing `needle`.
fn fails(args: &[&str], needle: &str) {
    let o = run(args);
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(needle), "{args:?}: expected '{needle}' in: {err}");
}

#[test]
fn datasets_lists_every_data_set_and_its_classes() {
    let o = run(&["datasets"]);
    assert!(o.status.success());
    let text = stdout(&o);
    for name in cfg_playground::datasets::NAMES {
        assert!(text.contains(name), "{name}");
    }
    assert!(text.contains("left-eye, right-eye, mouth"));
    let json: serde_json::Value = serde_json::from_str(&stdout(&run(&["datasets", "--json"]))).unwrap();
    assert_eq!(json.as_array().unwrap().len(), cfg_playground::datasets::NAMES.len());
}

#[test]
fn data_writes_labelled_csv() {
    let out = tmp("face.csv");
    let o = run(&["data", "--dataset", "face", "--n", "300", "--seed", "3", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("x,y,label"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 300);
    for r in &rows {
        let f: Vec<&str> = r.split(',').collect();
        assert_eq!(f.len(), 3);
        f[0].parse::<f32>().unwrap();
        f[1].parse::<f32>().unwrap();
        assert!(["left-eye", "right-eye", "mouth"].contains(&f[2]), "{r}");
    }
    // the same seed gives the same file
    let again = stdout(&run(&["data", "--dataset", "face", "--n", "300", "--seed", "3"]));
    assert_eq!(again, text);
}

#[test]
fn train_sample_and_eval_work_together() {
    let model = tmp("m.json");
    let m = model.to_str().unwrap();
    let o = run(&[
        "train",
        "--dataset",
        "face",
        "--steps",
        "60",
        "--batch",
        "64",
        "--width",
        "16",
        "--depth",
        "2",
        "--out",
        m,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("trained 60 steps"));

    let csv = stdout(&run(&[
        "sample",
        "--model",
        m,
        "--class",
        "mouth",
        "--guidance",
        "3",
        "--n",
        "50",
        "--steps",
        "10",
    ]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "x,y");
    assert_eq!(lines.len(), 51);
    let null =
        run(&["sample", "--model", m, "--class", "null", "--n", "5", "--steps", "4", "--solver", "heun"]);
    assert!(null.status.success());
    assert_eq!(stdout(&null).lines().count(), 6);

    let e = run(&["eval", "--model", m, "--guidance", "2", "--n", "200", "--steps", "10"]);
    assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    let report: serde_json::Value = serde_json::from_str(&stdout(&e)).unwrap();
    assert_eq!(report["classes"].as_array().unwrap().len(), 3);
    assert_eq!(report["classes"][2]["class"], "mouth");
    assert_eq!(report["classes"][0]["calls_per_sample"], 20);
    for key in ["hit_rate", "sliced_w2", "diversity", "off_support", "straightness"] {
        assert!(report["classes"][0][key].is_number(), "{key}");
    }
    assert!(report["unconditional"]["classes"][0]["share"].is_number());
}

#[test]
fn eval_can_use_the_exact_field() {
    let e = run(&[
        "eval",
        "--exact",
        "--dataset",
        "non-overlapping",
        "--n",
        "500",
        "--steps",
        "20",
        "--solver",
        "heun",
    ]);
    assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    let r: serde_json::Value = serde_json::from_str(&stdout(&e)).unwrap();
    assert_eq!(r["field"], "exact");
    assert!(r["classes"][0]["hit_rate"].as_f64().unwrap() > 0.99);
}

#[test]
fn bad_arguments_get_one_line_and_exit_code_2() {
    let model = tmp("bad-args.json");
    let m = model.to_str().unwrap();
    assert!(run(&["train", "--dataset", "face", "--steps", "3", "--width", "8", "--depth", "1", "--out", m])
        .status
        .success());
    fails(&["data", "--dataset", "moons", "--n", "5"], "unknown data set 'moons'");
    fails(&["data", "--dataset", "face", "--n", "-5"], "--n must be between 1");
    fails(&["data", "--dataset", "face", "--n", "0"], "--n must be between 1");
    fails(&["sample", "--model", m, "--class", "nose"], "unknown class 'nose'");
    fails(
        &["sample", "--model", m, "--class", "mouth", "--guidance", "nan"],
        "--guidance must be a finite number",
    );
    fails(
        &["sample", "--model", m, "--class", "mouth", "--guidance", "inf"],
        "--guidance must be a finite number",
    );
    fails(&["sample", "--model", m, "--class", "mouth", "--n", "-1"], "--n must be between");
    fails(
        &["sample", "--model", m, "--class", "mouth", "--solver", "rk4"],
        "for '--solver <SOLVER>' [possible values: euler, heun, sde]",
    );
    fails(
        &["sample", "--model", "/nonexistent/m.json", "--class", "mouth"],
        "cannot read /nonexistent/m.json",
    );
    fails(&["eval", "--model", "Cargo.toml"], "not valid JSON");
    fails(&["train", "--dataset", "face", "--lr", "-1", "--out", m], "--lr must be between");
    fails(&["train", "--dataset", "face", "--steps", "-1", "--out", m], "--steps must be between");
    fails(
        &["train", "--dataset", "face", "--out", "/nonexistent/dir/m.json"],
        "no directory /nonexistent/dir",
    );
    fails(&["train", "--dataset", "face"], "--out");
    fails(&["sample", "--class", "mouth"], "--model");
    fails(&["frobnicate"], "frobnicate");
    fails(&["data", "--dataset", "face", "--bogus"], "--bogus");
}

#[test]
fn every_method_samples_and_evaluates_with_its_own_metrics() {
    let m = tmp("methods-model.json");
    let c = tmp("methods-classifier.json");
    let s = tmp("methods-student.json");
    let r = tmp("methods-reflow.json");
    let small = ["--steps", "5", "--batch", "32", "--width", "8", "--depth", "1"];
    let train = |extra: &[&str], out: &PathBuf| {
        let mut args = vec!["train"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&small);
        args.extend_from_slice(&["--out", out.to_str().unwrap()]);
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    train(&["--dataset", "overlapping"], &m);
    train(&["--method", "classifier", "--dataset", "overlapping"], &c);
    let mp = m.to_str().unwrap();
    train(&["--method", "distill", "--teacher", mp], &s);
    train(&["--method", "reflow", "--teacher", mp, "--pairs", "50"], &r);

    let eval = |model: &str, extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["eval", "--model", model, "--n", "200", "--steps", "4", "--guidance", "3"];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let calls = |v: &serde_json::Value| v["classes"][0]["calls_per_sample"].as_u64().unwrap();
    // calls per sample tell the methods apart: CFG 2 per step, rectified CFG 3, a student 1,
    // classifier guidance 1 (v_u) + 2 (classifier forward and backward), exact densities 0
    assert_eq!(calls(&eval(mp, &[])), 8);
    assert_eq!(calls(&eval(mp, &["--method", "rectified-cfg", "--lambda-max", "2"])), 12);
    assert_eq!(calls(&eval(s.to_str().unwrap(), &["--method", "student"])), 4);
    assert_eq!(calls(&eval(mp, &["--method", "classifier", "--classifier", c.to_str().unwrap()])), 12);
    assert_eq!(calls(&eval(mp, &["--method", "classifier"])), 4);
    assert_eq!(calls(&eval(r.to_str().unwrap(), &[])), 8);
    for extra in [
        &["--method", "noise-scale", "--tau", "0.5"][..],
        &["--method", "velocity-scale", "--temperature", "0.5"],
    ] {
        let v = eval(mp, extra);
        assert_eq!(v["method"], extra[1]);
        assert_eq!(v["classes"].as_array().unwrap().len(), 2);
    }
    // the SDE solver: one call per step for w ∈ {0, 1}, two else, as the ODE; another sampler
    let sde = eval(mp, &["--solver", "sde", "--sde-noise", "0.5"]);
    assert_eq!(calls(&sde), 8);
    assert_eq!(sde["sde_noise"], 0.5);
    assert_ne!(sde["classes"][0]["sliced_w2"], eval(mp, &[])["classes"][0]["sliced_w2"]);
    // Feynman–Kac-corrected CFG: 2 calls per step, its min ESS and resamplings in the report
    let f = eval(mp, &["--method", "fkc", "--sde-noise", "1"]);
    assert_eq!((f["method"].as_str(), calls(&f)), (Some("fkc"), 8));
    let ess = f["classes"][0]["min_ess"].as_f64().unwrap();
    assert!(ess > 0.0 && ess <= 200.0, "{ess}");
    assert!(f["classes"][0]["resamples"].as_u64().is_some());
    assert!(eval(mp, &[])["classes"][0].get("min_ess").is_none());
    let v = eval(mp, &["--method", "tilted"]);
    assert_eq!(calls(&v), 0);
    assert!(v["classes"][0]["hit_rate"].as_f64().unwrap() > 0.8);
    let o = run(&[
        "sample",
        "--exact",
        "--dataset",
        "face",
        "--class",
        "mouth",
        "--method",
        "tempered",
        "--temperature",
        "0.5",
        "--n",
        "5",
    ]);
    assert!(o.status.success());
    assert_eq!(stdout(&o).lines().count(), 6);

    fails(
        &["eval", "--model", mp, "--method", "bogus"],
        "for '--method <METHOD>': invalid argument: method must be one of",
    );
    fails(&["eval", "--model", mp, "--method", "rectified-cfg", "--lambda-max", "nan"], "--lambda-max");
    fails(&["eval", "--model", mp, "--method", "noise-scale", "--tau", "-1"], "--tau must be between");
    fails(&["eval", "--model", mp, "--method", "fkc", "--sde-noise", "-1"], "--sde-noise must be between");
    fails(&["eval", "--model", mp, "--solver", "sde", "--sde-noise", "11"], "--sde-noise must be between");
    fails(&["eval", "--model", mp, "--method", "student"], "distilled student");
    fails(&["eval", "--model", s.to_str().unwrap()], "use --method student");
    fails(&["eval", "--model", c.to_str().unwrap()], "kind is \"classifier\"");
    fails(
        &["eval", "--model", mp, "--classifier", c.to_str().unwrap()],
        "--classifier goes with --method classifier",
    );
    fails(&["train", "--method", "reflow", "--out", mp], "needs --teacher");
    fails(
        &["train", "--dataset", "face", "--teacher", mp, "--out", mp],
        "--teacher goes with --method reflow",
    );
    fails(
        &["train", "--method", "reflow", "--teacher", mp, "--rounds", "6", "--out", mp],
        "--rounds must be between",
    );
    fails(
        &["train", "--method", "distill", "--teacher", mp, "--dataset", "face", "--out", mp],
        "drop --dataset",
    );
    fails(
        &["train", "--method", "distill", "--teacher", s.to_str().unwrap(), "--out", mp],
        "--teacher must be a velocity model",
    );
    fails(
        &["train", "--method", "fancy", "--teacher", mp, "--out", mp],
        "for '--method <METHOD>' [possible values: flow, classifier, reflow, distill]",
    );
}

#[test]
fn the_guidance_lab_methods_sample_count_their_calls_and_refuse_bad_parameters() {
    let m = tmp("lab-model.json");
    let weak = tmp("lab-guide.json");
    let other = tmp("lab-other.json");
    let small = ["--steps", "5", "--batch", "32", "--width", "8", "--depth", "1"];
    for (data, out) in [("overlapping", &m), ("overlapping", &weak), ("face", &other)] {
        let mut args = vec!["train", "--dataset", data];
        args.extend_from_slice(&small);
        let seed = if out == &weak { "7" } else { "0" };
        args.extend_from_slice(&["--seed", seed, "--out", out.to_str().unwrap()]);
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let mp = m.to_str().unwrap();
    let eval = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["eval", "--n", "100", "--steps", "10", "--guidance", "3"];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let calls = |v: &serde_json::Value| v["classes"][0]["calls_per_sample"].as_u64().unwrap();
    // guidance only for t in [0.5, 1]: steps 5..9 take 2 calls, steps 0..4 one
    let v = eval(&["--model", mp, "--method", "guidance-interval", "--t-lo", "0.5", "--t-hi", "1"]);
    assert_eq!((calls(&v), v["method"].as_str().unwrap()), (15, "guidance-interval"));
    // zero velocity in the first 3 steps costs nothing
    assert_eq!(calls(&eval(&["--model", mp, "--method", "cfg-zero-star", "--zero-steps", "3"])), 14);
    let v =
        eval(&["--model", mp, "--method", "apg", "--eta", "0", "--norm-threshold", "5", "--momentum", "0.5"]);
    assert_eq!(calls(&v), 20);
    let v = eval(&["--model", mp, "--method", "autoguidance", "--guide", weak.to_str().unwrap()]);
    assert_eq!(calls(&v), 20);
    let v = eval(&["--exact", "--dataset", "overlapping", "--method", "autoguidance", "--guide-widen", "2"]);
    assert_eq!((calls(&v), v["guide_widen"].as_f64().unwrap()), (0, 2.0));

    let gi = ["eval", "--model", mp, "--method", "guidance-interval"];
    fails(&[&gi[..], &["--t-lo", "0.7", "--t-hi", "0.3"]].concat(), "--t-lo must not exceed --t-hi");
    fails(&[&gi[..], &["--t-lo", "-0.1"]].concat(), "--t-lo must be between 0 and 1");
    fails(&[&gi[..], &["--t-hi", "1.5"]].concat(), "--t-hi must be between 0 and 1");
    let apg = ["eval", "--model", mp, "--method", "apg"];
    fails(&[&apg[..], &["--eta", "-1"]].concat(), "--eta must be between");
    fails(&[&apg[..], &["--norm-threshold", "-1"]].concat(), "--norm-threshold must be between");
    fails(&[&apg[..], &["--momentum", "1"]].concat(), "--momentum must be in [0, 1)");
    fails(
        &["eval", "--model", mp, "--method", "cfg-zero-star", "--zero-steps", "11", "--steps", "10"],
        "zero_steps must not exceed the run's 10 steps",
    );
    fails(&["eval", "--model", mp, "--method", "autoguidance"], "needs a guide model");
    fails(
        &["eval", "--model", mp, "--method", "autoguidance", "--guide", other.to_str().unwrap()],
        "the guide was trained on 'face', the model on 'overlapping'",
    );
    fails(
        &["eval", "--model", mp, "--guide", weak.to_str().unwrap()],
        "--guide goes with --method autoguidance",
    );
    fails(
        &[
            "eval",
            "--exact",
            "--dataset",
            "overlapping",
            "--method",
            "autoguidance",
            "--guide",
            weak.to_str().unwrap(),
        ],
        "takes no guide model",
    );
    fails(
        &["eval", "--exact", "--dataset", "overlapping", "--method", "autoguidance", "--guide-widen", "0.5"],
        "--guide-widen must be between 1",
    );
}
