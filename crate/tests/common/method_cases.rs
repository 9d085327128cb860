//! The one list of method cases that both page-path tests run: natively (`page_flows.rs`: the
//! page's loop, `method::advance`, against `sample`'s `method::generate_with`) and in the browser
//! (`web_methods.rs`: the wasm `Flow.advanceFor` export against the same). Each case names a
//! method of the method table with its page options, so both tests build it from the table;
//! [`assert_every_method_has_a_case`] fails when a method of `Method::NAMES` has none (and, for
//! a method that runs on both fields, when it lacks a network or an exact case).
#![allow(dead_code)]

use cfg_playground::method::spec::{Given, Spelling};
use cfg_playground::method::{Method, MethodSpec, Needs, Runs, METHODS};

/// A page option's value.
#[derive(Clone, Copy, Debug)]
pub enum Opt {
    Num(f64),
    Name(&'static str),
}

/// One case: a method (by name, with its page options) on a network or the exact field, at
/// guidance `w`, stepped with `solver`. On a network a method that needs a classifier gets a
/// classifier network, one that needs a guide a guide network, a student a student.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub label: &'static str,
    pub name: &'static str,
    pub exact: bool,
    pub w: f64,
    pub solver: &'static str,
    pub options: &'static [(&'static str, Opt)],
}

use Opt::{Name, Num};

const fn case(
    label: &'static str,
    name: &'static str,
    exact: bool,
    w: f64,
    solver: &'static str,
    options: &'static [(&'static str, Opt)],
) -> Case {
    Case { label, name, exact, w, solver, options }
}

const RCFG: &[(&str, Opt)] = &[("lambdaMax", Num(2.5)), ("gamma", Num(1.5))];
const INTERVAL: &[(&str, Opt)] = &[("tLo", Num(0.3)), ("tHi", Num(0.7))];
// with momentum: a running average per particle, kept across the page's batches
const SCHEDULED_INTERVAL: &[(&str, Opt)] =
    &[("schedule", Name("interval")), ("tLo", Num(0.2)), ("tHi", Num(0.6))];
const APG: &[(&str, Opt)] = &[("eta", Num(0.3)), ("normThreshold", Num(2.0)), ("momentum", Num(0.5))];

