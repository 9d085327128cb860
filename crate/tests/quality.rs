//! The quality bar, measured as a user would: `cfg-playground train` with its default settings,
//! then `cfg-playground eval` on 10,000 samples per class. Slow (about three minutes on two
//! cores), so it is ignored by default; `scripts/test.sh` runs it in release mode:
//! `cargo test --release --test quality -- --ignored --nocapture`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn cli(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_cfg-playground")).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    eprint!("{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("cfg-quality-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `jobs` two at a time (the machine has two cores).
fn parallel<T: Send>(jobs: Vec<Box<dyn FnOnce() -> T + Send + '_>>) -> Vec<T> {
    let mut out = Vec::new();
    let mut jobs = jobs.into_iter();
    loop {
        let batch: Vec<_> = jobs.by_ref().take(2).collect();
        if batch.is_empty() {
            return out;
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = batch.into_iter().map(|j| s.spawn(j)).collect();
            out.extend(handles.into_iter().map(|h| h.join().unwrap()));
        });
    }
}

fn classes(r: &Value) -> Vec<&Value> {
    r["classes"].as_array().unwrap().iter().collect()
}

fn num(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap()
}

#[test]
#[ignore = "slow: trains three models with the default settings"]
fn default_training_meets_the_quality_bar() {
    let d = dir();
    let model = |name: &str| d.join(format!("{name}.json")).to_str().unwrap().to_string();
    let names = ["non-overlapping", "face", "overlapping"];
    parallel(
        names
            .iter()
            .map(|&n| {
                let m = model(n);
                Box::new(move || {
                    cli(&["train", "--dataset", n, "--out", &m]);
                }) as Box<dyn FnOnce() + Send>
            })
            .collect(),
    );
    let runs = [
        ("non-overlapping", "1"),
        ("face", "1"),
        ("face", "3"),
        ("overlapping", "0"),
        ("overlapping", "1"),
        ("overlapping", "3"),
        ("overlapping", "7"),
    ];
    let reports: Vec<Value> = parallel(
        runs.iter()
            .map(|&(n, w)| {
                let m = model(n);
                Box::new(move || {
                    serde_json::from_str(&cli(&["eval", "--model", &m, "--guidance", w])).unwrap()
                }) as Box<dyn FnOnce() -> Value + Send>
            })
            .collect(),
    );
    let get = |n: &str, w: &str| &reports[runs.iter().position(|r| *r == (n, w)).unwrap()];

    println!("\n| data set | w | class | hit rate | sliced W2 | diversity | off-support |");
    println!("|---|---|---|---|---|---|---|");
    for (r, &(n, w)) in reports.iter().zip(&runs) {
        for c in classes(r) {
            println!(
                "| {n} | {w} | {} | {:.4} | {:.4} | {:.3} | {:.4} |",
                c["class"].as_str().unwrap(),
                num(c, "hit_rate"),
                num(c, "sliced_w2"),
                num(c, "diversity"),
                num(c, "off_support")
            );
        }
    }
    let u = &get("non-overlapping", "1")["unconditional"];
    println!("\nnon-overlapping, unconditional (w = 0):");
    for s in u["classes"].as_array().unwrap() {
        println!(
            "  {}: share {:.4} (data {:.2}), sliced W2 of the share {:.4}",
            s["class"],
            num(s, "share"),
            num(s, "data_share"),
            num(s, "sliced_w2")
        );
    }

    // non-overlapping: conditional samples land in their class and match it
    for c in classes(get("non-overlapping", "1")) {
        assert!(num(c, "hit_rate") >= 0.98, "{c}");
        assert!(num(c, "sliced_w2") <= 0.1, "{c}");
    }
    // ... and unconditional samples split like the data, each share matching its class
    for s in u["classes"].as_array().unwrap() {
        assert!((num(s, "share") - num(s, "data_share")).abs() <= 0.03, "{s}");
        assert!(num(s, "sliced_w2") <= 0.1, "{s}");
    }
    // face: conditional samples hit their class, and guidance keeps them there
    for (c1, c3) in classes(get("face", "1")).iter().zip(classes(get("face", "3"))) {
        assert!(num(c1, "hit_rate") >= 0.9, "{c1}");
        assert!(num(c3, "hit_rate") >= num(c1, "hit_rate"), "{c1} {c3}");
    }
    // overlapping: guidance sharpens the class and condenses it
    let at = |w| classes(get("overlapping", w));
    for k in 0..2 {
        let h = |w| num(at(w)[k], "hit_rate");
        assert!(
            h("0") < h("1") && h("1") < h("3"),
            "hit rate must rise strictly: {} {} {}",
            h("0"),
            h("1"),
            h("3")
        );
        assert!(h("7") >= h("3"), "w = 7: {} < {}", h("7"), h("3"));
        assert!(num(at("7")[k], "diversity") < num(at("1")[k], "diversity"));
    }
    std::fs::remove_dir_all(d).ok();
}
