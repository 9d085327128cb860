//! The MLP's hand-written backprop against central differences in f64, and its forward pass
//! against a naive scalar reference.

use cfg_playground::activation::Activation;
use cfg_playground::input::{embed_scalar, D_X};
use cfg_playground::mlp::{Mlp, MlpConfig};
use cfg_playground::rng;
use ndarray::Array2;

struct Case {
    x: Array2<f64>,
    t: Vec<f64>,
    labels: Vec<u32>,
    extra: Vec<f64>,
    target: Array2<f64>,
}

fn case(c: &MlpConfig, batch: usize, seed: u64) -> Case {
    let mut r = rng::seeded(seed, 99);
    let mut n = || rng::normal(&mut r);
    let x = Array2::from_shape_fn((batch, D_X), |_| n());
    let target = Array2::from_shape_fn((batch, c.d_out), |_| n());
    let mut r = rng::seeded(seed, 100);
    let t = (0..batch).map(|_| rng::uniform(&mut r)).collect();
    let labels = (0..batch).map(|i| (i % (c.n_classes + 1).max(1)) as u32).collect();
    let extra = (0..batch * c.n_extra).map(|_| rng::uniform(&mut r) * 3.0).collect();
    Case { x, t, labels, extra, target }
}

/// L = ½·mean((out − target)²) · d_out-normalised, so dL/dout = (out − target)/(batch·d_out).
fn loss(mlp: &Mlp<f64>, k: &Case) -> f64 {
    let mut ws = mlp.workspace(k.x.nrows(), false);
    let out = mlp.forward(&mut ws, k.x.view(), &k.t, &k.labels, &k.extra);
    let n = out.len() as f64;
    out.iter().zip(k.target.iter()).map(|(o, t)| 0.5 * (o - t) * (o - t)).sum::<f64>() / n
}

fn analytic(mlp: &Mlp<f64>, k: &Case) -> (Vec<f64>, Array2<f64>) {
    let mut ws = mlp.workspace(k.x.nrows(), true).with_input_grad();
    let out = mlp.forward(&mut ws, k.x.view(), &k.t, &k.labels, &k.extra).to_owned();
    let d_out = (&out - &k.target) / out.len() as f64;
    let mut grads = vec![0.0; mlp.num_params()];
    mlp.backward(&mut ws, d_out.view(), &mut grads);
    let dx = ws.input_grad().slice(ndarray::s![.., 0..D_X]).to_owned();
    // the input-only backward pass gives the same input gradient, bit for bit
    let mut ws_in = mlp.workspace(k.x.nrows(), true).with_input_grad();
    mlp.forward(&mut ws_in, k.x.view(), &k.t, &k.labels, &k.extra);
    mlp.backward_input(&mut ws_in, d_out.view());
    assert_eq!(ws_in.input_grad(), ws.input_grad(), "backward_input differs from backward's input gradient");
    (grads, dx)
}

/// Five-point central difference of f at 0: (−f(2h) + 8f(h) − 8f(−h) + f(−2h)) / 12h.
fn central(mut f: impl FnMut(f64) -> f64, h: f64) -> f64 {
    (-f(2.0 * h) + 8.0 * f(h) - 8.0 * f(-h) + f(-2.0 * h)) / (12.0 * h)
}

fn rel_err(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1e-7)
}

fn check(config: MlpConfig, seed: u64) {
    let mut r = rng::seeded(seed, 1);
    let mut mlp = Mlp::<f64>::new(config.clone(), &mut r).unwrap();
    let k = case(&config, 6, seed);
    let (grads, dx) = analytic(&mlp, &k);
    let h = 1e-4;
    // The five-point stencil's truncation (h⁴) and rounding (ε/h) errors are both ~1e-12, so
    // differences below 1e-11 pass; the relative bound holds for every gradient above 1e-6.
    let mut worst = 0.0f64;
    let mut checked = 0;
    for spec in mlp.layout().tensors.clone() {
        for i in spec.range() {
            let p = mlp.params[i];
            let numeric = central(
                |d| {
                    mlp.params[i] = p + d;
                    loss(&mlp, &k)
                },
                h,
            );
            mlp.params[i] = p;
            let e = rel_err(grads[i], numeric);
            if grads[i].abs() > 1e-6 {
                worst = worst.max(e);
                checked += 1;
            }
            assert!(
                e < 1e-6 || (grads[i] - numeric).abs() < 1e-11,
                "{config:?}: {}[{}] analytic {} numeric {} rel {e}",
                spec.name,
                i - spec.offset,
                grads[i],
                numeric
            );
        }
    }
    // the input x
    let mut k = k;
    for i in 0..k.x.nrows() {
        for j in 0..D_X {
            let p = k.x[[i, j]];
            let numeric = central(
                |d| {
                    k.x[[i, j]] = p + d;
                    loss(&mlp, &k)
                },
                h,
            );
            k.x[[i, j]] = p;
            let e = rel_err(dx[[i, j]], numeric);
            assert!(e < 1e-6 || (dx[[i, j]] - numeric).abs() < 1e-11, "dx[{i},{j}] rel {e}");
        }
    }
    println!("{config:?}: worst relative error {worst:.2e} over {checked} gradients > 1e-6");
    assert!(worst < 1e-6 && checked > mlp.num_params() / 2);
}

