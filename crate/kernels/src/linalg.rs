//! The matrix products the network needs, in one place so that a tuned kernel can replace them.

use ndarray::{ArrayBase, ArrayView2, ArrayViewMut2, Data, Ix2};

use crate::real::Real;

/// c ← a·b + β·c, written into `c` without allocating.
///
/// a: (m, k), b: (k, n), c: (m, n). Transposed operands are passed as `.t()` views.
#[inline]
pub fn matmul<T: Real, S1: Data<Elem = T>, S2: Data<Elem = T>>(
    a: &ArrayBase<S1, Ix2>,
    b: &ArrayBase<S2, Ix2>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    T::gemm(a, b, beta, c);
}

/// dst ← srcᵀ, in 8 × 8 tiles (a plain transposing loop walks one side with a large stride).
/// src: (r, c); dst: (c, r).
pub fn transpose_into<T: Real, S: Data<Elem = T>>(src: &ArrayBase<S, Ix2>, dst: &mut ArrayViewMut2<T>) {
    let (r, c) = src.dim();
    assert_eq!(dst.dim(), (c, r), "transpose shapes");
    const TILE: usize = 8;
    for i0 in (0..r).step_by(TILE) {
        for j0 in (0..c).step_by(TILE) {
            for i in i0..(i0 + TILE).min(r) {
                for j in j0..(j0 + TILE).min(c) {
                    dst[[j, i]] = src[[i, j]];
                }
            }
        }
    }
}

/// c[i, j] ← a[i, :]·bt[j, :] + β·c[i, j]: products against a few output columns given as rows
/// (a network's 2-wide output layer), eight independent lanes per dot product so that the loop
/// vectorises on every target. a: (m, k) and bt: (n, k), rows contiguous; c: (m, n).
pub fn rows_dot<T: Real>(a: ArrayView2<T>, bt: ArrayView2<T>, beta: T, c: &mut ArrayViewMut2<T>) {
    assert_eq!(a.ncols(), bt.ncols(), "rows_dot: inner sizes");
    assert_eq!(c.dim(), (a.nrows(), bt.nrows()), "rows_dot: output shape");
    for (arow, mut crow) in a.rows().into_iter().zip(c.rows_mut()) {
        let x = arow.as_slice().expect("rows of a are contiguous");
        for (brow, cv) in bt.rows().into_iter().zip(crow.iter_mut()) {
            let y = brow.as_slice().expect("rows of bt are contiguous");
            let mut lanes = [T::zero(); 8];
            let (xc, yc) = (x.chunks_exact(8), y.chunks_exact(8));
            let (xr, yr) = (xc.remainder(), yc.remainder());
            for (xs, ys) in xc.zip(yc) {
                for l in 0..8 {
                    lanes[l] += xs[l] * ys[l];
                }
            }
            let mut sum = lanes.iter().copied().fold(T::zero(), |s, v| s + v);
            for (&u, &v) in xr.iter().zip(yr) {
                sum += u * v;
            }
            *cv = if beta == T::zero() { sum } else { beta * *cv + sum };
        }
    }
}

/// `out[j] += Σ_i m[i, j]`: column sums of `m` added into `out`.
#[inline]
pub fn add_column_sums<T: Real, S: Data<Elem = T>>(m: &ArrayBase<S, Ix2>, out: &mut [T]) {
    for row in m.rows() {
        for (o, &v) in out.iter_mut().zip(row.iter()) {
            *o += v;
        }
    }
}

/// x ← x + a·v, elementwise over (n, 2) views, and each row's squared speed |v|² added to `speed2`
/// (in f64): a sampler's Euler update, here so that the page's wasm builds it at opt-level 3.
pub fn step_euler(mut x: ArrayViewMut2<f32>, a: f32, v: ArrayView2<f32>, speed2: &mut [f64]) {
    for ((mut x, v), s) in x.rows_mut().into_iter().zip(v.rows()).zip(speed2.iter_mut()) {
        for j in 0..x.len() {
            x[j] += a * v[j];
        }
        *s += (v[0] as f64).powi(2) + (v[1] as f64).powi(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn naive(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
        let mut c = Array2::zeros((m, n));
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0;
                for p in 0..k {
                    s += a[[i, p]] * b[[p, j]];
                }
                c[[i, j]] = s;
            }
        }
        c
    }

    #[test]
    fn matmul_matches_a_naive_loop_including_transposes_and_beta() {
        let mut rng = crate::rng::seeded(3, 0);
        let mut rand = |r: usize, c: usize| Array2::from_shape_fn((r, c), |_| crate::rng::normal(&mut rng));
        for &(m, k, n) in &[(1, 1, 1), (7, 5, 3), (64, 19, 33), (130, 128, 2)] {
            let a = rand(m, k);
            let b = rand(k, n);
            let c0 = rand(m, n);
            let mut c = c0.clone();
            matmul(&a, &b, 0.5, &mut c.view_mut());
            let want = naive(&a, &b) + &(c0 * 0.5);
            assert!((&c - &want).iter().all(|d| d.abs() < 1e-12), "{m}x{k}x{n}");
            // aᵀ·c and c·bᵀ through transposed views
            let at = a.t().to_owned();
            let mut d = Array2::zeros((k, n));
            let c1 = rand(m, n);
            matmul(&a.t(), &c1, 0.0, &mut d.view_mut());
            assert!((&d - &naive(&at, &c1)).iter().all(|v| v.abs() < 1e-12));
        }
    }

    #[test]
    fn transposes_and_small_products() {
        let mut rng = crate::rng::seeded(4, 0);
        let a = Array2::from_shape_fn((19, 13), |_| crate::rng::normal(&mut rng));
        let mut t = Array2::zeros((13, 19));
        transpose_into(&a, &mut t.view_mut());
        assert_eq!(t, a.t());
        let bt = Array2::from_shape_fn((2, 13), |_| crate::rng::normal(&mut rng));
        let mut c = Array2::from_elem((19, 2), 1.0);
        rows_dot(a.view(), bt.view(), 0.5, &mut c.view_mut());
        let want = naive(&a, &bt.t().to_owned()) + 0.5;
        assert!((&c - &want).iter().all(|d| d.abs() < 1e-12));
    }

    #[test]
    fn column_sums_accumulate() {
        let m = Array2::from_shape_vec((2, 3), vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        let mut out = vec![1.0f32; 3];
        add_column_sums(&m, &mut out);
        assert_eq!(out, vec![6.0, 8.0, 10.0]);
    }
}
