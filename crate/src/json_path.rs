//! Where in a JSON text an error is: the path (`architecture.width`, `tensors[2].dtype`) of the
//! innermost value that ends at a byte offset, found by one scan of the text.
//!
//! The model-file loader names the field a data error is in. serde_json reports errors at a line
//! and column (the offset just past the offending value, or past the `}` of an object that lacks a
//! field); this turns that offset into the field's path. It replaces serde_path_to_error, whose
//! tracking wrappers are instantiated for every type of the file: about 50 KB of the page's wasm
//! before wasm-opt, for a path that only an error needs.

/// The byte offset of serde_json's error position (`line` from 1, `column` in bytes from the
/// line's start); `None` for an error without a position (line 0) or one past the text.
pub fn offset_of(text: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        start += text.get(start..)?.iter().position(|&b| b == b'\n')? + 1;
    }
    let at = start + column;
    (at <= text.len()).then_some(at)
}

/// The path of the innermost value of the JSON `text` whose bytes end at or contain the byte just
/// before `at` (its start < at <= its end); `.` for the whole document or when no value does.
/// Object members are joined with `.`, array elements written `[i]`, as serde_path_to_error did.
/// The text is expected to be valid JSON (the loader has parsed it already); any other text gives
/// some path, never a panic.
pub fn path_at(text: &[u8], at: usize) -> String {
    /// An open object or array: where it starts, and the member being read.
    struct Open {
        start: usize,
        object: bool,
        expect_key: bool,
        key: String,
        index: usize,
    }
    fn path(open: &[Open]) -> String {
        let mut out = String::new();
        for o in open {
            if o.object {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&o.key);
            } else {
                out.push_str(&format!("[{}]", o.index));
            }
        }
        if out.is_empty() {
            out.push('.');
        }
        out
    }
    let contains = |start: usize, end: usize| start < at && at <= end;
    let mut open: Vec<Open> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        match b {
            b'{' | b'[' => {
                open.push(Open {
                    start: i,
                    object: b == b'{',
                    expect_key: b == b'{',
                    key: String::new(),
                    index: 0,
                });
                i += 1;
            }
            b'}' | b']' => {
                let start = open.pop().map_or(0, |o| o.start);
                if contains(start, i + 1) {
                    return path(&open);
                }
                i += 1;
            }
            b':' => {
                if let Some(o) = open.last_mut() {
                    o.expect_key = false;
                }
                i += 1;
            }
            b',' => {
                if let Some(o) = open.last_mut() {
                    if o.object {
                        o.expect_key = true;
                    } else {
                        o.index += 1;
                    }
                }
                i += 1;
            }
            b'"' => {
                let mut end = i + 1;
                while end < text.len() && text[end] != b'"' {
                    end += if text[end] == b'\\' { 2 } else { 1 };
                }
                let end = (end + 1).min(text.len());
                match open.last_mut() {
                    Some(o) if o.object && o.expect_key => {
                        o.key = String::from_utf8_lossy(&text[i + 1..end.saturating_sub(1).max(i + 1)])
                            .into_owned();
                    }
                    _ if contains(i, end) => return path(&open),
                    _ => {}
                }
                i = end;
            }
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            _ => {
                // a number, true, false or null
                let mut end = i + 1;
                while end < text.len()
                    && !matches!(text[end], b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                {
                    end += 1;
                }
                if contains(i, end) {
                    return path(&open);
                }
                i = end;
            }
        }
    }
    ".".into()
}

/// Whether the JSON `text` ends inside an object, an array or a string: a file cut short (the
/// model-file loader's "truncated", whichever parser rejected the text).
pub fn ends_open(text: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut i = 0;
    while i < text.len() {
        match (in_string, text[i]) {
            (true, b'\\') => i += 1,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'{' | b'[') => depth += 1,
            (false, b'}' | b']') => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    in_string || depth > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path at the end of the first occurrence of `needle` in `text`.
    fn after(text: &str, needle: &str) -> String {
        path_at(text.as_bytes(), text.find(needle).unwrap() + needle.len())
    }

    #[test]
    fn members_and_elements() {
        let t = r#"{"a": {"width": "wide", "b": [1, {"dtype": "f64"}, true]}, "c": null}"#;
        assert_eq!(after(t, r#""wide""#), "a.width");
        assert_eq!(after(t, r#""f64""#), "a.b[1].dtype");
        assert_eq!(after(t, "true"), "a.b[2]");
        assert_eq!(after(t, "1"), "a.b[0]");
        assert_eq!(after(t, "null"), "c");
        // past the `}` of an object (a missing field): the object itself
        assert_eq!(after(t, r#""f64"}"#), "a.b[1]");
        assert_eq!(path_at(t.as_bytes(), t.len()), ".");
    }

    #[test]
    fn escapes_and_odd_text_never_panic() {
        let t = "{\"k\\\"ey\": \"v\\\\\"}";
        assert_eq!(path_at(t.as_bytes(), t.len() - 1), "k\\\"ey");
        for t in ["", "}", "]]]", "\"", "{\"a\":", "[1,", "{\"a\"", "\\"] {
            for at in 0..=t.len() + 1 {
                path_at(t.as_bytes(), at);
            }
        }
    }

    #[test]
    fn open_ends() {
        for t in ["{", "[1, 2", "{\"a\": \"x", "{\"a\": [{}", "\"ab\\\""] {
            assert!(ends_open(t.as_bytes()), "{t}");
        }
        for t in ["", "nonsense", "{}", "[1, {\"a\": \"]\"}]", "}}", "\"a\\\\\""] {
            assert!(!ends_open(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn offsets_from_lines_and_columns() {
        let t = b"{\n  \"a\": 1\n}";
        assert_eq!(offset_of(t, 1, 1), Some(1));
        assert_eq!(offset_of(t, 2, 10), Some(12));
        assert_eq!(offset_of(t, 3, 1), Some(12));
        assert_eq!(offset_of(t, 0, 0), None);
        assert_eq!(offset_of(t, 4, 0), None);
        assert_eq!(offset_of(t, 3, 5), None);
    }
}
