//! The core's module graph: no module of `crate/src` or `crate/kernels/src` (the numeric core's
//! crate, whose modules `lib.rs` re-exports under their names) imports, directly or through others,
//! a module that imports it back, and every import goes down (or sideways) the layer order written
//! at the top of `crate/src/lib.rs`. Edges are the `crate::module` paths of each module's files (its
//! `X.rs` and `X/*.rs`), outside comments and `#[cfg(test)]` blocks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The kernels crate's sources (crate/kernels/src).
fn kernels_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels").join("src")
}

/// The directory that holds module `m`: the kernels crate's if it declares `m`, else crate/src.
fn dir_of(m: &str) -> PathBuf {
    let lib = std::fs::read_to_string(kernels_src().join("lib.rs")).unwrap();
    if modules(&lib).iter().any(|k| k == m) {
        kernels_src()
    } else {
        src()
    }
}

/// The modules `lib.rs` declares, in its order.
fn modules(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').trim().to_string())
        .collect()
}

/// The layers named in `lib.rs`'s header: lines `//! N. name: a, b, c` (lowest layer first).
fn layers(lib: &str) -> Vec<Vec<String>> {
    lib.lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(str::trim)
        .filter(|l| {
            l.split('.').next().is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        .filter_map(|l| l.split_once(':'))
        .map(|(_, mods)| {
            mods.split(',')
                .map(|m| m.trim().trim_matches('`').trim_end_matches('.').to_string())
                .filter(|m| !m.is_empty())
                .collect()
        })
        .collect()
}

/// The code of one file without comments and without its `#[cfg(test)]` items.
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: Option<i32> = None;
    let mut depth = 0i32;
    let mut pending_test = false;
    for line in text.lines() {
        let line = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        let t = line.trim();
        if t.starts_with("#[cfg(test)]") {
            pending_test = true;
            continue;
        }
        if pending_test && skip_depth.is_none() {
            if t.ends_with(';') && !t.contains('{') {
                // `#[cfg(test)] mod tests;`: a file of its own, skipped by the caller
                pending_test = false;
                continue;
            }
            skip_depth = Some(depth);
            pending_test = false;
        }
        let opens = line.matches('{').count() as i32;
        let closes = line.matches('}').count() as i32;
        depth += opens - closes;
        if let Some(d) = skip_depth {
            if depth <= d && (opens > 0 || closes > 0) {
                skip_depth = None;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn ident(s: &str) -> String {
    s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

/// The top-level modules named by `crate::` paths in `code`.
fn imports(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the first name of each top-level item
            let mut depth = 0;
            let mut item_start = true;
            for (j, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        rest = &group[j..];
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => {
                        out.insert(ident(&group[j..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

/// Every file of module `m`: `m.rs` and the files under `m/` (test files excluded).
fn files(m: &str) -> Vec<PathBuf> {
    let src = dir_of(m);
    let mut v = vec![src.join(format!("{m}.rs"))];
    let mut stack = vec![src.join(m)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && p.file_stem().is_some_and(|s| s != "tests")
            {
                v.push(p);
            }
        }
    }
    if !v[0].exists() {
        v.remove(0);
        v.push(src.join(m).join("mod.rs"));
    }
    v.sort();
    v.dedup();
    v
}

/// module → the modules it imports.
fn graph() -> (Vec<String>, BTreeMap<String, BTreeSet<String>>) {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let kernels = std::fs::read_to_string(kernels_src().join("lib.rs")).unwrap();
    let mut mods = modules(&kernels);
    mods.extend(modules(&lib));
    let known: BTreeSet<&String> = mods.iter().collect();
    let mut g = BTreeMap::new();
    for m in &mods {
        let mut deps = BTreeSet::new();
        for f in files(m) {
            let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            deps.extend(imports(&code(&text)).into_iter().filter(|d| d != m && known.contains(d)));
        }
        g.insert(m.clone(), deps);
    }
    (mods, g)
}

/// The strongly connected components with more than one module (Tarjan).
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'g> {
        g: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(t: &mut T<'g>, v: &'g str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        t.on.insert(v);
        for w in &t.g[v] {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        on: BTreeSet::new(),
        out: vec![],
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let (_, g) = graph();
    let c = cycles(&g);
    assert!(c.is_empty(), "import cycles between modules of crate/src: {c:?}");
}

#[test]
fn every_import_goes_down_the_layer_order_of_lib_rs() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let (mods, g) = graph();
    let layers = layers(&lib);
    let mut layer_of = BTreeMap::new();
    for (i, l) in layers.iter().enumerate() {
        for m in l {
            assert!(layer_of.insert(m.clone(), i).is_none(), "lib.rs lists {m} in two layers");
        }
    }
    for m in &mods {
        assert!(layer_of.contains_key(m), "lib.rs's layer list misses module {m}");
    }
    let mut wrong = Vec::new();
    for (m, deps) in &g {
        for d in deps {
            if layer_of[d] > layer_of[m] {
                wrong.push(format!(
                    "{m} (layer {}) imports {d} (layer {})",
                    layer_of[m] + 1,
                    layer_of[d] + 1
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "imports up the layer order:\n{}", wrong.join("\n"));
}

#[test]
fn the_checker_sees_grouped_imports_and_cycles() {
    let c = code("use crate::{a, b::c, d::{e, f}};\n// crate::g\nfn x() { crate::h::y(); }\n#[cfg(test)]\nmod tests {\n    use crate::z;\n}\n");
    let i = imports(&c);
    assert_eq!(i, ["a", "b", "d", "h"].iter().map(|s| s.to_string()).collect());
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), ["b".to_string()].into());
    g.insert("b".to_string(), ["c".to_string()].into());
    g.insert("c".to_string(), ["a".to_string()].into());
    g.insert("d".to_string(), ["a".to_string()].into());
    assert_eq!(cycles(&g), vec![vec!["a".to_string(), "b".to_string(), "c".to_string()]]);
}
