//! Fuzzing the model-file loader with proptest (cargo-fuzz needs a nightly toolchain, which this
//! project's stable CI does not have): mutations of a valid file (truncation, byte flips, huge
//! declared sizes and shapes, wrong versions and types, dropped and duplicated fields) must give
//! `Err`, or a valid model, never a panic; and no mutation makes the loader allocate more than a
//! small multiple of the file's own size (a declared size is checked before it is allocated). A
//! counting global allocator records the largest single allocation. Cases found are kept below as
//! regression tests.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use cfg_playground::datasets::Dataset;
use cfg_playground::descent::TrainConfig;
use cfg_playground::flow::Trainer;
use cfg_playground::mlp::MlpConfig;
use cfg_playground::model_file::{Dtype, ModelFile};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

struct Largest;
static WATCH: AtomicBool = AtomicBool::new(false);
static LARGEST: AtomicUsize = AtomicUsize::new(0);
/// The watch is global: the tests of this file take turns.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCH.load(Ordering::Relaxed) {
            LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if WATCH.load(Ordering::Relaxed) {
            LARGEST.fetch_max(new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Largest = Largest;

/// A small valid model file (f32 or f16 tensors).
fn valid(dtype: Dtype) -> String {
    let d = Dataset::by_name("face").unwrap();
    let cfg = TrainConfig { steps: 4, batch: 16, seed: 2, ..TrainConfig::default() };
    let mut tr = Trainer::new(d, MlpConfig::velocity(3, 8, 2), cfg.clone()).unwrap();
    tr.train(2);
    let f = ModelFile {
        final_loss: Some(tr.last_loss()),
        steps_done: tr.steps_done(),
        dataset: tr.dataset,
        model: tr.model,
        training: cfg,
    };
    f.to_json(dtype)
}

/// Loads `bytes`; panics (failing the test) on a panic or an allocation over the bound.
fn load(bytes: &[u8]) -> Result<(), String> {
    // parsing JSON holds the text and a tree of it; a loaded model is small: 64 bytes per input
    // byte plus 1 MiB is generous, and far below what a declared size of 1e9 or 1e18 would take
    let bound = 64 * bytes.len() + (1 << 20);
    LARGEST.store(0, Ordering::SeqCst);
    WATCH.store(true, Ordering::SeqCst);
    let r = std::panic::catch_unwind(|| ModelFile::from_json(bytes).map(|_| ()).map_err(|e| e.to_string()));
    WATCH.store(false, Ordering::SeqCst);
    let largest = LARGEST.load(Ordering::SeqCst);
    let r =
        r.map_err(|_| format!("panicked on {:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(300)])))?;
    if largest > bound {
        return Err(format!("allocated {largest} bytes at once for a {}-byte file", bytes.len()));
    }
    if let Err(e) = &r {
        assert!(e.starts_with("bad model file: "), "{e}");
    }
    Ok(())
}

/// A JSON value to put in place of a number or a field: huge, negative, fractional, wrong type.
fn weird_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![
            0u64,
            1,
            2,
            u32::MAX as u64,
            1 << 32,
            1 << 40,
            u64::MAX,
            usize::MAX as u64 / 4 + 1
        ])
        .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        Just(Value::Null),
        Just(Value::Bool(true)),
        "[a-z0-9 ]{0,8}".prop_map(Value::from),
        prop::collection::vec(any::<u32>().prop_map(Value::from), 0..4).prop_map(Value::Array),
    ]
}

/// Every path (as keys and indices) to a scalar or array in `v`.
fn paths(v: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                at.push(Value::from(k.as_str()));
                paths(x, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate().take(3) {
                at.push(Value::from(i));
                paths(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn at_path<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(v, |v, k| match k {
        Value::String(s) => &mut v[s.as_str()],
        Value::Number(n) => &mut v[n.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

#[test]
fn mutated_model_files_are_errors_never_panics_or_huge_allocations() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let files = [valid(Dtype::F32), valid(Dtype::F16)];
    for f in &files {
        load(f.as_bytes()).unwrap();
        assert!(ModelFile::from_json(f.as_bytes()).is_ok());
    }
    let tree: Value = serde_json::from_str(&files[0]).unwrap();
    let mut all = Vec::new();
    paths(&tree, &mut Vec::new(), &mut all);
    all.retain(|p| !p.is_empty());
    let cases = std::env::var("FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(5000);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });

    // truncation and byte flips of the raw text (f32 and f16 files)
    let raw = (
        0..2usize,
        any::<prop::sample::Index>(),
        prop::collection::vec((any::<prop::sample::Index>(), 1..=255u8), 0..8),
    );
    runner
        .run(&raw, |(which, cut, flips)| {
            let mut b = files[which].clone().into_bytes();
            for (i, x) in &flips {
                let k = i.index(b.len());
                b[k] ^= x;
            }
            let keep = if flips.is_empty() { cut.index(b.len()) } else { b.len() };
            load(&b[..keep]).map_err(TestCaseError::fail)
        })
        .unwrap();

    // one field replaced (huge shapes and sizes, wrong versions, wrong types), removed, or doubled
    let edit = (prop::sample::select(all), weird_value(), 0..3u8);
    runner
        .run(&edit, |(path, value, how)| {
            let mut v = tree.clone();
            match how {
                0 => *at_path(&mut v, &path) = value,
                1 => {
                    let (last, parent) = path.split_last().unwrap();
                    match (at_path(&mut v, parent), last) {
                        (Value::Object(m), Value::String(k)) => drop(m.remove(k)),
                        (Value::Array(a), Value::Number(i)) => drop(a.remove(i.as_u64().unwrap() as usize)),
                        _ => {}
                    }
                }
                _ => {
                    let (_, parent) = path.split_last().unwrap();
                    if let Value::Array(a) = at_path(&mut v, parent) {
                        let copy = a[0].clone();
                        a.push(copy);
                    }
                }
            }
            load(v.to_string().as_bytes()).map_err(TestCaseError::fail)
        })
        .unwrap();
}

/// Cases worth keeping: each must be an error naming the problem (never a panic or a huge
/// allocation).
#[test]
fn regressions() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let good = valid(Dtype::F32);
    let tree: Value = serde_json::from_str(&good).unwrap();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = tree.clone();
        f(&mut v);
        v.to_string()
    };
    let cases: Vec<(String, &str)> = vec![
        (with(&|v| v["tensors"][0]["shape"] = serde_json::json!([u64::MAX, u64::MAX])), "shape"),
        (with(&|v| v["tensors"][0]["shape"] = serde_json::json!([1u64 << 32, 1u64 << 32])), "shape"),
        (with(&|v| v["architecture"]["width"] = Value::from(1u64 << 40)), "width"),
        (with(&|v| v["architecture"]["depth"] = Value::from(u64::MAX)), "depth"),
        (with(&|v| v["training"]["batch"] = Value::from(1u64 << 62)), "batch"),
        (with(&|v| v["training"]["steps"] = Value::from(-1)), "steps"),
        (with(&|v| v["steps_done"] = Value::from(1e300)), "steps_done"),
        (with(&|v| v["version"] = Value::from(u64::MAX)), "version"),
        (with(&|v| v["version"] = Value::from("1")), "version"),
        (with(&|v| v["version"] = Value::from(1.5)), "version"),
        (with(&|v| v["tensors"][0]["data"] = Value::from("AAAA".repeat(100_000))), "base64 characters"),
        (with(&|v| v["tensors"][0]["dtype"] = Value::from("f64")), "dtype"),
        (with(&|v| v["classes"] = serde_json::json!([])), "classes"),
        (with(&|v| v["dataset"] = Value::from("custom")), "drawn"),
        (good[..good.len() - 1].to_string(), "truncated"),
        ("[".repeat(10_000), "JSON"),
        ("{\"format\": \"cfg-playground-model\", \"version\": 1}".to_string(), "field"),
    ];
    for (text, want) in cases {
        load(text.as_bytes()).unwrap();
        let e = ModelFile::from_json(text.as_bytes()).unwrap_err().to_string();
        assert!(e.contains(want), "expected '{want}' in: {e}");
    }
}
