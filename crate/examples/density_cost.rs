// Cost and accuracy of exact grid densities (the probability-path figure's squares), natively:
// `cd crate && cargo run --release --example density_cost` (the accuracy of Euler and Heun at
// 10 to 80 steps per unit time against the mixture, and the cost of a network divergence);
// `... -- parts` times one forward and one backward pass of the shipped model.
use cfg_playground::datasets::Dataset;
use cfg_playground::density::{
    density_grid, DensityIntegrator, ExactDivergence, JacobianScratch, MixtureJacobian, NetworkDivergence,
};
use cfg_playground::field::Guidance;
use cfg_playground::model_file::ModelFile;
use cfg_playground::sampler::Solver;
use ndarray::Array2;

fn main() {
    if std::env::args().any(|a| a == "parts") {
        parts();
        return;
    }
    for name in ["non-overlapping", "overlapping"] {
        let d = Dataset::by_name(name).unwrap();
        let m = d.mixture();
        let side = 40;
        let n = side * side;
        let mut integ = DensityIntegrator::new(n);
        let mut mj = MixtureJacobian::default();
        let mut check = MixtureJacobian::default();
        let mut grid = Array2::zeros((n, 2));
        let mut lp = vec![0.0; n];
        let pi = m.class_weights()[0];
        for solver in [Solver::Euler, Solver::Heun] {
            for s_full in [10usize, 20, 40, 80] {
                let mut worst = 0.0f64;
                for &t in &[0.2, 0.5, 0.8, 1.0] {
                    let steps = ((s_full as f64 * t).ceil() as usize).max(1);
                    let mut f = ExactDivergence {
                        mixture: &m,
                        jac: &mut mj,
                        labels: &[0],
                        guidance: Guidance::Conditional,
                    };
                    density_grid(
                        &mut f,
                        &mut integ,
                        t,
                        d.extent,
                        side,
                        side,
                        steps,
                        solver,
                        grid.view_mut(),
                        &mut lp,
                    );
                    check.prepare(&m, t);
                    let want: Vec<f64> = (0..n)
                        .map(|i| check.eval([grid[[i, 0]], grid[[i, 1]]], Some(0)).log_p_c - pi.ln())
                        .collect();
                    let pmax = want.iter().cloned().fold(f64::MIN, f64::max).exp();
                    let e = (0..n).map(|i| (lp[i].exp() - want[i].exp()).abs() / pmax).fold(0.0, f64::max);
                    worst = worst.max(e);
                }
                println!("{name} {solver:?} S={s_full}: worst |Δp|/max p over t = {worst:.4}");
            }
        }
        // network cost
        let text = std::fs::read(format!("../www/models/{name}.json")).unwrap();
        let f = ModelFile::from_json(&text).unwrap();
        let mut sc = JacobianScratch::new(&f.model, 256);
        for g in [Guidance::Conditional, Guidance::Cfg(3.0)] {
            let mut nd = NetworkDivergence {
                model: &f.model,
                scratch: &mut sc,
                labels: &[0],
                guidance: g,
                extra: &[],
            };
            let t0 = std::time::Instant::now();
            let steps = 20;
            density_grid(
                &mut nd,
                &mut integ,
                1.0,
                d.extent,
                side,
                side,
                steps,
                Solver::Euler,
                grid.view_mut(),
                &mut lp,
            );
            let dt = t0.elapsed().as_secs_f64();
            let evals = (n * steps) as f64;
            println!(
                "{name} {g:?}: {:.2} µs per point-evaluation ({evals} evals in {:.1} ms)",
                dt * 1e6 / evals,
                dt * 1e3
            );
        }
    }
}

fn parts() {
    let text = std::fs::read("../www/models/non-overlapping.json").unwrap();
    let f = ModelFile::from_json(&text).unwrap();
    let rows = 512;
    let mut ws = f.model.workspace(rows, true).with_input_grad();
    let x = Array2::<f32>::from_shape_fn((rows, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f32 * 0.3 - 1.5);
    let reps = 200;
    let t0 = std::time::Instant::now();
    for _ in 0..reps {
        f.model.forward(&mut ws, x.view(), &[0.5], &[0], &[]);
    }
    let fwd = t0.elapsed().as_secs_f64() / (reps * rows) as f64;
    let d = Array2::<f32>::ones((rows, 2));
    let mut g = vec![0.0f32; f.model.num_params()];
    let t0 = std::time::Instant::now();
    for _ in 0..reps {
        f.model.backward(&mut ws, d.view(), &mut g);
    }
    let bwd = t0.elapsed().as_secs_f64() / (reps * rows) as f64;
    println!("forward {:.3} µs/row, backward {:.3} µs/row", fwd * 1e6, bwd * 1e6);
}
