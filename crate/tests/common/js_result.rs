//! Unwrapping the results of the wasm exports in the browser tests (web*.rs).

use wasm_bindgen::JsValue;

/// The value of an export that must succeed.
#[track_caller]
pub fn ok<T>(r: Result<T, wasm_bindgen::JsError>) -> T {
    r.map_err(JsValue::from).unwrap()
}

/// The message of an export's error (panics if it succeeded).
#[track_caller]
pub fn err<T>(r: Result<T, wasm_bindgen::JsError>) -> String {
    let v: JsValue = r.err().map(JsValue::from).expect("an error");
    js_sys::Error::from(v).message().into()
}
