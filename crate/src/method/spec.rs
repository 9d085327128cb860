//! A method is one row: [`METHODS`] (in `method/table.rs`) declares, for every sampling method, its name, what it
//! does, what it needs besides its velocity source ([`Needs`]), which fields it runs on
//! ([`Runs`]), the solver it insists on, and its parameters ([`Param`]: name, CLI flag,
//! JavaScript option, range, default, one-line doc). The CLI's method flags, the page's `Method`
//! options, the page's method table (`methodTable()`) and `docs/methods.md` are all read from
//! here, and the CLI, the wasm facade and the JavaScript ask a method what it needs
//! ([`super::Method::needs`]) instead of matching on it.
//!
//! This file holds the row's types and the parsing of parameters; `method/table.rs` holds the
//! rows, and `docs/methods.md` is generated from them ([`super::table::markdown`]:
//! `UPDATE_DOCS=1 cargo test --lib method::table` rewrites it, and a test fails while it is stale).

use serde::Serialize;

use super::table::METHODS;
use super::Method;
use crate::error::{check_range, Result};
use crate::invalid;
use crate::sampler::Solver;

/// What a method needs besides its velocity source (a network or the exact field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Needs {
    /// Nothing else.
    Nothing,
    /// A classifier p(c | x_t, t): a classifier network, or on the exact field (or without one)
    /// the exact Bayes classifier of the data's mixture.
    Classifier,
    /// A guide: on a network, a weaker velocity network of the same data and classes; on the
    /// exact field, the data's mixture widened by the method's own factor.
    Guide,
    /// Its own distilled student (w as an input) as the velocity network.
    Student,
}

impl Needs {
    /// How the docs and the page spell it.
    pub fn name(self) -> &'static str {
        match self {
            Needs::Nothing => "nothing",
            Needs::Classifier => "classifier",
            Needs::Guide => "guide",
            Needs::Student => "student",
        }
    }
}

/// Which fields a method runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runs {
    /// A flow on a velocity network or on the data's exact field.
    Both,
    /// A flow on a network only (the exact field has no student).
    NetworkOnly,
    /// Exact samples of a density on a grid: no network, no flow.
    ExactOnly,
}

impl Runs {
    /// Whether the method runs on the data's exact field.
    pub fn exact(self) -> bool {
        self != Runs::NetworkOnly
    }
    /// Whether the method has a flow to follow (the page's `Flow.advanceFor`).
    pub fn flow(self) -> bool {
        self != Runs::ExactOnly
    }
}

/// The values a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Kind {
    /// A finite number in [lo, hi] (in [lo, hi) when `open`).
    Number { lo: f64, hi: f64, open: bool },
    /// A whole number in [lo, hi].
    Whole { lo: f64, hi: f64 },
    /// One of these names.
    Choice { of: &'static [&'static str] },
}

/// One parameter of a method.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Param {
    /// The core's name (as `eval` reports it and errors of the core name it).
    pub name: &'static str,
    /// The CLI flag (None: the page only).
    pub flag: Option<&'static str>,
    /// The page's option name (`new Method(name, {...})`).
    pub js: &'static str,
    #[serde(flatten)]
    pub kind: Kind,
    /// The default (a number, or a choice's index); None: none (the parameter is off).
    pub default: Option<f64>,
    pub doc: &'static str,
}

/// A value as given: a number, or a choice's name.
#[derive(Clone, Debug, PartialEq)]
pub enum Given {
    Number(f64),
    Text(String),
}

/// Which spelling of a parameter errors use: the CLI's flags or the page's option names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    Cli,
    Js,
}

