// Times each matrix product of a W1 training step: ours vs ndarray/matrixmultiply.
use cfg_playground::gemm::{sgemm, Mat};
use ndarray::{linalg::general_mat_mul, Array2};
use std::time::Instant;

fn time(f: &mut dyn FnMut()) -> f64 {
    for _ in 0..20 {
        f();
    }
    let t = Instant::now();
    for _ in 0..200 {
        f();
    }
    t.elapsed().as_secs_f64() / 200.0 * 1e6
}

fn main() {
    let r = |m, n| Array2::from_shape_fn((m, n), |(i, j)| ((i * 7 + j * 13) % 17) as f32 * 0.1);
    // (name, m, k, n, a transposed?)
    for &(name, m, k, n, ta) in &[
        ("fwd h·W 512x128x128", 512, 128, 128, false),
        ("fwd out 512x128x2", 512, 128, 2, false),
        ("fwd in 512x8x128", 512, 8, 128, false),
        ("dW inT·dz 128x512x128", 128, 512, 128, true),
        ("dW_out hT·dout 128x512x2", 128, 512, 2, true),
        ("dW_in inT·dz 8x512x128", 8, 512, 128, true),
        ("dh dz·Wt 512x128x128", 512, 128, 128, false),
        ("dh dout·Wot 512x2x128", 512, 2, 128, false),
    ] {
        let a_store = if ta { r(k, m) } else { r(m, k) };
        let b = r(k, n);
        let mut c = Array2::<f32>::zeros((m, n));
        let ours = time(&mut || {
            let a = if ta {
                Mat::transposed(a_store.as_slice().unwrap(), m, k, m)
            } else {
                Mat::rows(a_store.as_slice().unwrap(), m, k, k)
            };
            sgemm(a, b.as_slice().unwrap(), n, n, 0.0, c.as_slice_mut().unwrap(), n);
        });
        let theirs = time(&mut || {
            if ta {
                general_mat_mul(1.0, &a_store.t(), &b, 0.0, &mut c)
            } else {
                general_mat_mul(1.0, &a_store, &b, 0.0, &mut c)
            }
        });
        let gf = 2.0 * (m * k * n) as f64 / 1e3;
        println!(
            "{name:28} ours {ours:7.1} µs ({:5.1} GFLOP/s)   matrixmultiply {theirs:7.1} µs ({:5.1} GFLOP/s)",
            gf / ours,
            gf / theirs
        );
    }
}
