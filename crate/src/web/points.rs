//! Points files (CSV `x,y,label`) for the page: the same reader as `cfg-playground --data`.

use wasm_bindgen::prelude::*;

use serde::Serialize;

use super::{js, json};
use crate::caps::MAX_DRAWN_POINTS;
use crate::points_csv::{self, DRAWN_STD};

/// A points file's text as drawn data, JSON `{std, classes: [{name, points}], total}`: every
/// class in order of first appearance, at most [`MAX_DRAWN_POINTS`] points (a seeded subsample
/// of each class above it), `total` the number of points in the file. Errors name the line.
#[wasm_bindgen(js_name = parsePoints)]
pub fn parse_points(text: &str) -> Result<String, JsError> {
    #[derive(Serialize)]
    struct Class {
        name: String,
        points: Vec<[f64; 2]>,
    }
    #[derive(Serialize)]
    struct Drawn {
        std: f64,
        classes: Vec<Class>,
        total: usize,
    }
    let p = points_csv::read(text.as_bytes()).map_err(js)?;
    let classes =
        p.capped(MAX_DRAWN_POINTS).into_iter().map(|(name, points)| Class { name, points }).collect();
    json::stringify(&Drawn { std: DRAWN_STD, classes, total: p.len() })
}

/// Drawn data (JSON `{std?, classes: [{name, points}]}`, as `Model.untrained` takes it) as a
/// points file's text (header x,y,label), after the same checks as training on it.
#[wasm_bindgen(js_name = pointsCsv)]
pub fn points_csv(drawn: &str) -> Result<String, JsError> {
    let ds = json::dataset("custom", drawn)?;
    let d = ds.drawn().ok_or_else(|| JsError::new("no drawn points"))?;
    Ok(points_csv::write(&d.classes))
}
