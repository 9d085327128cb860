//! Equivalence of the page and the CLI, natively: every method of `method.rs` run the way the
//! page's flow export runs it (`method::advance` on `Particles`, in batches of 256 particles
//! under a time budget, or in whole steps) lands where `sample`'s core path (`method::generate_with`)
//! does, for the same seed, to 1e-5. `crate/tests/web_methods.rs` checks the same through the wasm
//! exports in Chromium; both run the cases of `common/method_cases.rs`.

#[path = "common/method_cases.rs"]
mod method_cases;

use cfg_playground::classifier::classifier_arch;
use cfg_playground::classifier::guided::{ClassifierScratch, ClassifierSource};
use cfg_playground::datasets::Dataset;
use cfg_playground::distill::{DistillConfig, Distiller};
use cfg_playground::field::{FieldSource, NetScratch, Source};
use cfg_playground::method::{self, Method, MethodField, MethodState, Models, Needs};
use cfg_playground::method::{Student, Tempered, Tilted};
use cfg_playground::mixture::Prepared;
use cfg_playground::mlp::{Mlp, MlpConfig};
use cfg_playground::particles::Particles;
use cfg_playground::rcfg::RectifiedCfg;
use cfg_playground::rng::seeded;
use cfg_playground::sample::SampleConfig;
use cfg_playground::sampler::Solver;
use method_cases::{assert_every_method_has_a_case, CASES};

const N: usize = 300;

const STEPS: usize = 12;
const SEED: u64 = 5;

/// One method case on one data set: the velocity network (None: the exact field) and the other
/// network the method needs (a classifier, or autoguidance's guide), the class (None:
/// unconditional), w, the solver and the SDE's noise level.
struct Run<'a> {
    d: &'a Dataset,
    velocity_net: Option<&'a Mlp<f32>>,
    other_net: Option<&'a Mlp<f32>>,
    method: Method,
    label: Option<u32>,
    w: f32,
    solver: Solver,
    eta: f32,
}

impl Run<'_> {
    /// The page's run: a flow of `N` particles following the method, in batches of `rows`
    /// particles; its end positions.
    fn page(&self, rows: usize) -> Vec<f32> {
        let (d, method, label) = (self.d, self.method, self.label);
        let mix = d.mixture();
        let (mut prep, mut cprep) = (Prepared::default(), Prepared::default());
        // the page's buffers: a model's scratch of 1024 points, a classifier's of 256
        let mut scratch = self.velocity_net.map(|m| NetScratch::new(m, 1024));
        let mut velocity = match (self.velocity_net, scratch.as_mut()) {
            (Some(model), Some(scratch)) => FieldSource::Network { model, scratch },
            _ => FieldSource::Exact { mixture: &mix, prep: &mut prep },
        };
        // a guide: the other network (the page's snapshot has a scratch of 1024 points, as the
        // model's), or on the exact field the method's own guide mixture
        let guide_net = self.other_net.filter(|_| method.needs() == Needs::Guide);
        let classifier_net = self.other_net.filter(|_| guide_net.is_none());
        let widened = method.exact_guide(&mix).unwrap_or_else(|| mix.clone());
        let (mut gscratch, mut gprep) = (guide_net.map(|m| NetScratch::new(m, 1024)), Prepared::default());
        let mut guide = match (guide_net, gscratch.as_mut()) {
            (Some(model), Some(scratch)) => FieldSource::Network { model, scratch },
            _ => FieldSource::Exact { mixture: &widened, prep: &mut gprep },
        };
        let mut cscratch = classifier_net.map(|m| ClassifierScratch::new(m, 256));
        let mut classifier = match (classifier_net, cscratch.as_mut()) {
            (Some(model), Some(scratch)) => ClassifierSource::Network { model, scratch },
            _ => ClassifierSource::Exact { mixture: &mix, prep: &mut cprep },
        };
        let k = d.n_classes();
        let mut p =
            Particles::new(N, STEPS, self.solver, SEED, vec![label.unwrap_or(k as u32)], false).unwrap();
        let mut state = MethodState::default();
        state.set_sde_noise(self.eta).unwrap();
        let mut field = MethodField::new(
            method,
            k,
            label,
            self.w,
            &mut velocity,
            Some(&mut classifier),
            Some(&mut guide),
            &mut state,
            rows,
        )
        .unwrap();
        // a frame's budget runs out after every batch: the flow is advanced over many calls
        while !p.done() {
            method::advance(&mut p, &mut field, rows, STEPS, || true).unwrap();
        }
        p.positions().iter().copied().collect()
    }

    /// The CLI's run (`sample --method`): its end positions.
    fn core(&self) -> Vec<f32> {
        let source = self.velocity_net.map_or(Source::Exact, Source::Network);
        let cfg = SampleConfig {
            n: N,
            steps: STEPS,
            solver: self.solver,
            guidance: self.w,
            seed: SEED,
            sde_noise: self.eta,
        };
        let models = match self.method.needs() {
            Needs::Guide => Models { classifier: None, guide: self.other_net },
            _ => Models::classifier(self.other_net),
        };
        let (x, _) = method::generate_with(self.d, source, models, &self.method, self.label, &cfg).unwrap();
        x.iter().copied().collect()
    }
}

