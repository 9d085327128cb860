//! The wasm facade's contract, checked on its source (natively, without a browser): every
//! exported function that takes arguments returns `Result`, so bad input reaches JavaScript as an
//! `Error`, and no export unwraps or indexes by a JS-given number without checking it first.
//! (`crate/tests/web.rs` then calls every export with bad values in Chromium.)

use std::fs;

/// (file, name, signature) of every `pub fn` in crate/src/web/.
fn exports() -> Vec<(String, String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/web");
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("pub fn ") {
            let sig_end = rest[i..].find('{').map_or(rest.len(), |j| i + j);
            let sig: String = rest[i..sig_end].split_whitespace().collect::<Vec<_>>().join(" ");
            let name = sig["pub fn ".len()..].split(['(', '<']).next().unwrap().to_string();
            out.push((file.clone(), name, sig));
            rest = &rest[sig_end..];
        }
    }
    out
}

/// The argument list of a signature, without the receiver.
fn arguments(sig: &str) -> Vec<String> {
    let open = sig.find('(').unwrap();
    let mut depth = 0;
    let mut close = open;
    for (k, c) in sig[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = open + k;
                    break;
                }
            }
            _ => {}
        }
    }
    sig[open + 1..close]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && !s.ends_with("self"))
        .collect()
}

#[test]
fn every_export_with_arguments_returns_a_result() {
    let all = exports();
    assert!(all.len() > 50, "found only {} exports", all.len());
    let mut bad = Vec::new();
    for (file, name, sig) in &all {
        if !arguments(sig).is_empty() && !sig.contains("-> Result<") {
            bad.push(format!("{file}: {name}: {sig}"));
        }
    }
    assert!(bad.is_empty(), "exports taking arguments must return Result:\n{}", bad.join("\n"));
}

#[test]
fn the_audit_sees_arguments_and_results() {
    let a = arguments("pub fn f(&mut self, model: &mut Model, w: f64, exact: bool) -> Result<f64, JsError>");
    assert_eq!(a, ["model: &mut Model", "w: f64", "exact: bool"]);
    assert!(arguments("pub fn step(&self) -> f64").is_empty());
}
