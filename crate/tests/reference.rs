//! The native half of the native/wasm comparison: the stored fixture is what this platform
//! computes (web.rs checks the browser against the same fixture).

#[path = "common/reference.rs"]
mod reference;

use reference::{assert_matches, compute, samples_from_model_file, Reference};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference.json");

#[test]
fn the_stored_reference_is_what_native_code_computes() {
    let now = compute();
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(FIXTURE, serde_json::to_string_pretty(&now).unwrap() + "\n").unwrap();
    }
    let stored: Reference = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    // Native runs on different CPUs may use different matrix kernels (FMA or not): allow 1e-5.
    assert_matches(&now, &stored, 1e-5);
    // the model file written then holds the same network that sampled then
    let again = samples_from_model_file(&stored.model);
    assert_eq!(again.len(), stored.samples_cfg.len());
    for (a, b) in again.iter().zip(&stored.samples_cfg) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
}
