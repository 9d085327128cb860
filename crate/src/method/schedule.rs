//! Guidance schedules: how the guidance scale varies along the path, at the same mean.
//!
//! A schedule is a shape s(t) ≥ 0 with mean 1 over t ∈ [0, 1], and the scale at time t is
//!
//! ```text
//! w(t) = 1 + (w − 1)·s(t)
//! ```
//!
//! so the mean of w(t) over [0, 1] is w, and where s(t) = 0 the step follows the plain
//! conditional velocity (w = 1), as the guidance interval has it. Time runs from noise (t = 0) to
//! data (t = 1), as in `crate::flow`. The shapes, their s(t) and the papers that argue for
//! them are [`Shape::DOCS`] (docs/methods.md prints them).
//!
//! The methods whose w(t) means one scale along the path take a schedule: `cfg`, `classifier`
//! (λ(t)), `cfg-zero-star`, `apg` and `autoguidance` ([`super::Method::schedule`]). The others do
//! not: `guidance-interval` and `rectified-cfg` are schedules of their own, CFG++'s follows from its
//! step, `fkc`'s weights are derived for a constant w, the student takes w as an input,
//! `noise-scale` and `velocity-scale` are the post's constant-w experiments, and `tilted` and
//! `tempered` have no path.
//!
//! The one place that switches on the shape is [`Schedule::w_at`].

use serde::Serialize;

use super::spec::{Given, Kind, Param, Spelling};
use super::DEFAULT_INTERVAL;
use crate::caps::MAX_GUIDANCE;
use crate::error::{check_range, Result};
use crate::invalid;

/// The shape of a schedule, in the order of [`Shape::NAMES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    Constant,
    LinearUp,
    LinearDown,
    Cosine,
    Triangle,
    Early,
    Late,
    Interval,
}

/// The narrowest window the `interval` schedule takes (its scale there is 1 + (w − 1)/width).
pub const MIN_WIDTH: f32 = 0.05;
/// The most points [`curve`] gives.
pub const MAX_CURVE_POINTS: usize = 4096;

impl Shape {
    /// Every shape, in the order of [`Shape::NAMES`].
    pub const ALL: [Shape; 8] = [
        Shape::Constant,
        Shape::LinearUp,
        Shape::LinearDown,
        Shape::Cosine,
        Shape::Triangle,
        Shape::Early,
        Shape::Late,
        Shape::Interval,
    ];
    /// The names, as the CLI (`--schedule`) and the page (`schedule`) spell them.
    pub const NAMES: [&'static str; 8] =
        ["constant", "linear-up", "linear-down", "cosine", "triangle", "early", "late", "interval"];

    /// Each shape's s(t) and where it comes from, in the order of [`Shape::NAMES`].
    pub const DOCS: [(&'static str, &'static str); 8] = [
        ("1", "CFG as the post has it: w(t) = w, bit for bit"),
        ("2t", "rising toward the data (Wang et al. 2024)"),
        ("2(1 − t)", "high early, falling toward the data (Ventura et al. 2026 end unconditional)"),
        ("1 − cos(πt)", "rising, flat at both ends (Wang et al. 2024's cosine)"),
        ("2 − 4·|t − ½|", "peaking mid-run (TV-CFG, 2025)"),
        ("2 on [0, ½), 0 after", "early only (CFG truncation, Yi et al. 2024)"),
        ("0 before ½, 2 on [½, 1]", "late only"),
        (
            "1/(t_hi − t_lo) on [t_lo, t_hi], 0 outside",
            "the guidance interval's window (Kynkäänniemi et al. 2024) at the same mean",
        ),
    ];

    /// The shape's name.
    pub fn name(self) -> &'static str {
        Shape::NAMES[self as usize]
    }
}

/// A guidance schedule: its shape, and the window of the `interval` shape (kept, unused, by the
/// others).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Schedule {
    pub shape: Shape,
    pub t_lo: f32,
    pub t_hi: f32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule::CONSTANT
    }
}

impl Schedule {
    /// The constant schedule (CFG as it always was), with the default window.
    pub const CONSTANT: Schedule =
        Schedule { shape: Shape::Constant, t_lo: DEFAULT_INTERVAL.0, t_hi: DEFAULT_INTERVAL.1 };

    /// `shape` with the default window.
    pub fn of(shape: Shape) -> Schedule {
        Schedule { shape, ..Schedule::CONSTANT }
    }

    /// Whether it is the constant schedule (reports leave it out).
    pub fn is_constant(&self) -> bool {
        self.shape == Shape::Constant
    }

