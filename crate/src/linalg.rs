//! The matrix products the network needs, in one place so that a tuned kernel can replace them.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayBase, ArrayViewMut2, Data, Ix2};

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
    general_mat_mul(T::one(), a, b, beta, c);
}

/// out[j] += Σ_i m[i, j]: column sums of `m` added into `out`.
#[inline]
pub fn add_column_sums<T: Real, S: Data<Elem = T>>(m: &ArrayBase<S, Ix2>, out: &mut [T]) {
    for row in m.rows() {
        for (o, &v) in out.iter_mut().zip(row.iter()) {
            *o += v;
        }
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
    fn column_sums_accumulate() {
        let m = Array2::from_shape_vec((2, 3), vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        let mut out = vec![1.0f32; 3];
        add_column_sums(&m, &mut out);
        assert_eq!(out, vec![6.0, 8.0, 10.0]);
    }
}