/// Every case.
pub const CASES: &[Case] = &[
    case("cfg", "cfg", false, 3.0, "heun", &[]),
    case("cfg exact", "cfg", true, 3.0, "euler", &[]),
    case("rectified-cfg", "rectified-cfg", false, 3.0, "euler", RCFG),
    case("rectified-cfg exact", "rectified-cfg", true, 3.0, "euler", RCFG),
    case("noise-scale", "noise-scale", false, 2.0, "heun", &[("tau", Num(0.6))]),
    case("noise-scale exact", "noise-scale", true, 2.0, "euler", &[("tau", Num(0.6))]),
    case("velocity-scale", "velocity-scale", false, 1.0, "euler", &[("temperature", Num(0.7))]),
    case(
        "velocity-scale rescaled exact",
        "velocity-scale",
        true,
        3.0,
        "heun",
        &[("temperature", Num(0.7)), ("clock", Name("rescaled"))],
    ),
    case("tilted exact", "tilted", true, 3.0, "euler", &[]),
    case("tempered exact", "tempered", true, 1.0, "euler", &[("temperature", Num(0.5))]),
    case("student", "student", false, 3.0, "euler", &[]),
    case("classifier", "classifier", false, 3.0, "euler", &[]),
    case("classifier exact", "classifier", true, 3.0, "heun", &[]),
    case("guidance-interval", "guidance-interval", false, 3.0, "heun", INTERVAL),
    case("guidance-interval exact", "guidance-interval", true, 3.0, "euler", INTERVAL),
    case("cfg-zero-star", "cfg-zero-star", false, 3.0, "euler", &[("zeroSteps", Num(2.0))]),
    case("cfg-zero-star exact", "cfg-zero-star", true, 3.0, "heun", &[("zeroSteps", Num(2.0))]),
    case("apg", "apg", false, 3.0, "heun", APG),
    case("apg exact", "apg", true, 3.0, "euler", APG),
    case("autoguidance", "autoguidance", false, 3.0, "euler", &[]),
    case("autoguidance exact", "autoguidance", true, 3.0, "heun", &[("guideWiden", Num(2.0))]),
    // the SDE solver (η: the handle's sdeNoise), and Feynman–Kac-corrected CFG on its SDE
    case("cfg sde", "cfg", false, 3.0, "sde", &[("sdeNoise", Num(0.5))]),
    case("apg sde exact", "apg", true, 3.0, "sde", &[("sdeNoise", Num(2.0)), ("momentum", Num(0.5))]),
    case("fkc", "fkc", false, 3.0, "sde", &[("sdeNoise", Num(1.0))]),
    case("fkc exact", "fkc", true, 3.0, "sde", &[("sdeNoise", Num(0.5))]),
    // guidance schedules (`method/schedule.rs`), on a method of each kind
    case("cfg cosine", "cfg", false, 3.0, "heun", &[("schedule", Name("cosine"))]),
    case("cfg interval exact", "cfg", true, 3.0, "euler", SCHEDULED_INTERVAL),
    case("classifier early exact", "classifier", true, 3.0, "euler", &[("schedule", Name("early"))]),
    case(
        "apg triangle",
        "apg",
        false,
        3.0,
        "euler",
        &[("schedule", Name("triangle")), ("momentum", Num(0.5))],
    ),
    case("autoguidance linear-up", "autoguidance", false, 3.0, "heun", &[("schedule", Name("linear-up"))]),
    case(
        "cfg-zero-star late exact",
        "cfg-zero-star",
        true,
        3.0,
        "euler",
        &[("schedule", Name("late")), ("zeroSteps", Num(1.0))],
    ),
    // CFG++: λ = w, Euler only
    case("cfg-plus-plus", "cfg-plus-plus", false, 0.6, "euler", &[]),
    case("cfg-plus-plus exact", "cfg-plus-plus", true, 0.6, "euler", &[]),
    // guidance rescale at φ: its own φ on the network, the default on the exact field
    case("cfg-rescale", "cfg-rescale", false, 5.0, "heun", &[("phi", Num(0.5))]),
    case("cfg-rescale exact", "cfg-rescale", true, 5.0, "euler", &[]),
];

impl Case {
    /// The method's row of the table.
    pub fn spec(&self) -> &'static MethodSpec {
        MethodSpec::find(self.name).unwrap()
    }

    /// The core method of this case, built from the table as the page builds it.
    pub fn method(&self) -> Method {
        let given = self.options.iter().map(|(k, v)| {
            let v = match *v {
                Num(x) => Given::Number(x),
                Name(t) => Given::Text(t.to_string()),
            };
            (*k, v)
        });
        let params = self.spec().parse(given, Spelling::Js).unwrap();
        Method::from_name(self.name, &params).unwrap()
    }

    /// The SDE's noise level η of the case (its `sdeNoise` option, or the default).
    pub fn sde_noise(&self) -> f32 {
        let given = self.options.iter().find(|(k, _)| *k == "sdeNoise");
        match given {
            Some((_, Num(x))) => *x as f32,
            _ => cfg_playground::sde::DEFAULT_SDE_NOISE,
        }
    }

    /// What the method needs besides its velocity.
    pub fn needs(&self) -> Needs {
        self.spec().needs
    }

    /// Whether the method has a flow (tilted and tempered have none: exact samples on a grid).
    pub fn flow(&self) -> bool {
        self.spec().runs.flow()
    }
}

/// Every method has a case, on each field it runs on.
pub fn assert_every_method_has_a_case() {
    assert_eq!(METHODS.map(|m| m.name), Method::NAMES);
    for m in &METHODS {
        let on = |exact: bool| CASES.iter().any(|c| c.name == m.name && c.exact == exact);
        let (network, exact) = match m.runs {
            Runs::Both => (true, true),
            Runs::NetworkOnly => (true, false),
            Runs::ExactOnly => (false, true),
        };
        assert!(!network || on(false), "method {} has no network case in common/method_cases.rs", m.name);
        assert!(!exact || on(true), "method {} has no exact case in common/method_cases.rs", m.name);
    }
}