fn base() -> MlpConfig {
    MlpConfig {
        time_freqs: 3,
        n_classes: 3,
        class_dim: 4,
        class_one_hot: false,
        n_extra: 0,
        width: 7,
        depth: 3,
        activation: Activation::Silu,
        residual: false,
        d_out: 2,
    }
}

#[test]
fn gradients_silu_plain() {
    check(base(), 1);
}

#[test]
fn gradients_silu_residual() {
    check(MlpConfig { residual: true, ..base() }, 2);
}

#[test]
fn gradients_relu_residual_with_extra_condition() {
    check(MlpConfig { activation: Activation::Relu, residual: true, n_extra: 1, ..base() }, 3);
}

#[test]
fn gradients_with_a_one_hot_class_input() {
    // n_classes 3 → four one-hot slots, no class table among the parameters
    check(MlpConfig { class_one_hot: true, n_extra: 1, time_freqs: 0, ..base() }, 6);
}

#[test]
fn gradients_single_layer_without_classes() {
    check(MlpConfig { n_classes: 0, class_dim: 0, depth: 1, ..base() }, 4);
}

#[test]
fn gradients_classifier_head() {
    // a time-conditioned classifier: no class input, K logits out
    check(MlpConfig { n_classes: 0, class_dim: 0, d_out: 3, ..base() }, 5);
}

/// The network written as plain loops over the same parameters.
fn naive_forward(mlp: &Mlp<f64>, k: &Case) -> Array2<f64> {
    let c = mlp.config();
    let il = c.input();
    let p = &mlp.params;
    let l = mlp.layout();
    let mut out = Array2::zeros((k.x.nrows(), c.d_out));
    for i in 0..k.x.nrows() {
        let mut row = vec![k.x[[i, 0]], k.x[[i, 1]]];
        let mut e = vec![0.0; il.scalar_dim()];
        embed_scalar(k.t[i], c.time_freqs, &mut e);
        row.extend(&e);
        if c.class_one_hot {
            row.extend((0..c.class_dim).map(|j| if j == k.labels[i] as usize { 1.0 } else { 0.0 }));
        } else if c.class_dim > 0 {
            let table = l.find("class_table").unwrap().mat(p);
            row.extend(table.row(k.labels[i] as usize).iter());
        }
        for j in 0..c.n_extra {
            embed_scalar(k.extra[i * c.n_extra + j], c.time_freqs, &mut e);
            row.extend(&e);
        }
        let dense = |input: &[f64], name: &str| -> Vec<f64> {
            let w = l.find(&format!("{name}.weight")).unwrap().mat(p);
            let b = l.find(&format!("{name}.bias")).unwrap().slice(p);
            (0..w.ncols()).map(|o| b[o] + (0..w.nrows()).map(|q| input[q] * w[[q, o]]).sum::<f64>()).collect()
        };
        let mut h = row;
        for layer in 0..c.depth {
            let z = dense(&h, &format!("hidden{layer}"));
            let a: Vec<f64> = z.iter().map(|&z| c.activation.value(z)).collect();
            h = if c.residual && layer > 0 { a.iter().zip(&h).map(|(a, h)| a + h).collect() } else { a };
        }
        let o = dense(&h, "out");
        for (j, v) in o.into_iter().enumerate() {
            out[[i, j]] = v;
        }
    }
    out
}

