//! Numbers read from JSON exactly (correctly rounded, as `str::parse` does), where it matters: the
//! drawn points of a custom data set, which the page and the command line must read to the same
//! bits. serde_json's own float reader is exact only with its `float_roundtrip` feature, which cost
//! the page's wasm about 10 KB gzipped; without it, a number of more than 15 significant digits may
//! come out one unit in the last place off. The other numbers of a model file or of the page's
//! options (a learning rate, a loss) have few digits, which serde_json reads exactly anyway.
//!
//! These are serde `deserialize_with` functions; they borrow the number's text, so they work with
//! `serde_json::from_slice` and `from_str` (not with `from_value`).

use serde::de::{Deserialize, Deserializer, Error};
use serde_json::value::RawValue;

/// The JSON number `raw`, correctly rounded to f64; an error for anything but a number.
fn number<E: Error>(raw: &RawValue) -> Result<f64, E> {
    let text = raw.get();
    let numeric = text.starts_with(|c: char| c == '-' || c.is_ascii_digit());
    match text.parse::<f64>() {
        Ok(v) if numeric => Ok(v),
        _ => Err(E::custom(format!("expected a number, got {text}"))),
    }
}

/// One number, read exactly.
pub fn exact<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    number(<&RawValue>::deserialize(d)?)
}

/// A list of points `[[x, y], ...]`, read exactly.
pub fn exact_points<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[f64; 2]>, D::Error> {
    let raw = Vec::<[&RawValue; 2]>::deserialize(d)?;
    raw.iter().map(|[x, y]| Ok([number(x)?, number(y)?])).collect()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Probe {
        #[serde(deserialize_with = "super::exact")]
        v: f64,
        #[serde(deserialize_with = "super::exact_points")]
        p: Vec<[f64; 2]>,
    }

    fn read(text: &str) -> Result<Probe, String> {
        serde_json::from_slice(text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn long_numbers_round_trip_exactly() {
        // shortest representations of f64 values with 16 and 17 significant digits
        for v in [
            0.1 + 0.2,
            1.0 / 3.0,
            2.0f64.sqrt(),
            -std::f64::consts::PI * 1e-7,
            5e-324,
            1.7976931348623157e308,
        ] {
            let p = read(&format!(r#"{{"v": {v:?}, "p": [[{v:?}, -1e-3]]}}"#)).unwrap();
            assert_eq!(p.v.to_bits(), v.to_bits(), "{v:?}");
            assert_eq!(p.p, vec![[v, -1e-3]]);
        }
    }

    #[test]
    fn anything_but_a_number_is_an_error() {
        for bad in [r#""1""#, "null", "true", "[1]", r#"{"a":1}"#] {
            let e = read(&format!(r#"{{"v": {bad}, "p": []}}"#)).unwrap_err();
            assert!(e.contains("expected a number"), "{bad}: {e}");
        }
        let e = read(r#"{"v": 1, "p": [[1, "x"]]}"#).unwrap_err();
        assert!(e.contains("expected a number"), "{e}");
        assert!(read(r#"{"v": 1, "p": [[1]]}"#).is_err());
    }
}
