//! `--data points.csv`, run as a user would: the CLI writes points, trains on them, samples and
//! evaluates with every method on the file's mixture, and a model file alone rebuilds the data
//! set; bad points files each give one `error: ...` line naming the line, with exit code 2.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};

use cfg_playground::caps::{MAX_CSV_POINTS, MAX_CSV_ROWS};
use cfg_playground::model_file::ModelFile;
use cfg_playground::points_csv::DRAWN_STD;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfg-playground")).args(args).output().expect("the binary runs")
}

fn ok(args: &[&str]) -> Output {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cfg-cli-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

/// Writes `text` to a temporary file; returns its path.
fn file(name: &str, text: &str) -> String {
    let p = tmp(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Expects exit code 2 and one `error: ...` line containing every needle.
fn fails(args: &[&str], needles: &[&str]) {
    let o = run(args);
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: expected '{n}' in: {err}");
    }
}

const TINY: [&str; 8] = ["--steps", "150", "--batch", "64", "--width", "16", "--depth", "2"];

#[test]
fn train_on_a_points_file_then_sample_and_eval_from_the_model_file_alone() {
    let csv = tmp("moons.csv");
    let c = csv.to_str().unwrap();
    ok(&["data", "--dataset", "two-moons", "--n", "300", "--seed", "2", "--out", c]);
    let model = tmp("moons.json");
    let m = model.to_str().unwrap();
    let o = ok(&[&["train", "--data", c, "--out", m][..], &TINY].concat());
    assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("σ = {DRAWN_STD}")));

    // the model file carries the points: the CSV is not needed any more
    let text = std::fs::read_to_string(&model).unwrap();
    std::fs::remove_file(&csv).unwrap();
    let f = ModelFile::from_json(text.as_bytes()).unwrap();
    assert_eq!(f.dataset.name, "custom");
    assert_eq!(f.dataset.class_names(), ["upper-moon", "lower-moon"]);
    let drawn = f.dataset.drawn().unwrap();
    assert_eq!(drawn.std, DRAWN_STD);
    assert_eq!(drawn.classes.iter().map(|c| c.1.len()).sum::<usize>(), 300);

    let run_args = ["--n", "200", "--steps", "20", "--guidance", "3"];
    let r = json(&ok(&[&["eval", "--model", m][..], &run_args].concat()));
    assert_eq!(r["dataset"], "custom");
    assert_eq!(r["field"], "network");
    assert_eq!(r["classes"].as_array().unwrap().len(), 2);
    assert!(r["classes"][0]["hit_rate"].as_f64().unwrap() > 0.5, "{r}");

    // --exact takes the data set from the model file: the exact field of the file's mixture
    let r = json(&ok(&[&["eval", "--exact", "--model", m][..], &run_args].concat()));
    assert_eq!(r["field"], "exact");
    for c in r["classes"].as_array().unwrap() {
        assert!(c["hit_rate"].as_f64().unwrap() > 0.95, "{r}");
        assert!(c["sliced_w2"].as_f64().unwrap().is_finite());
    }
    let o = ok(&[&["sample", "--exact", "--model", m, "--class", "lower-moon"][..], &run_args].concat());
    let csv_out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(csv_out.lines().count(), 201);
    assert!(csv_out.starts_with("x,y\n"));

    // every method on the network, and the exact-only ones on the exact field
    for method in ["cfg", "rectified-cfg", "noise-scale", "velocity-scale", "classifier"] {
        let r = json(&ok(&[&["eval", "--model", m, "--method", method][..], &run_args].concat()));
        assert_eq!(r["method"], method, "{r}");
        let r = json(&ok(&[&["eval", "--exact", "--model", m, "--method", method][..], &run_args].concat()));
        assert_eq!(r["field"], "exact", "{r}");
    }
    for method in ["tilted", "tempered"] {
        let r = json(&ok(&[&["eval", "--exact", "--model", m, "--method", method][..], &run_args].concat()));
        assert_eq!(r["method"], method, "{r}");
    }
    fails(&[&["eval", "--model", m, "--method", "student"][..], &run_args].concat(), &["student"]);

    // reflow, distillation and a classifier on the drawn data set
    let clf = tmp("moons-clf.json");
    let student = tmp("moons-student.json");
    let reflow = tmp("moons-reflow.json");
    let out = |p: &PathBuf| p.to_str().unwrap().to_string();
    ok(&[
        "train",
        "--method",
        "reflow",
        "--teacher",
        m,
        "--pairs",
        "50",
        "--steps",
        "20",
        "--out",
        &out(&reflow),
    ]);
    ok(&[
        "train",
        "--method",
        "distill",
        "--teacher",
        m,
        "--steps",
        "20",
        "--batch",
        "32",
        "--out",
        &out(&student),
    ]);
    ok(&["eval", "--model", &out(&student), "--method", "student", "--n", "100", "--steps", "10"]);
    ok(&["eval", "--model", &out(&reflow), "--n", "100", "--steps", "10"]);
    // the classifier needs the same points: retrain on the CSV written again (same seed, same file)
    let c2 = tmp("moons2.csv");
    ok(&["data", "--dataset", "two-moons", "--n", "300", "--seed", "2", "--out", &out(&c2)]);
    ok(&[&["train", "--method", "classifier", "--data", &out(&c2), "--out", &out(&clf)][..], &TINY].concat());
    ok(&[&["eval", "--model", m, "--method", "classifier", "--classifier", &out(&clf)][..], &run_args]
        .concat());
    // another drawing's classifier does not fit
    let other = file("other.csv", "x,y,label\n0,0,upper-moon\n0,1,upper-moon\n1,0,upper-moon\n2,2,lower-moon\n2,1,lower-moon\n1,2,lower-moon\n");
    let clf2 = tmp("other-clf.json");
    ok(&[&["train", "--method", "classifier", "--data", &other, "--out", &out(&clf2)][..], &TINY].concat());
    fails(
        &[&["eval", "--model", m, "--method", "classifier", "--classifier", &out(&clf2)][..], &run_args]
            .concat(),
        &["classifier was trained on"],
    );
}