#[test]
fn forward_matches_naive_loops_in_training_and_inference_workspaces() {
    for config in [
        base(),
        MlpConfig { residual: true, n_extra: 2, depth: 4, ..base() },
        MlpConfig { class_one_hot: true, ..base() },
    ] {
        let mut r = rng::seeded(9, 1);
        let mlp = Mlp::<f64>::new(config.clone(), &mut r).unwrap();
        let k = case(&config, 11, 9);
        let want = naive_forward(&mlp, &k);
        for training in [true, false] {
            let mut ws = mlp.workspace(16, training);
            let got = mlp.forward(&mut ws, k.x.view(), &k.t, &k.labels, &k.extra);
            assert!((&got - &want).iter().all(|d| d.abs() < 1e-12), "{config:?}");
        }
    }
}

#[test]
fn rows_do_not_depend_on_the_rest_of_the_batch() {
    // Stacking conditional and unconditional rows in one batch must give the same values as
    // two separate passes: CFG at w = 0 and w = 1 relies on it.
    let config = MlpConfig::velocity(2, 32, 3);
    let mut r = rng::seeded(5, 1);
    let mlp = Mlp::<f32>::new(config, &mut r).unwrap();
    let x = Array2::from_shape_fn((37, 2), |(i, j)| (i as f32 * 0.37 + j as f32).sin());
    let mut ws = mlp.workspace(74, false);
    let alone = mlp.forward(&mut ws, x.view(), &[0.3], &[1], &[]).to_owned();
    let mut stacked_x = Array2::zeros((74, 2));
    stacked_x.slice_mut(ndarray::s![..37, ..]).assign(&x);
    stacked_x.slice_mut(ndarray::s![37.., ..]).assign(&x);
    let labels: Vec<u32> = (0..74).map(|i| if i < 37 { 1 } else { 2 }).collect();
    let stacked = mlp.forward(&mut ws, stacked_x.view(), &[0.3], &labels, &[]);
    assert_eq!(stacked.slice(ndarray::s![..37, ..]), alone);
}

/// The f32 network (the fast matrix kernel, transposed weight copies, the fast sigmoid) computes
/// what the f64 network, checked above against finite differences, computes.
#[test]
fn the_f32_path_agrees_with_the_checked_f64_path() {
    for config in [
        MlpConfig { width: 40, depth: 3, ..base() },
        MlpConfig { width: 33, depth: 2, residual: true, activation: Activation::Relu, ..base() },
    ] {
        let mut r = rng::seeded(21, 1);
        let m64 = Mlp::<f64>::new(config.clone(), &mut r).unwrap();
        let mut m32 = Mlp::<f32>::zeros(config.clone()).unwrap();
        m32.params = m64.params.iter().map(|&p| p as f32).collect();
        let k = case(&config, 37, 21);
        let (g64, dx64) = analytic(&m64, &k);
        let x32 = k.x.mapv(|v| v as f32);
        let t32: Vec<f32> = k.t.iter().map(|&v| v as f32).collect();
        let e32: Vec<f32> = k.extra.iter().map(|&v| v as f32).collect();
        let mut ws = m32.workspace(37, true).with_input_grad();
        let out = m32.forward(&mut ws, x32.view(), &t32, &k.labels, &e32).to_owned();
        let mut ws64 = m64.workspace(37, false);
        let out64 = m64.forward(&mut ws64, k.x.view(), &k.t, &k.labels, &k.extra).to_owned();
        for (a, b) in out.iter().zip(out64.iter()) {
            assert!((*a as f64 - b).abs() < 1e-4 * (1.0 + b.abs()), "output {a} vs {b}");
        }
        let d_out = (&out - &k.target.mapv(|v| v as f32)) / out.len() as f32;
        let mut g32 = vec![0.0f32; m32.num_params()];
        m32.backward(&mut ws, d_out.view(), &mut g32);
        let scale = g64.iter().map(|g| g.abs()).fold(0.0, f64::max);
        for (i, (a, b)) in g32.iter().zip(&g64).enumerate() {
            assert!((*a as f64 - b).abs() < 1e-4 * scale, "gradient {i}: {a} vs {b}");
        }
        let dx32 = ws.input_grad().slice(ndarray::s![.., 0..D_X]).to_owned();
        for (a, b) in dx32.iter().zip(dx64.iter()) {
            assert!((*a as f64 - b).abs() < 1e-4 * (1.0 + b.abs()), "dx {a} vs {b}");
        }
    }
}