    /// Checks the window: t_lo and t_hi in [0, 1], t_lo ≤ t_hi, and for `interval` at least
    /// [`MIN_WIDTH`] wide.
    #[inline(never)]
    pub fn validate(&self) -> Result<()> {
        check_window(self.t_lo, self.t_hi)?;
        // (with room for the rounding of f32: [0.5, 0.55] is wide enough)
        if self.shape == Shape::Interval && self.t_hi - self.t_lo < MIN_WIDTH - 1e-6 {
            return Err(invalid!("the interval schedule needs t_hi − t_lo of at least {MIN_WIDTH}"));
        }
        Ok(())
    }

    /// The guidance scale at time `t` for mean scale `w`: 1 + (w − 1)·s(t) (for `constant`, `w`
    /// itself). The one match on the shape. (Not inlined: the method's dispatch calls it from each
    /// of its entry points, and the page's wasm has a size budget.)
    #[inline(never)]
    pub fn w_at(&self, w: f32, t: f32) -> f32 {
        use std::f32::consts::PI;
        let s = match self.shape {
            Shape::Constant => return w,
            Shape::LinearUp => 2.0 * t,
            Shape::LinearDown => 2.0 * (1.0 - t),
            Shape::Cosine => 1.0 - (PI * t).cos(),
            Shape::Triangle => 2.0 - 4.0 * (t - 0.5).abs(),
            Shape::Early => 2.0 * (t < 0.5) as u8 as f32,
            Shape::Late => 2.0 * (t >= 0.5) as u8 as f32,
            Shape::Interval => {
                let inside = (self.t_lo..=self.t_hi).contains(&t);
                inside as u8 as f32 / (self.t_hi - self.t_lo)
            }
        };
        1.0 + (w - 1.0) * s
    }
}

/// Checks a window [t_lo, t_hi] of the path: both in [0, 1], t_lo ≤ t_hi (guidance-interval's
/// interval and the `interval` schedule's).
pub fn check_window(t_lo: f32, t_hi: f32) -> Result<()> {
    check_range("t_lo", t_lo as f64, 0.0, 1.0)?;
    check_range("t_hi", t_hi as f64, 0.0, 1.0)?;
    if t_lo > t_hi {
        return Err(invalid!("t_lo must not exceed t_hi, got [{t_lo}, {t_hi}]"));
    }
    Ok(())
}

/// docs/methods.md's section on schedules.
pub fn markdown() -> String {
    let mut s = String::from(
        "\n## Guidance schedules\n\n\
         `cfg`, `classifier` (its λ), `cfg-zero-star`, `apg` and `autoguidance` take `--schedule` (the page's \
         `schedule`): a shape s(t) ≥ 0 of mean 1 over t ∈ [0, 1] (t = 0 noise, 1 data), and the scale at t is \
         w(t) = 1 + (w − 1)·s(t). The mean of w(t) over the path is w, and where s(t) = 0 the step follows the \
         conditional velocity (w = 1), as the guidance interval has it. The other methods take none: \
         `guidance-interval` and `rectified-cfg` are schedules of their own, CFG++'s follows from its step, \
         `fkc`'s weights are derived for a constant w, the student takes w as an input, `noise-scale` and \
         `velocity-scale` are the post's constant-w experiments. (`crate/src/method/schedule.rs`; the page \
         draws a schedule with `scheduleCurve(name, w, tLo, tHi, n)`.)\n\n\
         | schedule | s(t) | |\n|---|---|---|\n",
    );
    for (name, (shape, why)) in Shape::NAMES.iter().zip(Shape::DOCS) {
        s += &format!("| `{name}` | {} | {why} |\n", shape.replace('|', "\\|"));
    }
    s
}

