//! JSON in the page's wasm: the browser's `JSON.parse` reads the text and its result becomes a
//! [`Node`] that the core's serde types are read from (`crate::document`); the browser's
//! `JSON.stringify` writes what serde-wasm-bindgen made of a serde type. The wasm links no JSON
//! parser or writer of its own: serde_json (the CLI's and the tests') is never called from here.

use js_sys::{Array, Object, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{js, to_js};
use crate::datasets::Dataset;
use crate::document::{blank, Node};
use crate::error::Error;
use crate::invalid;
use crate::json_path;
use crate::model_file::{ModelFile, ModelKind};
use crate::options::{self, ModelOptions};

/// Deepest nesting of a document (a model file nests 4 deep): deeper ones are errors, not a
/// stack overflow.
const MAX_DEPTH: usize = 32;

/// JSON text parsed by the browser; the message of its `SyntaxError` when it is not JSON.
fn parse(text: &str) -> Result<JsValue, String> {
    JSON::parse(text).map_err(|e| match e.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => "not JSON".into(),
    })
}

fn node(v: &JsValue, depth: usize) -> Result<Node, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
    }
    Ok(if let Some(b) = v.as_bool() {
        Node::Bool(b)
    } else if let Some(x) = v.as_f64() {
        Node::Number(x)
    } else if let Some(s) = v.as_string() {
        Node::String(s)
    } else if Array::is_array(v) {
        let a: &Array = v.unchecked_ref();
        Node::Array(a.iter().map(|x| node(&x, depth + 1)).collect::<Result<_, _>>()?)
    } else if let Some(o) = v.dyn_ref::<Object>() {
        let entries = Object::entries(o);
        let mut members = Vec::with_capacity(entries.length() as usize);
        for e in entries.iter() {
            let e: &Array = e.unchecked_ref();
            members.push((e.get(0).as_string().unwrap_or_default(), node(&e.get(1), depth + 1)?));
        }
        Node::Object(members)
    } else {
        Node::Null
    })
}

/// A serde value as JSON text, by the browser's `JSON.stringify`.
pub(crate) fn stringify<T: Serialize>(v: &T) -> Result<String, JsError> {
    let text = JSON::stringify(&to_js(v)?).map_err(|_| JsError::new("cannot write JSON"))?;
    Ok(String::from(text))
}

/// A model file's text, parsed and checked: a network of kind `want`.
pub(crate) fn model_file(text: &str, want: ModelKind) -> Result<ModelFile, JsError> {
    ModelFile::check_text(text.as_bytes()).map_err(js)?;
    let value =
        parse(text).map_err(|m| js(ModelFile::not_json(json_path::ends_open(text.as_bytes()), &m)))?;
    let doc = node(&value, 0).map_err(|m| js(Error::Model(m)))?;
    ModelFile::from_document(&doc, want).map_err(js)
}

/// The page's training options, JSON text ("" or "null": the defaults).
pub(crate) fn model_options(text: &str) -> Result<ModelOptions, JsError> {
    if blank(text) {
        return Ok(ModelOptions::default());
    }
    let doc = parse(text).and_then(|v| node(&v, 0)).map_err(|m| js(invalid!("options: {m}")))?;
    ModelOptions::from_document(&doc).map_err(js)
}

/// The data set called `name`, or, when `drawn` is JSON `{std?, classes: [{name, points}]}`,
/// that drawn data set.
pub(crate) fn dataset(name: &str, drawn: &str) -> Result<Dataset, JsError> {
    if blank(drawn) {
        return Dataset::by_name(name).map_err(js);
    }
    let doc = parse(drawn).and_then(|v| node(&v, 0)).map_err(|m| js(invalid!("drawn data: {m}")))?;
    options::drawn_dataset(&doc).map_err(js)
}