#[test]
fn eval_exact_reads_a_points_file_and_caps_it() {
    // 2000 points: kept as a seeded subsample of MAX_CSV_POINTS, class shares kept
    let mut text = String::from("x,y,label\n");
    for i in 0..2000 {
        let s = i as f64 / 2000.0;
        let (x, label) = if i % 4 == 0 { (-1.0, "left") } else { (1.0, "right") };
        text.push_str(&format!("{x},{},{label}\n", 2.0 * s - 1.0));
    }
    let c = file("big.csv", &text);
    let model = tmp("big.json");
    let o = ok(&[&["train", "--data", &c, "--out", model.to_str().unwrap()][..], &TINY].concat());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("2000 points; kept a random {MAX_CSV_POINTS}")), "{err}");
    let f = ModelFile::from_json(&std::fs::read(&model).unwrap()).unwrap();
    let drawn = f.dataset.drawn().unwrap();
    let sizes: Vec<usize> = drawn.classes.iter().map(|c| c.1.len()).collect();
    assert_eq!(sizes, [MAX_CSV_POINTS / 4, 3 * MAX_CSV_POINTS / 4]);
    // the same file gives the same subsample
    let model2 = tmp("big2.json");
    ok(&[&["train", "--data", &c, "--out", model2.to_str().unwrap()][..], &TINY].concat());
    assert_eq!(ModelFile::from_json(&std::fs::read(&model2).unwrap()).unwrap().dataset, f.dataset);

    let r = json(&ok(&["eval", "--exact", "--data", &c, "--n", "300", "--steps", "20", "--guidance", "2"]));
    assert_eq!(r["dataset"], "custom");
    assert_eq!(r["classes"][0]["class"], "left");
    assert!(r["classes"][0]["hit_rate"].as_f64().unwrap() > 0.99, "{r}");
    let o = ok(&["sample", "--exact", "--data", &c, "--class", "right", "--n", "50", "--steps", "10"]);
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 51);
    fails(&["eval", "--data", &c], &["--exact"]);
    fails(&["train", "--data", &c, "--dataset", "face", "--out", "x.json"], &["--dataset"]);
}