impl Param {
    /// The parameter as `spelling` names it.
    pub fn label(&self, spelling: Spelling) -> &'static str {
        match (spelling, self.flag) {
            (Spelling::Cli, Some(flag)) => flag,
            _ => self.js,
        }
    }

    /// Checks a given value (named as `spelling` names it): a number in range, or one of the
    /// choices (as its index).
    pub fn check(&self, v: &Given, spelling: Spelling) -> Result<f64> {
        let name = self.label(spelling);
        match (self.kind, v) {
            (Kind::Number { lo, hi, open: false }, Given::Number(v)) => check_range(name, *v, lo, hi),
            (Kind::Number { lo, hi, open: true }, Given::Number(v)) => {
                if !(v.is_finite() && (lo..hi).contains(v)) {
                    return Err(invalid!("{name} must be in [{lo}, {hi}), got {v}"));
                }
                Ok(*v)
            }
            (Kind::Whole { lo, hi }, Given::Number(v)) => {
                check_range(name, *v, lo, hi)?;
                if v.fract() != 0.0 {
                    return Err(invalid!("{name} must be a whole number, got {v}"));
                }
                Ok(*v)
            }
            (Kind::Choice { of }, Given::Text(t)) => match of.iter().position(|c| c == t) {
                Some(i) => Ok(i as f64),
                None => Err(invalid!("{name} must be {}, got '{t}'", of.join(" or "))),
            },
            (Kind::Choice { of }, Given::Number(v)) => {
                Err(invalid!("{name} must be {}, got {v}", of.join(" or ")))
            }
            (_, Given::Text(t)) => Err(invalid!("{name} must be a number, got '{t}'")),
        }
    }

    /// The range (or the choices) as the docs write it.
    pub fn range_text(&self) -> String {
        match self.kind {
            Kind::Number { lo, hi, open } => format!("[{lo}, {hi}{}", if open { ")" } else { "]" }),
            Kind::Whole { lo, hi } => format!("{lo}, …, {hi}"),
            Kind::Choice { of } => of.join(", "),
        }
    }

    /// The default as the docs write it.
    pub fn default_text(&self) -> String {
        match (self.kind, self.default) {
            (_, None) => "none".into(),
            (Kind::Choice { of }, Some(i)) => of[i as usize].into(),
            (_, Some(v)) => format!("{}", v as f32),
        }
    }
}

/// A method's parameters as given, by core name (parsed by [`MethodSpec::parse`]); the ones not
/// given take the row's defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MethodParams {
    given: Vec<(&'static str, f64)>,
}

impl MethodParams {
    /// These parameters with `name` set to `v` (a number, or a choice's index), unchecked.
    pub fn with(mut self, name: &'static str, v: f64) -> Self {
        self.given.retain(|(n, _)| *n != name);
        self.given.push((name, v));
        self
    }

    fn get(&self, name: &str) -> Option<f64> {
        self.given.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

/// A row's parameter values (given, or its defaults), for its `build`.
pub struct Values<'a> {
    spec: &'a MethodSpec,
    given: &'a MethodParams,
}

impl Values<'_> {
    /// The value of `name`, or None (a parameter without a default, not given). (Not inlined
    /// into every row's `build`: the page's wasm has a size budget.)
    #[inline(never)]
    pub fn opt(&self, name: &str) -> Option<f64> {
        let p = self.spec.params.iter().find(|p| p.name == name);
        let p = p.unwrap_or_else(|| panic!("{} declares no parameter {name}", self.spec.name));
        self.given.get(name).or(p.default)
    }
    /// The value of `name` (a parameter with a default).
    pub fn num(&self, name: &str) -> f64 {
        self.opt(name).unwrap_or(f64::NAN)
    }
}

/// One method: its row of [`METHODS`].
#[derive(Clone, Copy, Debug, Serialize)]
pub struct MethodSpec {
    pub name: &'static str,
    /// One line: what it does.
    pub what: &'static str,
    /// Network calls per step.
    pub calls: &'static str,
    pub needs: Needs,
    pub runs: Runs,
    /// The solver it steps with whatever is asked (None: the asked one).
    pub solver: Option<Solver>,
    pub params: &'static [Param],
    /// Pairs of parameters (core names) where the first must not exceed the second.
    pub ordered: &'static [(&'static str, &'static str)],
    /// The method from its parameters' values (checked against the row before).
    #[serde(skip)]
    pub build: fn(&Values) -> Method,
}