/// The error of making the page's field of a method without a flow.
fn no_flow(d: &Dataset, method: Method) -> String {
    let mix = d.mixture();
    let mut prep = Prepared::default();
    let mut velocity = FieldSource::Exact { mixture: &mix, prep: &mut prep };
    let mut state = MethodState::default();
    let k = d.n_classes();
    MethodField::new(method, k, Some(0), 1.0, &mut velocity, None, None, &mut state, 10)
        .err()
        .unwrap()
        .to_string()
}

fn max_gap(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs() as f64).fold(0.0, f64::max)
}

#[test]
fn every_method_case_lands_where_sample_does() {
    let d = Dataset::by_name("overlapping").unwrap();
    let net = Mlp::new(MlpConfig::velocity(2, 32, 2), &mut seeded(1, 0)).unwrap();
    let mut teacher = Mlp::new(MlpConfig::velocity(2, 32, 2), &mut seeded(2, 0)).unwrap();
    teacher.params.iter_mut().for_each(|p| *p *= 1.5);
    let mut student = Distiller::from_teacher(&teacher, DistillConfig::default()).unwrap().student;
    // a student whose w input matters: perturb every weight a little
    for (i, p) in student.params.iter_mut().enumerate() {
        *p += 0.01 * ((i % 7) as f32 - 3.0);
    }
    let clf = Mlp::new(classifier_arch(2, 32, 2), &mut seeded(3, 0)).unwrap();
    assert_every_method_has_a_case();
    let mut report = Vec::new();
    for case in CASES {
        let (method, solver, w) = (case.method(), Solver::parse(case.solver).unwrap(), case.w as f32);
        // on a network: the student for a student, and the other network the method needs
        let v = match (case.exact, case.needs()) {
            (true, _) => None,
            (false, Needs::Student) => Some(&student),
            (false, _) => Some(&net),
        };
        let c = match (case.exact, case.needs()) {
            (false, Needs::Classifier) => Some(&clf),
            (false, Needs::Guide) => Some(&teacher),
            _ => None,
        };
        let name = case.label;
        for label in [Some(1), None] {
            let run =
                Run { d: &d, velocity_net: v, other_net: c, method, label, w, solver, eta: case.sde_noise() };
            let want = run.core();
            if !case.flow() {
                let e = no_flow(&d, method);
                assert!(e.contains("no flow"), "{name}: {e}");
                report.push(format!("{name:>30} class {label:?}: no flow ({} samples)", want.len() / 2));
                continue;
            }
            for rows in [256, N] {
                let got = run.page(rows);
                let gap = max_gap(&got, &want);
                report.push(format!("{name:>30} class {label:?} rows {rows:>3}: max |Δ| {gap:.2e}"));
                assert!(gap <= 1e-5, "{name}, class {label:?}, {rows} rows: max |Δ| {gap}");
            }
        }
    }
    println!("{}", report.join("\n"));
}

#[test]
fn the_density_methods_have_no_flow_and_a_flow_keeps_its_solver() {
    let d = Dataset::by_name("overlapping").unwrap();
    let mix = d.mixture();
    let mut prep = Prepared::default();
    let mut velocity = FieldSource::Exact { mixture: &mix, prep: &mut prep };
    let mut state = MethodState::default();
    for m in [Method::Tilted(Tilted), Method::Tempered(Tempered { temperature: 0.5 })] {
        let e =
            MethodField::new(m, 2, Some(0), 1.0, &mut velocity, None, None, &mut state, 10).err().unwrap();
        assert!(e.to_string().contains("no flow"), "{e}");
    }
    let e = MethodField::new(Method::CFG, 2, Some(2), 1.0, &mut velocity, None, None, &mut state, 10)
        .err()
        .unwrap();
    assert!(e.to_string().contains("class 2"), "{e}");
    let e = MethodField::new(Method::CLASSIFIER, 2, Some(0), 1.0, &mut velocity, None, None, &mut state, 10)
        .err()
        .unwrap();
    assert!(e.to_string().contains("classifier"), "{e}");
    let e = MethodField::new(
        Method::Student(Student),
        2,
        Some(0),
        1.0,
        &mut velocity,
        None,
        None,
        &mut state,
        10,
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("student"), "{e}");
    // rectified CFG steps with Euler: a Heun run is refused, and nothing moves
    let rule = Method::RectifiedCfg(RectifiedCfg::default());
    let mut field =
        MethodField::new(rule, 2, Some(0), 1.0, &mut velocity, None, None, &mut state, 10).unwrap();
    let mut p = Particles::new(10, 4, Solver::Heun, 0, vec![0], false).unwrap();
    let start = p.positions().to_owned();
    let e = method::advance(&mut p, &mut field, 10, 4, || false).unwrap_err();
    assert!(e.to_string().contains("Euler"), "{e}");
    assert_eq!(p.positions(), start);
}
