//! Labelled points from CSV (header `x,y,label`, the format `cfg-playground data` writes and the
//! page's draw-your-own figure exports), turned into a drawn data set ([`Dataset::custom`]).
//!
//! The reader streams: it holds one line at a time (at most [`MAX_CSV_LINE_BYTES`]), stops at the
//! first bad line with an error naming it, and stops reading after [`MAX_CSV_ROWS`] points, so a
//! huge file costs at most that much. Every point becomes a Gaussian of σ = [`DRAWN_STD`], the
//! rule of the page's drawn data. Above [`MAX_CSV_POINTS`] points the data set keeps a seeded random
//! subsample of each class, in proportion to the class sizes (at least 3 points per class), so
//! that the exact field (one mixture component per point) stays fast.

use std::io::{BufRead, Read as _};

use crate::caps::{
    MAX_CSV_LINE_BYTES, MAX_CSV_POINTS, MAX_CSV_ROWS, MAX_DRAWN_CLASSES, MAX_DRAWN_COORD, MAX_NAME_CHARS,
};
use crate::datasets::Dataset;
use crate::error::{Error, Result};
use crate::rng;

/// The header every file starts with.
pub const HEADER: &str = "x,y,label";
/// Blur of every point: σ of its Gaussian kernel (the page's drawn data use the same).
pub const DRAWN_STD: f64 = crate::datasets::DRAWN_STD;

/// Points read from a CSV file, grouped by class in order of first appearance.
#[derive(Clone, Debug, PartialEq)]
pub struct PointsCsv {
    pub classes: Vec<(String, Vec<[f64; 2]>)>,
}

fn at(line: usize, m: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("line {line}: {m}"))
}

/// Reads a points file; errors name the line (1-based) and what is wrong with it.
pub fn read(mut input: impl BufRead) -> Result<PointsCsv> {
    let mut buf = Vec::with_capacity(MAX_CSV_LINE_BYTES + 2);
    let mut line_no = 0usize;
    let mut classes: Vec<(String, Vec<[f64; 2]>)> = Vec::new();
    let mut rows = 0usize;
    let mut header = false;
    loop {
        buf.clear();
        line_no += 1;
        // one line, but never more than the cap (a file without newlines must not fill memory)
        let n = std::io::Read::by_ref(&mut input)
            .take(MAX_CSV_LINE_BYTES as u64 + 2)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::Io(format!("line {line_no}: cannot read ({e})")))?;
        if n == 0 {
            break;
        }
        let complete = buf.last() == Some(&b'\n');
        if !complete && n > MAX_CSV_LINE_BYTES {
            return Err(at(line_no, format!("longer than {MAX_CSV_LINE_BYTES} bytes; not a points file")));
        }
        let text = std::str::from_utf8(&buf).map_err(|_| at(line_no, "not UTF-8 text"))?;
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.len() > MAX_CSV_LINE_BYTES {
            return Err(at(line_no, format!("longer than {MAX_CSV_LINE_BYTES} bytes; not a points file")));
        }
        if text.is_empty() {
            continue;
        }
        if !header {
            let fields: Vec<&str> = text.split(',').map(|f| f.trim().trim_matches('"')).collect();
            if fields != ["x", "y", "label"] {
                return Err(at(line_no, format!("expected the header {HEADER}, got '{}'", clip(text))));
            }
            header = true;
            continue;
        }
        if rows == MAX_CSV_ROWS {
            return Err(at(line_no, format!("more than {MAX_CSV_ROWS} points, the cap; subsample the file")));
        }
        let (p, name) = row(text, line_no)?;
        match classes.iter().position(|c| c.0 == name) {
            Some(i) => classes[i].1.push(p),
            None if classes.len() == MAX_DRAWN_CLASSES => {
                return Err(at(
                    line_no,
                    format!("class '{name}' is a class too many: at most {MAX_DRAWN_CLASSES} classes"),
                ))
            }
            None => classes.push((name.to_string(), vec![p])),
        }
        rows += 1;
    }
    if !header {
        return Err(at(1, format!("the file is empty; expected the header {HEADER} and points")));
    }
    if rows == 0 {
        return Err(at(line_no, format!("no points after the header {HEADER}")));
    }
    if classes.len() == 1 {
        return Err(at(
            line_no - 1,
            format!("every point is class '{}': guidance needs at least 2 classes", classes[0].0),
        ));
    }
    if let Some((name, pts)) = classes.iter().find(|c| c.1.len() < 3) {
        return Err(at(
            line_no - 1,
            format!("class '{name}' has {} point(s); each class needs at least 3", pts.len()),
        ));
    }
    Ok(PointsCsv { classes })
}

/// Points as a points file: the header, then one `x,y,label` line per point, class by class.
pub fn write(classes: &[(String, Vec<[f64; 2]>)]) -> String {
    let mut out = format!("{HEADER}\n");
    for (name, points) in classes {
        for p in points {
            out.push_str(&format!("{},{},{name}\n", p[0], p[1]));
        }
    }
    out
}

