//! Hot paths allocate nothing after warm-up: a counting global allocator watches a training step,
//! a sampler step (network and exact field, with and without guidance) and a forward pass.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use cfg_playground::datasets::Dataset;
use cfg_playground::distill::{student_config, DistillConfig, Distiller};
use cfg_playground::field::{FieldSource, Guidance, NetScratch};
use cfg_playground::flow::{Pairs, TrainConfig, Trainer};
use cfg_playground::mixture::Prepared;
use cfg_playground::mlp::MlpConfig;
use cfg_playground::particles::Particles;
use cfg_playground::rcfg::{RcfgField, RcfgScratch, RectifiedCfg};
use cfg_playground::sampler::{Integrator, Solver};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f`.
fn count(f: impl FnOnce()) -> usize {
    let before = ALLOCS.load(Ordering::SeqCst);
    f();
    ALLOCS.load(Ordering::SeqCst) - before
}

// One test function: the counter is global, so parallel tests would disturb each other.
#[test]
fn training_and_sampling_steps_allocate_nothing_after_warm_up() {
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
        integ.step(&mut f, x.view_mut(), 0.0, 0.1, Solver::Euler);
        assert_eq!(
            count(|| {
                integ.step(&mut f, x.view_mut(), 0.1, 0.1, Solver::Euler);
            }),
            0,
            "a rectified CFG step allocated (exact {exact})"
        );
    }
    let mut teacher = FieldSource::Exact { mixture: &mixture, prep: &mut prep };
    let arch = student_config(tr.model.config());
    let mut ds = Distiller::new(arch, DistillConfig { batch: 64, ..DistillConfig::default() }).unwrap();
    ds.step(&mut teacher);
    assert_eq!(
        count(|| {
            ds.train(&mut teacher, 2);
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
}