impl MethodSpec {
    /// The row of method `name`.
    pub fn find(name: &str) -> Result<&'static MethodSpec> {
        METHODS.iter().find(|s| s.name == name).ok_or_else(|| {
            invalid!("method must be one of {}, got '{name}'", super::Method::NAMES.join(", "))
        })
    }

    /// The parameter of this method that `spelling` calls `label`, if any.
    pub fn param(&self, label: &str, spelling: Spelling) -> Option<&'static Param> {
        self.params.iter().find(|p| p.label(spelling) == label)
    }

    /// Checks `given` (by label, spelt as `spelling`; labels no parameter of this method has
    /// are ignored: they belong to other methods) against this row, and the ordered pairs.
    pub fn parse<'g>(
        &self,
        given: impl IntoIterator<Item = (&'g str, Given)>,
        spelling: Spelling,
    ) -> Result<MethodParams> {
        let mut out = MethodParams::default();
        for (label, v) in given {
            if let Some(p) = self.param(label, spelling) {
                out = out.with(p.name, p.check(&v, spelling)?);
            }
        }
        let values = Values { spec: self, given: &out };
        for (a, b) in self.ordered {
            let (x, y) = (values.num(a), values.num(b));
            if x > y {
                let label = |n| self.params.iter().find(|p| p.name == n).map_or(n, |p| p.label(spelling));
                return Err(invalid!("{} must not exceed {}, got {x} > {y}", label(a), label(b)));
            }
        }
        Ok(out)
    }

    /// The method with these values (not checked: see [`super::Method::from_name`]).
    pub fn build(&'static self, given: &MethodParams) -> Method {
        (self.build)(&Values { spec: self, given })
    }
}

/// Every parameter a method of [`METHODS`] takes (by CLI flag or page name, deduplicated):
/// every name the CLI or the page accepts besides its own.
pub fn all_params() -> Vec<&'static Param> {
    let mut out: Vec<&'static Param> = Vec::new();
    for p in METHODS.iter().flat_map(|s| s.params) {
        if !out.iter().any(|q| q.js == p.js) {
            out.push(p);
        }
    }
    out
}

/// The names of the methods that need `needs`, joined with " or " (for errors).
pub fn needing(needs: Needs) -> String {
    let names: Vec<&str> = METHODS.iter().filter(|s| s.needs == needs).map(|s| s.name).collect();
    names.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_names_the_parameter_as_its_caller_spells_it() {
        let s = MethodSpec::find("guidance-interval").unwrap();
        let e = s.parse([("tHi", Given::Number(1.5))], Spelling::Js).unwrap_err();
        assert!(e.to_string().contains("tHi must be between 0 and 1, got 1.5"), "{e}");
        let e = s
            .parse([("--t-lo", Given::Number(0.7)), ("--t-hi", Given::Number(0.3))], Spelling::Cli)
            .unwrap_err();
        assert!(e.to_string().contains("--t-lo must not exceed --t-hi, got 0.7 > 0.3"), "{e}");
        // another method's parameter is not this one's
        assert!(s.parse([("tau", Given::Number(-1.0))], Spelling::Js).is_ok());
        let v = MethodSpec::find("velocity-scale").unwrap();
        let e = v.parse([("clock", Given::Text("wall".into()))], Spelling::Js).unwrap_err();
        assert!(e.to_string().contains("clock must be sampler or rescaled, got 'wall'"), "{e}");
        let z = MethodSpec::find("cfg-zero-star").unwrap();
        let e = z.parse([("zeroSteps", Given::Number(1.5))], Spelling::Js).unwrap_err();
        assert!(e.to_string().contains("zeroSteps must be a whole number"), "{e}");
        assert!(MethodSpec::find("bogus").unwrap_err().to_string().contains("method must be one of"));
    }
}
