//! Beyond the post: which distribution does CFG sample? The sampler decides (Bradley & Nakkiran
//! 2024): CFG with the ODE and CFG with the SDE land in different places, neither of them on the
//! tilted density p(x)^(1−w)·p(x|c)^w, and Feynman–Kac-corrected CFG (`fkc`, Skreta et al. 2025)
//! lands on it. Exact field, class upper-right, 4000 samples, 200 steps, every sampler from the
//! same start noise. Prints docs/results.md's table and checks the answers.

use cfg_playground::datasets::Dataset;
use cfg_playground::field::Source;
use cfg_playground::method::{self, Method};
use cfg_playground::method::{Fkc, Tilted};
use cfg_playground::metrics;
use cfg_playground::rng::{seeded, stream};
use cfg_playground::sample::SampleConfig;
use cfg_playground::sampler::{SampleStats, Solver};
use ndarray::Array2;

const N: usize = 4000;
const STEPS: usize = 200;
/// Class upper-right of both two-class data sets.
const CLASS: u32 = 1;
const WS: [f32; 3] = [1.0, 3.0, 7.0];
const DATA: [&str; 2] = ["non-overlapping", "overlapping"];

/// A sampler: its label, method, solver and noise level η.
struct Sampler {
    label: &'static str,
    method: Method,
    solver: Solver,
    eta: f32,
}

const SAMPLERS: [Sampler; 4] = [
    Sampler { label: "CFG, ODE (Euler)", method: Method::CFG, solver: Solver::Euler, eta: 0.0 },
    Sampler { label: "CFG, SDE η = 0.3", method: Method::CFG, solver: Solver::Sde, eta: 0.3 },
    Sampler { label: "CFG, SDE η = 1", method: Method::CFG, solver: Solver::Sde, eta: 1.0 },
    Sampler { label: "FKC, η = 1", method: Method::Fkc(Fkc { eta: 1.0 }), solver: Solver::Sde, eta: 1.0 },
];

fn sw2(a: &Array2<f32>, b: &Array2<f32>) -> f64 {
    metrics::sliced_w2(a.view(), b.view(), 64, &mut seeded(7, stream::PROJECTIONS))
}

fn run(d: &Dataset, m: &Method, w: f32, solver: Solver, eta: f32, seed: u64) -> (Array2<f32>, SampleStats) {
    let cfg = SampleConfig { n: N, steps: STEPS, solver, guidance: w, seed, sde_noise: eta };
    method::generate(d, Source::Exact, m, Some(CLASS), &cfg).unwrap()
}

/// The table of CFG's samplers and FKC against exact samples of the tilted density.
pub fn the_sampler_decides_which_distribution() {
    println!(
        "\n#### Which distribution CFG samples: the sampler decides (exact field, class upper-right, {N} samples, {STEPS} steps, the same start noise; sliced W2 to {N} exact samples of the tilted density p(x)^(1−w)·p(x|c)^w; the floor: two such sets against each other; ESS: FKC's smallest effective sample size over the run, as a fraction of N, and its resamplings)\n"
    );
    println!("| data set | w | sampler | sliced W2 to tilted | floor | × floor | hit rate | diversity | min ESS (resamples) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for name in DATA {
        let d = Dataset::by_name(name).unwrap();
        let mix = d.mixture();
        for w in WS {
            let (target, _) = run(&d, &Method::Tilted(Tilted), w, Solver::Euler, 0.0, 1001);
            let (other, _) = run(&d, &Method::Tilted(Tilted), w, Solver::Euler, 0.0, 1002);
            let floor = sw2(&other, &target);
            let mut gaps = Vec::new();
            for s in &SAMPLERS {
                let (x, stats) = run(&d, &s.method, w, s.solver, s.eta, 3);
                let gap = sw2(&x, &target);
                let hit = metrics::hit_rate(&metrics::classify(&mix, x.view()), CLASS);
                let div = metrics::diversity(x.view(), &mix, Some(CLASS));
                let ess = match (stats.min_ess, stats.resamples) {
                    (Some(e), Some(r)) => format!("{:.3} ({r})", e / N as f64),
                    _ => "–".into(),
                };
                println!(
                    "| {name} | {w} | {} | {gap:.4} | {floor:.4} | {:.1} | {hit:.3} | {div:.3} | {ess} |",
                    s.label,
                    gap / floor
                );
                gaps.push(gap);
            }
            let [ode, sde03, sde1, fkc] = [gaps[0], gaps[1], gaps[2], gaps[3]];
            if w == 1.0 {
                // no guidance: every sampler samples the class, which is the tilted density
                for (g, s) in gaps.iter().zip(&SAMPLERS) {
                    assert!(*g < 2.0 * floor, "{name} w = 1 {}: {g} vs floor {floor}", s.label);
                }
            } else {
                assert!(
                    fkc < ode && fkc < sde1 && fkc < sde03,
                    "{name} w = {w}: FKC {fkc}, ODE {ode}, SDE {sde1}"
                );
                assert!(ode > 5.0 * floor, "{name} w = {w}: CFG-ODE {ode} vs floor {floor}");
            }
            if name == "overlapping" && w == 3.0 {
                assert!(fkc < 1.5 * floor, "overlapping w = 3: FKC {fkc} vs floor {floor}");
                assert!((sde1 - ode).abs() > 2.0 * floor, "overlapping w = 3: SDE {sde1} vs ODE {ode}");
            }
        }
    }
}
