//! A parsed JSON document that typed values are read from (a model file, a page's options, drawn
//! data). Natively JSON text is read by serde_json ([`Text`]: an error names the field's path,
//! `json_path`). The page lets the browser's `JSON.parse` read the text, turns the result into a
//! [`Node`] tree (`web::json`) and reads that through serde: the page's wasm then carries no JSON
//! reader or writer of its own (docs/performance.md#the-wasm-size-budget). Both read the same
//! serde types, so every check after the parse is the same code.

use serde::de::value::{MapDeserializer, SeqDeserializer, StrDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

/// A parsed document, read as typed values.
pub trait Document {
    /// The whole document as a `T`; a one-line message when it does not fit `T`.
    fn read<T: DeserializeOwned>(&self) -> Result<T, String>;
}

/// Whether optional JSON text stands for nothing ("", blanks or `null`).
pub fn blank(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t == "null"
}

/// JSON text, read by serde_json; an error names the path of the field it is in.
pub struct Text<'a>(pub &'a [u8]);

impl Document for Text<'_> {
    fn read<T: DeserializeOwned>(&self) -> Result<T, String> {
        use crate::json_path;
        // an error names its field, found from serde_json's position (json_path;
        // serde_path_to_error cost the page's wasm about 50 KB)
        serde_json::from_slice(self.0).map_err(|e| {
            let message = e.to_string();
            let position = format!(" at line {} column {}", e.line(), e.column());
            let message = message.strip_suffix(&position).unwrap_or(&message);
            match json_path::offset_of(self.0, e.line(), e.column()) {
                Some(at) => format!("field '{}': {message}", json_path::path_at(self.0, at)),
                None => message.to_string(),
            }
        })
    }
}

/// A JSON value parsed elsewhere (in the page: by the browser's `JSON.parse`). Objects keep their
/// members in order; numbers are f64, as in JavaScript.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Document for Node {
    fn read<T: DeserializeOwned>(&self) -> Result<T, String> {
        T::deserialize(self).map_err(|e: de::value::Error| e.to_string())
    }
}

/// Largest whole number a JSON number stands for exactly (2^53).
const SAFE: f64 = 9_007_199_254_740_992.0;

impl<'de> de::Deserializer<'de> for &'de Node {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(*b),
            // whole numbers as integers, so that integer fields take them (as serde_json reads them)
            Node::Number(v) if v.fract() == 0.0 && v.abs() <= SAFE => {
                if *v >= 0.0 {
                    visitor.visit_u64(*v as u64)
                } else {
                    visitor.visit_i64(*v as i64)
                }
            }
            Node::Number(v) => visitor.visit_f64(*v),
            Node::String(s) => visitor.visit_borrowed_str(s),
            Node::Array(items) => visitor.visit_seq(SeqDeserializer::new(items.iter())),
            Node::Object(members) => {
                visitor.visit_map(MapDeserializer::new(members.iter().map(|(k, v)| (k.as_str(), v))))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Node::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    /// Unit variants, written as their names (the file's dtype, kind, schedule, activation).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self {
            Node::String(s) => visitor.visit_enum(StrDeserializer::<Self::Error>::new(s)),
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de> for &'de Node {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "lowercase")]
    enum Kind {
        Velocity,
        Classifier,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        n: usize,
        x: f64,
        f: f32,
        name: String,
        kind: Kind,
        maybe: Option<u64>,
        #[serde(default)]
        absent: Option<u64>,
        points: Vec<[f64; 2]>,
    }

    fn node(members: Vec<(&str, Node)>) -> Node {
        Node::Object(members.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn good() -> Vec<(&'static str, Node)> {
        use Node::*;
        vec![
            ("n", Number(3.0)),
            ("x", Number(0.1)),
            ("f", Number(2.0)),
            ("name", String("a".into())),
            ("kind", String("classifier".into())),
            ("maybe", Null),
            ("points", Array(vec![Array(vec![Number(1.0), Number(-0.5)])])),
        ]
    }

    #[test]
    fn nodes_read_as_serde_types() {
        let p: Probe = node(good()).read().unwrap();
        assert_eq!(
            p,
            Probe {
                n: 3,
                x: 0.1,
                f: 2.0,
                name: "a".into(),
                kind: Kind::Classifier,
                maybe: None,
                absent: None,
                points: vec![[1.0, -0.5]],
            }
        );
    }

    #[test]
    fn long_numbers_read_to_the_same_bits_from_text_and_from_nodes() {
        // shortest representations of f64 values with 16 and 17 significant digits: serde_json
        // (float_roundtrip) and a node (the browser's JSON.parse, correctly rounded) agree
        #[derive(Debug, Deserialize)]
        struct P {
            v: f64,
            p: Vec<[f64; 2]>,
        }
        for v in [
            0.1 + 0.2,
            1.0 / 3.0,
            2.0f64.sqrt(),
            -std::f64::consts::PI * 1e-7,
            5e-324,
            1.7976931348623157e308,
        ] {
            let text = format!(r#"{{"v": {v:?}, "p": [[{v:?}, -1e-3]]}}"#);
            let a: P = Text(text.as_bytes()).read().unwrap();
            assert_eq!(a.v.to_bits(), v.to_bits(), "{v:?}");
            assert_eq!(a.p, vec![[v, -1e-3]]);
            let n = node(vec![
                ("v", Node::Number(v)),
                ("p", Node::Array(vec![Node::Array(vec![Node::Number(v), Node::Number(-1e-3)])])),
            ]);
            let b: P = n.read().unwrap();
            assert_eq!(b.v.to_bits(), v.to_bits());
        }
        let e = Text(br#"{"v": "1", "p": []}"#).read::<P>().unwrap_err();
        assert!(e.starts_with("field 'v': invalid type: string"), "{e}");
    }

    #[test]
    fn bad_nodes_are_named_errors() {
        let with = |k: &'static str, v: Node| {
            let mut m = good();
            m.retain(|(name, _)| *name != k);
            m.push((k, v));
            node(m).read::<Probe>().unwrap_err()
        };
        assert!(with("widht", Node::Number(1.0)).contains("unknown field `widht`"));
        assert!(with("n", Node::Number(1.5)).contains("expected usize"));
        assert!(with("n", Node::Number(-1.0)).contains("expected usize"));
        assert!(with("n", Node::Number(f64::INFINITY)).contains("expected usize"));
        assert!(with("kind", Node::String("x".into())).contains("unknown variant `x`"));
        assert!(with("kind", Node::Number(1.0)).contains("expected enum"));
        assert!(with("points", Node::Array(vec![Node::Array(vec![Node::Number(1.0)])])).contains("length"));
        let mut m = good();
        m.retain(|(name, _)| *name != "name");
        assert!(node(m).read::<Probe>().unwrap_err().contains("missing field `name`"));
        assert!(Node::Array(vec![]).read::<Probe>().is_err());
    }
}
