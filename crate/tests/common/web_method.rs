//! `Method` handles for the browser tests (web*.rs): the guidance method a flow follows.

use cfg_playground::web::MethodHandle;
use wasm_bindgen::{JsError, JsValue};

/// The method `name` with options `{exact, ...numbers}`, as JavaScript would make it.
pub fn method(name: &str, exact: bool, numbers: &[(&str, f64)]) -> Result<MethodHandle, JsError> {
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"exact".into(), &JsValue::from_bool(exact)).unwrap();
    for (k, v) in numbers {
        js_sys::Reflect::set(&o, &(*k).into(), &JsValue::from_f64(*v)).unwrap();
    }
    MethodHandle::new(name, o.into())
}

/// Plain CFG at `w` (network, or the `exact` field).
pub fn cfg(w: f64, exact: bool) -> MethodHandle {
    method("cfg", exact, &[("w", w)]).map_err(JsValue::from).unwrap()
}