#[test]
fn bad_points_files_give_one_line_naming_the_line() {
    let m = tmp("never.json");
    let m = m.to_str().unwrap();
    let cases: [(&str, &str, &[&str]); 10] = [
        ("empty.csv", "", &["line 1", "empty"]),
        ("noheader.csv", "0,0,a\n1,1,b\n", &["line 1", "expected the header x,y,label"]),
        ("word.csv", "x,y,label\n0,0,a\n0,zero,b\n", &["line 3", "y is not a number: 'zero'"]),
        ("nan.csv", "x,y,label\n0,0,a\nNaN,0,b\n", &["line 3", "x is not finite"]),
        ("inf.csv", "x,y,label\n0,0,a\n1,-inf,b\n", &["line 3", "y is not finite"]),
        (
            "one.csv",
            "x,y,label\n0,0,a\n1,1,a\n2,2,a\n",
            &["line 4", "every point is class 'a'", "at least 2 classes"],
        ),
        ("fields.csv", "x,y,label\n0,0\n", &["line 2", "expected 3 fields"]),
        ("far.csv", "x,y,label\n0,0,a\n100,0,b\n", &["line 3", "outside"]),
        ("thin.csv", "x,y,label\n0,0,a\n1,1,a\n2,2,a\n0,1,b\n", &["class 'b' has 1 point"]),
        ("header.csv", "x,y\n0,0\n", &["line 1", "expected the header x,y,label, got 'x,y'"]),
    ];
    for (name, text, needles) in cases {
        let p = file(name, text);
        let mut want = vec!["bad points file", name];
        want.extend_from_slice(needles);
        fails(&["train", "--data", &p, "--out", m], &want);
        fails(&["eval", "--exact", "--data", &p], &want);
    }
    let many: String = (0..9).map(|i| format!("0,0,c{i}\n0,1,c{i}\n1,1,c{i}\n")).collect();
    let p = file("many.csv", &format!("x,y,label\n{many}"));
    fails(&["train", "--data", &p, "--out", m], &["line 26", "class 'c8' is a class too many", "at most 8"]);
    fails(
        &["train", "--data", "/nonexistent/points.csv", "--out", m],
        &["cannot read /nonexistent/points.csv"],
    );
    assert!(!std::path::Path::new(m).exists());
}

#[test]
fn a_file_past_the_cap_stops_at_the_cap() {
    // MAX_CSV_ROWS + 5 points: reading stops at line MAX_CSV_ROWS + 2 (after the header) with an error
    let path = tmp("huge.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    w.write_all(b"x,y,label\n").unwrap();
    for i in 0..MAX_CSV_ROWS + 5 {
        w.write_all(if i % 2 == 0 { b"0.5,0.25,a\n" } else { b"0.25,0.5,b\n" }).unwrap();
    }
    drop(w);
    let p = path.to_str().unwrap();
    fails(
        &["eval", "--exact", "--data", p],
        &[&format!("line {}: more than {MAX_CSV_ROWS} points", MAX_CSV_ROWS + 2)],
    );
    // one line without any newline is refused at the line cap, not read whole
    let long = tmp("long.csv");
    std::fs::write(&long, format!("x,y,label\n{}", "7".repeat(10 << 20))).unwrap();
    fails(&["eval", "--exact", "--data", long.to_str().unwrap()], &["line 2: longer than 256 bytes"]);
    std::fs::remove_file(&path).unwrap();
    std::fs::remove_file(&long).unwrap();
}
