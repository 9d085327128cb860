//! The probability-path figure's exact densities for the shipped model, computed natively and
//! stored (`UPDATE_FIXTURES=1 cargo test --test density_path` rewrites the fixture); the browser
//! test `web_density.rs` must reproduce them through the `DensityPath` handle.

#[path = "common/density_case.rs"]
mod density_case;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/density_path.json");

#[test]
fn the_stored_densities_are_what_native_code_computes() {
    let now = density_case::compute();
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(FIXTURE, serde_json::to_string(&now).unwrap() + "\n").unwrap();
    }
    let stored: Vec<Vec<f64>> = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    assert_eq!(stored.len(), density_case::TIMES.len());
    for (a, b) in now.iter().flatten().zip(stored.iter().flatten()) {
        assert!(a.is_finite() && (a - b).abs() < 1e-5 * (1.0 + b.abs()), "{a} vs {b}");
    }
}
