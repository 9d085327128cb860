//! Hot paths allocate nothing after warm-up: a counting global allocator watches a training step,
//! a sampler step (network and exact field, with and without guidance) and a forward pass.

#[path = "common/method_cases.rs"]
mod method_cases;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cfg_playground::datasets::Dataset;
use cfg_playground::descent::TrainConfig;
use cfg_playground::distill::{student_config, DistillConfig, Distiller};
use cfg_playground::field::{FieldSource, Guidance, NetScratch};
use cfg_playground::flow::{Pairs, Trainer};
use cfg_playground::method::{self, MethodField, MethodState, Needs};
use cfg_playground::mixture::Prepared;
use cfg_playground::mlp::MlpConfig;
use cfg_playground::particles::Particles;
use cfg_playground::rcfg::{RcfgField, RcfgScratch, RectifiedCfg};
use cfg_playground::sampler::{Integrator, Solver};
use method_cases::CASES;

struct Counting;
// Per thread: the test harness's own threads (its main thread, its timers) allocate while a
// test runs, and a global count made the test fail now and then on a loaded machine. The code
// under test is single-threaded.
thread_local!(static ALLOCS: Cell<usize> = const { Cell::new(0) });

fn bump() {
    // try_with: nothing to count while the thread's locals are torn down
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A frame's budget that runs out after three batches.
fn p_over() -> bool {
    use std::cell::Cell;
    thread_local!(static BATCHES: Cell<usize> = const { Cell::new(0) });
    BATCHES.with(|b| {
        b.set(b.get() + 1);
        b.get() % 3 == 0
    })
}

/// Allocations made by `f`.
fn count(f: impl FnOnce()) -> usize {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

// One test function (the counter is per thread, but one function keeps the warm-ups in order).
#[test]
fn training_and_sampling_steps_allocate_nothing_after_warm_up() {
    // the counter sees this thread's allocations
    assert_eq!(count(|| drop(std::hint::black_box(Box::new(1u8)))), 1, "the counter counts");
    let d = Dataset::by_name("face").unwrap();
    let config = TrainConfig { batch: 256, ..TrainConfig::default() };
    let mut tr = Trainer::new(d.clone(), MlpConfig::velocity(3, 64, 3), config.clone()).unwrap();
    tr.step();
    assert_eq!(
        count(|| {
            tr.step();
        }),
        0,
        "a training step allocated"
    );
    assert_eq!(
        count(|| {
            tr.train(5);
        }),
        0,
        "training steps allocated"
    );

    // a trainer on a fixed coupling (reflow)
    let pairs =
        Pairs::new(ndarray::Array2::zeros((300, 2)), ndarray::Array2::ones((300, 2)), vec![1; 300]).unwrap();
    let mut rf = Trainer::with_pairs(d.clone(), tr.model.clone(), config.clone(), pairs).unwrap();
    rf.step();
    assert_eq!(
        count(|| {
            rf.train(3);
        }),
        0,
        "a reflow training step allocated"
    );

    let mut scratch = NetScratch::new(&tr.model, 512);
    let mixture = d.mixture();
    let mut prep = Prepared::default();
    for (guidance, exact) in
        [(Guidance::Cfg(3.0), false), (Guidance::Conditional, false), (Guidance::Cfg(2.0), true)]
    {
        let mut p = Particles::new(1500, 40, Solver::Heun, 1, vec![2], true).unwrap();
        let mut src = if exact {
            FieldSource::Exact { mixture: &mixture, prep: &mut prep }
        } else {
            FieldSource::Network { model: &tr.model, scratch: &mut scratch }
        };
        p.advance(&mut src, guidance, 1);
        assert_eq!(
            count(|| {
                p.advance(&mut src, guidance, 3);
            }),
            0,
            "sampler steps allocated ({guidance:?}, exact {exact})"
        );
    }

    // rectified CFG steps (network and exact) and a distillation step (exact teacher)
    for exact in [false, true] {
        let mut src = if exact {
            FieldSource::Exact { mixture: &mixture, prep: &mut prep }
        } else {
            FieldSource::Network { model: &tr.model, scratch: &mut scratch }
        };
        let mut rc = RcfgScratch::new(400);
        let mut integ = Integrator::new(400);
        let mut x = ndarray::Array2::zeros((400, 2));
        let rule = RectifiedCfg::default();
        let mut f = RcfgField { source: &mut src, labels: &[1], rule, dt: 0.1, scratch: &mut rc };
        integ.step(&mut f, x.view_mut(), 0, 0.0, 0.1, Solver::Euler);
        assert_eq!(
            count(|| {
                integ.step(&mut f, x.view_mut(), 1, 0.1, 0.1, Solver::Euler);
            }),
            0,
            "a rectified CFG step allocated (exact {exact})"
        );
    }
    // the page's frame: a method bound to its models (MethodField::new) and advanced a few
    // batches (method::advance): every case of the shared case list with a flow (a student's
    // cases need a student network: `methods.rs` and `page_flows.rs` run them), with its solver
    let mut cprep = Prepared::default();
    let guide_mixture = method::autoguidance::widened(&mixture, 1.5);
    let mut gprep = Prepared::default();
    for case in CASES.iter().filter(|c| c.flow() && c.needs() != Needs::Student) {
        let (m, solver) = (case.method(), Solver::parse(case.solver).unwrap());
        let mut src = if case.exact {
            FieldSource::Exact { mixture: &mixture, prep: &mut prep }
        } else {
            FieldSource::Network { model: &tr.model, scratch: &mut scratch }
        };
        let mut cls = cfg_playground::classifier::guided::ClassifierSource::Exact {
            mixture: &mixture,
            prep: &mut cprep,
        };
        // autoguidance's guide (the other methods ignore it): the widened mixture
        let mut guide = FieldSource::Exact { mixture: &guide_mixture, prep: &mut gprep };
        let mut p = Particles::new(1000, 20, solver, 1, vec![2], true).unwrap();
        let mut state = MethodState::default();
        state.set_sde_noise(case.sde_noise()).unwrap();
        let mut frame = |p: &mut Particles| {
            let mut f = MethodField::new(
                m,
                3,
                Some(2),
                case.w as f32,
                &mut src,
                Some(&mut cls),
                Some(&mut guide),
                &mut state,
                256,
            )
            .unwrap();
            method::advance(p, &mut f, 256, 20, p_over).unwrap();
        };
        frame(&mut p);
        assert_eq!(count(|| frame(&mut p)), 0, "a frame of case '{}' allocated", case.label);
    }

    let mut teacher = FieldSource::Exact { mixture: &mixture, prep: &mut prep };
    let arch = student_config(tr.model.config());
    let mut ds = Distiller::new(arch, DistillConfig { batch: 64, ..DistillConfig::default() }).unwrap();
    ds.step(&mut teacher).unwrap();
    assert_eq!(
        count(|| {
            ds.train(&mut teacher, 2).unwrap();
        }),
        0,
        "a distillation step allocated"
    );

    let mut ws = tr.model.workspace(2000, false);
    let x = ndarray::Array2::zeros((2000, 2));
    tr.model.forward(&mut ws, x.view(), &[0.5], &[1], &[]);
    assert_eq!(
        count(|| {
            tr.model.forward(&mut ws, x.view(), &[0.5], &[1], &[]);
        }),
        0,
        "a forward pass allocated"
    );

    // classifier guidance: a classifier training step, the guided field (network velocity and
    // network classifier, then both exact) and density transport (network and exact divergence)
    use cfg_playground::classifier::{
        classifier_arch, ClassifierGuided, ClassifierScratch, ClassifierSource,
    };
    use cfg_playground::density::{DensityIntegrator, ExactDivergence, JacobianScratch, NetworkDivergence};
    use cfg_playground::field::VelocityField;
    let ccfg = TrainConfig { batch: 128, ..TrainConfig::default() };
    let mut ctr =
        cfg_playground::classifier::ClassifierTrainer::new(d.clone(), classifier_arch(3, 32, 2), ccfg)
            .unwrap();
    ctr.step();
    assert_eq!(
        count(|| {
            ctr.train(2);
        }),
        0,
        "classifier training steps allocated"
    );
    let mut cs = ClassifierScratch::new(&ctr.model, 256);
    let x = ndarray::Array2::from_elem((600, 2), 0.3f32);
    let mut v = ndarray::Array2::zeros((600, 2));
    let (mut pv, mut pc) = (Prepared::default(), Prepared::default());
    for exact in [false, true] {
        let mut velocity = if exact {
            FieldSource::Exact { mixture: &mixture, prep: &mut pv }
        } else {
            FieldSource::Network { model: &tr.model, scratch: &mut scratch }
        };
        let mut classifier = if exact {
            ClassifierSource::Exact { mixture: &mixture, prep: &mut pc }
        } else {
            ClassifierSource::Network { model: &ctr.model, scratch: &mut cs }
        };
        let mut g = ClassifierGuided {
            velocity: &mut velocity,
            classifier: &mut classifier,
            labels: &[1],
            base: Guidance::Unconditional,
            scale: 2.0,
        };
        g.eval(x.view(), 0.4, v.view_mut());
        assert_eq!(
            count(|| g.eval(x.view(), 0.6, v.view_mut())),
            0,
            "classifier guidance allocated ({exact})"
        );
    }
    let mut integ = DensityIntegrator::new(300);
    let mut js = JacobianScratch::new(&tr.model, 128);
    let mut mj = cfg_playground::density::MixtureJacobian::default();
    let mut xd = ndarray::Array2::from_elem((300, 2), 0.1f64);
    let mut log_p = vec![0.0; 300];
    let mut nf = NetworkDivergence {
        model: &tr.model,
        scratch: &mut js,
        labels: &[0],
        guidance: Guidance::Cfg(2.0),
        extra: &[],
    };
    integ.forward(&mut nf, xd.view_mut(), &mut log_p, 2, Solver::Heun);
    assert_eq!(
        count(|| integ.forward(&mut nf, xd.view_mut(), &mut log_p, 2, Solver::Heun)),
        0,
        "network density transport allocated"
    );
    let mut ef =
        ExactDivergence { mixture: &mixture, jac: &mut mj, labels: &[3], guidance: Guidance::Unconditional };
    integ.log_density(&mut ef, xd.view(), 0.5, &mut log_p, 2, Solver::Heun);
    assert_eq!(
        count(|| integ.log_density(&mut ef, xd.view(), 0.5, &mut log_p, 2, Solver::Heun)),
        0,
        "exact density transport allocated"
    );

    // the SDE sampler (any field through SdeField) and Feynman–Kac-corrected CFG steps, with
    // their resamplings, network and exact
    for exact in [false, true] {
        let mut src = if exact {
            FieldSource::Exact { mixture: &mixture, prep: &mut prep }
        } else {
            FieldSource::Network { model: &tr.model, scratch: &mut scratch }
        };
        let mut sde_integ = Integrator::new(400);
        let mut x = ndarray::Array2::from_elem((400, 2), 0.2f32);
        {
            let mut inner =
                cfg_playground::field::Bound { source: &mut src, labels: &[1], guidance: Guidance::Cfg(3.0) };
            let mut f = cfg_playground::sde::SdeField::new(&mut inner, 2.0, 5).unwrap();
            sde_integ.step(&mut f, x.view_mut(), 0, 0.0, 0.1, Solver::Euler);
            assert_eq!(
                count(|| sde_integ.step(&mut f, x.view_mut(), 1, 0.1, 0.1, Solver::Euler)),
                0,
                "an SDE step allocated (exact {exact})"
            );
        }
        let mut fkc = cfg_playground::fkc::Fkc::new(400, 6.0, 1.0, 5).unwrap();
        let mut x = cfg_playground::sample::start_points(400, 5, 1.0);
        fkc.step(&mut src, 1, x.view_mut(), 0, 0.0, 0.05);
        assert_eq!(
            count(|| {
                for k in 1..20 {
                    fkc.step(&mut src, 1, x.view_mut(), k, k as f32 * 0.05, 0.05);
                }
                fkc.finish(x.view_mut(), 20);
            }),
            0,
            "Feynman–Kac-corrected steps allocated (exact {exact})"
        );
        // (the barely trained network's two velocities hardly differ: only the exact field resamples)
        assert!(!exact || fkc.stats().resamples > 0, "the steps resampled: {:?}", fkc.stats());
    }

    // the forward-pass figure's probe: every layer of a CFG batch, and a unit's map over a grid
    let mut probe = cfg_playground::activations::Probe::new(&tr.model);
    probe.cfg_batch(&tr.model, [0.1, 0.2], 0.3, 0, 3.0).unwrap();
    probe.unit_map(&tr.model, 2, 7, 0.3, 0, 32, 3.0).unwrap();
    assert_eq!(
        count(|| {
            probe.cfg_batch(&tr.model, [0.4, -0.2], 0.6, 1, 3.0).unwrap();
            probe.unit_map(&tr.model, 2, 9, 0.6, 1, 32, 3.0).unwrap();
        }),
        0,
        "the forward-pass probe allocated"
    );
}