/// The first 40 characters of a line, for messages.
fn clip(s: &str) -> String {
    let mut c: String = s.chars().take(40).collect();
    if c.len() < s.len() {
        c.push('…');
    }
    c
}

/// One data line: the point and its class name.
fn row(text: &str, line: usize) -> Result<([f64; 2], &str)> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    if fields.len() != 3 {
        return Err(at(line, format!("expected 3 fields x,y,label, got {}: '{}'", fields.len(), clip(text))));
    }
    let num = |name: &str, s: &str| -> Result<f64> {
        let v: f64 = s.parse().map_err(|_| at(line, format!("{name} is not a number: '{}'", clip(s))))?;
        if !v.is_finite() {
            return Err(at(line, format!("{name} is not finite: '{s}'")));
        }
        if v.abs() > MAX_DRAWN_COORD {
            return Err(at(
                line,
                format!("{name} = {v} is outside [−{MAX_DRAWN_COORD}, {MAX_DRAWN_COORD}], the range of drawn data"),
            ));
        }
        Ok(v)
    };
    let p = [num("x", fields[0])?, num("y", fields[1])?];
    let name = fields[2].trim_matches('"').trim();
    if name.is_empty() || name == "null" || name.chars().count() > MAX_NAME_CHARS {
        return Err(at(
            line,
            format!(
                "label '{}' is not a class name (1 to {MAX_NAME_CHARS} characters, not 'null')",
                clip(name)
            ),
        ));
    }
    Ok((p, name))
}