/// The schedule called `name` (checked as the page's `schedule` option is) with the window
/// [t_lo, t_hi], as w(t) for mean `w` at `n` evenly spaced times t_i = i/(n − 1) from 0 to 1 (n a
/// whole number in 2..=[`MAX_CURVE_POINTS`]), every input checked with a one-line error: the page's
/// w(t) plot (`scheduleCurve` in `crate::web`).
pub fn curve(name: &str, w: f64, t_lo: f64, t_hi: f64, n: f64) -> Result<Vec<f32>> {
    let param = &super::table::SCHEDULE[0];
    let shape = Shape::ALL[param.check(&Given::Text(name.into()), Spelling::Js)? as usize];
    let s = Schedule { shape, t_lo: t_lo as f32, t_hi: t_hi as f32 };
    s.validate()?;
    check_range("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)?;
    // (the table's check of a whole number)
    const POINTS: Param = Param {
        name: "n",
        flag: None,
        js: "n",
        kind: Kind::Whole { lo: 2.0, hi: MAX_CURVE_POINTS as f64 },
        default: None,
        doc: "",
    };
    POINTS.check(&Given::Number(n), Spelling::Js)?;
    let last = (n - 1.0) as f32;
    Ok((0..n as usize).map(|i| s.w_at(w as f32, i as f32 / last)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mean of w(t) over [0, 1] by the midpoint rule on `n` cells (in f64 over the f32 values).
    fn mean(s: &Schedule, w: f32, n: usize) -> f64 {
        (0..n).map(|i| s.w_at(w, (i as f32 + 0.5) / n as f32) as f64).sum::<f64>() / n as f64
    }

    #[test]
    fn every_schedule_has_mean_w() {
        for shape in Shape::ALL {
            for (t_lo, t_hi) in [DEFAULT_INTERVAL, (0.0, 1.0), (0.3, 0.4)] {
                let s = Schedule { shape, t_lo, t_hi };
                for w in [-1.0, 0.0, 1.0, 2.0, 3.0, 5.0, 7.5] {
                    let m = mean(&s, w, 200_000);
                    // steps and windows cost at most a cell's share of the jump
                    assert!(
                        (m - w as f64).abs() < 1e-3 * (1.0 + w.abs() as f64),
                        "{shape:?} {t_lo} {t_hi} w {w}: {m}"
                    );
                }
            }
        }
    }

    #[test]
    fn constant_is_w_bit_for_bit_and_off_is_conditional() {
        for w in [0.1f32, -3.3, 2.7, 1e-8, 99.9] {
            for t in [0.0, 0.3, 1.0] {
                assert_eq!(Schedule::CONSTANT.w_at(w, t).to_bits(), w.to_bits());
            }
        }
        // where the shape is 0 the scale is exactly 1: the conditional velocity
        assert_eq!(Schedule::of(Shape::Early).w_at(5.0, 0.7), 1.0);
        assert_eq!(Schedule::of(Shape::Late).w_at(5.0, 0.2), 1.0);
        assert_eq!(Schedule::of(Shape::Interval).w_at(5.0, 0.9), 1.0);
        assert_eq!(Schedule::of(Shape::LinearUp).w_at(3.0, 1.0), 5.0);
        assert_eq!(Schedule::of(Shape::Triangle).w_at(3.0, 0.5), 5.0);
    }

    #[test]
    fn names_round_trip_and_bad_ones_are_one_line_errors() {
        for (i, s) in Shape::ALL.iter().enumerate() {
            assert_eq!(s.name(), Shape::NAMES[i]);
            assert_eq!(curve(s.name(), 1.0, 0.2, 0.6, 3.0).unwrap(), [1.0; 3]);
        }
        let e = curve("sawtooth", 3.0, 0.15, 0.8, 5.0).unwrap_err().to_string();
        assert!(e.contains("schedule must be constant or linear-up") && e.contains("'sawtooth'"), "{e}");
        assert!(!e.contains('\n'));
        let narrow = Schedule { shape: Shape::Interval, t_lo: 0.5, t_hi: 0.5 };
        assert!(narrow.validate().unwrap_err().to_string().contains("at least 0.05"));
        assert!(Schedule { t_hi: 0.55, ..narrow }.validate().is_ok());
        // (a point window is fine for a shape that does not use it)
        assert!(Schedule { shape: Shape::Cosine, ..narrow }.validate().is_ok());
    }

    #[test]
    fn the_curve_is_w_at_evenly_spaced_times() {
        let c = curve("linear-down", 3.0, 0.15, 0.8, 5.0).unwrap();
        assert_eq!(c, [5.0, 4.0, 3.0, 2.0, 1.0]);
        assert!(curve("linear-down", 3.0, 0.15, 0.8, 1.0).is_err());
        assert!(curve("linear-down", 3.0, 0.15, 0.8, (MAX_CURVE_POINTS + 1) as f64).is_err());
        assert!(curve("linear-down", f64::NAN, 0.15, 0.8, 10.0).is_err());
        let window = curve("interval", 3.0, 0.25, 0.75, 5.0).unwrap();
        assert_eq!(window, [1.0, 5.0, 5.0, 5.0, 1.0]);
        for (bad, what) in [
            (curve("zigzag", 3.0, 0.1, 0.9, 5.0), "schedule must be constant or"),
            (curve("cosine", 3.0, 0.9, 0.1, 5.0), "t_lo must not exceed t_hi"),
            (curve("cosine", 3.0, 0.1, 1.5, 5.0), "t_hi must be between 0 and 1"),
            (curve("cosine", 3.0, 0.1, 0.9, 2.5), "n must be a whole number"),
            (curve("cosine", 3.0, 0.1, 0.9, f64::INFINITY), "n must be"),
            (curve("cosine", 1e9, 0.1, 0.9, 5.0), "w must be"),
        ] {
            let e = bad.unwrap_err().to_string();
            assert!(e.contains(what) && !e.contains('\n'), "{e}");
        }
    }
}