impl PointsCsv {
    /// Total number of points.
    pub fn len(&self) -> usize {
        self.classes.iter().map(|c| c.1.len()).sum()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// At most `cap` points (cap ≥ 3 per class): all of them, or for each class a seeded random
    /// subsample (in file order) whose size is proportional to the class's share, at least 3.
    pub fn capped(&self, cap: usize) -> Vec<(String, Vec<[f64; 2]>)> {
        let total = self.len();
        if total <= cap {
            return self.classes.clone();
        }
        let quotas = quotas(&self.classes.iter().map(|c| c.1.len()).collect::<Vec<_>>(), cap);
        let mut rng = rng::seeded(0, rng::stream::SUBSAMPLE);
        self.classes
            .iter()
            .zip(quotas)
            .map(|((name, pts), q)| {
                // partial Fisher–Yates over the indices, then back to file order
                let mut idx: Vec<usize> = (0..pts.len()).collect();
                for i in 0..q {
                    let j = i + rng::index(&mut rng, pts.len() - i);
                    idx.swap(i, j);
                }
                let mut keep = idx[..q].to_vec();
                keep.sort_unstable();
                (name.clone(), keep.into_iter().map(|i| pts[i]).collect())
            })
            .collect()
    }

    /// The drawn data set: each point a Gaussian of σ = [`DRAWN_STD`], at most [`MAX_CSV_POINTS`].
    pub fn dataset(&self) -> Result<Dataset> {
        Dataset::custom(self.capped(MAX_CSV_POINTS), DRAWN_STD)
    }
}

/// Points per class summing to `cap`: proportional to `sizes` (largest remainder), each at least
/// min(3, size) and at most its size.
fn quotas(sizes: &[usize], cap: usize) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    let share = |i: usize| sizes[i] as f64 * cap as f64 / total as f64;
    let mut q: Vec<usize> =
        (0..sizes.len()).map(|i| (share(i).floor() as usize).clamp(sizes[i].min(3), sizes[i])).collect();
    let mut sum: usize = q.iter().sum();
    while sum < cap {
        // the class furthest below its share that can still grow
        let i = (0..sizes.len())
            .filter(|&i| q[i] < sizes[i])
            .max_by(|&a, &b| (share(a) - q[a] as f64).total_cmp(&(share(b) - q[b] as f64)))
            .expect("cap < total");
        q[i] += 1;
        sum += 1;
    }
    while sum > cap {
        // only the minimum of 3 can overshoot: take from the largest quota above it
        let i = (0..sizes.len()).filter(|&i| q[i] > 3).max_by_key(|&i| q[i]).expect("cap ≥ 3 per class");
        q[i] -= 1;
        sum -= 1;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PointsCsv> {
        read(text.as_bytes())
    }

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_what_data_writes() {
        let p = parse("x,y,label\n0.5,1,a\n-1,2e-1,b\r\n0,0,a\n\n1,1,b\n2,2,a\n3,3,b\n").unwrap();
        assert_eq!(p.classes[0].0, "a");
        assert_eq!(p.classes[0].1, vec![[0.5, 1.0], [0.0, 0.0], [2.0, 2.0]]);
        assert_eq!(p.classes[1].1.len(), 3);
        let d = p.dataset().unwrap();
        assert_eq!(d.class_names(), ["a", "b"]);
        assert_eq!(d.drawn().unwrap().std, DRAWN_STD);
    }

    #[test]
    fn bad_files_name_the_line() {
        assert!(err("").contains("line 1: the file is empty"));
        assert!(err("\n \n").contains("line 1: the file is empty"));
        assert!(err("1,2,a\n").contains("line 1: expected the header x,y,label, got '1,2,a'"));
        assert!(err("x,y,label\n").contains("line 2: no points"));
        assert!(err("x,y,label\n1,2,a\n1,zz,b\n").contains("line 3: y is not a number: 'zz'"));
        assert!(err("x,y,label\n1,2,a\nNaN,1,b\n").contains("line 3: x is not finite"));
        assert!(err("x,y,label\n1,2,a\n1,inf,b\n").contains("line 3: y is not finite"));
        assert!(err("x,y,label\n1,2\n").contains("line 2: expected 3 fields"));
        assert!(err("x,y,label\n9,2,a\n").contains("line 2: x = 9 is outside"));
        assert!(err("x,y,label\n1,2,null\n").contains("line 2: label 'null'"));
        assert!(err("x,y,label\n1,2,a\n1,2,a\n1,1,a\n").contains("line 4: every point is class 'a'"));
        assert!(err("x,y,label\n1,2,a\n1,2,a\n1,1,a\n0,0,b\n").contains("class 'b' has 1 point"));
        let many: String = (0..9).map(|i| format!("0,0,c{i}\n")).collect();
        assert!(err(&format!("x,y,label\n{many}")).contains("line 10: class 'c8' is a class too many"));
        let long = format!("x,y,label\n{}\n", "1".repeat(1000));
        assert!(err(&long).contains("line 2: longer than 256 bytes"));
        assert!(
            err("x,y,label\n\u{ff}\n").contains("line 2") || read(&b"x,y,label\n\xff,1,a\n"[..]).is_err()
        );
        assert!(read(&b"x,y,label\n\xff,1,a\n"[..]).unwrap_err().to_string().contains("line 2: not UTF-8"));
    }

    #[test]
    fn what_write_writes_reads_back() {
        let classes = vec![
            ("a".to_string(), vec![[0.125, -1.5], [1e-3, 2.0], [0.0, 0.0]]),
            ("b".to_string(), vec![[3.0, 3.0]; 3]),
        ];
        let text = write(&classes);
        assert!(text.starts_with("x,y,label\n0.125,-1.5,a\n"));
        assert_eq!(read(text.as_bytes()).unwrap().classes, classes);
    }

    #[test]
    fn reading_stops_at_the_cap() {
        // a stream longer than the cap is never read to its end
        struct Endless(usize);
        impl std::io::Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let line: &[u8] = if self.0 == 0 {
                    b"x,y,label\n"
                } else if self.0 % 2 == 0 {
                    b"0.25,0.5,a\n"
                } else {
                    b"0.5,0.25,b\n"
                };
                self.0 += 1;
                let n = line.len().min(buf.len());
                buf[..n].copy_from_slice(&line[..n]);
                Ok(n)
            }
        }
        let e = read(std::io::BufReader::new(Endless(0))).unwrap_err().to_string();
        assert!(e.contains(&format!("line {}: more than {MAX_CSV_ROWS} points", MAX_CSV_ROWS + 2)), "{e}");
    }

    #[test]
    fn subsamples_keep_class_shares_and_are_seeded() {
        let pts = |n: usize, x: f64| (0..n).map(|i| [x, i as f64 / n as f64]).collect::<Vec<_>>();
        let p = PointsCsv {
            classes: vec![
                ("a".into(), pts(3000, 0.0)),
                ("b".into(), pts(1000, 1.0)),
                ("c".into(), pts(4, 2.0)),
            ],
        };
        let c = p.capped(MAX_CSV_POINTS);
        let sizes: Vec<usize> = c.iter().map(|c| c.1.len()).collect();
        assert_eq!(sizes.iter().sum::<usize>(), MAX_CSV_POINTS);
        assert_eq!(sizes[2], 3);
        let share = |n: usize| (n * MAX_CSV_POINTS) as f64 / 4004.0;
        assert!((sizes[0] as f64 - share(3000)).abs() < 2.0, "{sizes:?}");
        assert!((sizes[1] as f64 - share(1000)).abs() < 2.0, "{sizes:?}");
        assert_eq!(c, p.capped(MAX_CSV_POINTS));
        // file order is kept, and every kept point is one of the file's
        assert!(c[0].1.windows(2).all(|w| w[0][1] < w[1][1]));
        assert_eq!(p.dataset().unwrap().mixture().components.len(), MAX_CSV_POINTS);
        let small = PointsCsv { classes: vec![("a".into(), pts(5, 0.0)), ("b".into(), pts(6, 1.0))] };
        assert_eq!(small.capped(MAX_CSV_POINTS), small.classes);
    }

    #[test]
    fn quotas_add_up() {
        for (sizes, cap) in [
            (vec![10, 10], 7),
            (vec![1000, 3, 3, 3], 20),
            (vec![5, 995], 100),
            (vec![4, 4, 4, 4, 4, 4, 4, 4], 24),
        ] {
            let q = quotas(&sizes, cap);
            assert_eq!(q.iter().sum::<usize>(), cap, "{sizes:?} {q:?}");
            assert!(q.iter().zip(&sizes).all(|(&q, &s)| q <= s && q >= s.min(3)), "{sizes:?} {q:?}");
        }
    }
}
