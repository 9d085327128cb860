//! A small f32 matrix multiply for the network's shapes (batch × 8..128 · 128 × 128), written so
//! that LLVM vectorises it: on wasm32 with simd128 the 4 × 8 block of accumulators becomes eight
//! f32x4 registers, with B's rows loaded as vectors and A's entries broadcast.
//!
//! c ← a·b + β·c with a (m, k) given by strides (so that aᵀ costs nothing), b (k, n) row-major
//! and c (m, n) row-major. No allocation; no unsafe code.

/// Rows of A per block.
const MR: usize = 4;
/// Columns of B per block (two f32x4 vectors).
const NR: usize = 8;

/// A read-only matrix view: element (i, p) at `data[i * rs + p * cs]`.
#[derive(Clone, Copy)]
pub struct Mat<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl<'a> Mat<'a> {
    /// A row-major (rows, cols) matrix with row stride `ld`.
    pub fn rows(data: &'a [f32], rows: usize, cols: usize, ld: usize) -> Self {
        Mat { data, rows, cols, rs: ld, cs: 1 }
    }
    /// The transpose of a row-major (cols, rows) matrix with row stride `ld`, without copying.
    pub fn transposed(data: &'a [f32], rows: usize, cols: usize, ld: usize) -> Self {
        Mat { data, rows, cols, rs: 1, cs: ld }
    }
    #[inline(always)]
    fn at(&self, i: usize, p: usize) -> f32 {
        self.data[i * self.rs + p * self.cs]
    }
}

/// c ← a·b + β·c. a: (m, k) view; b: (k, n) row-major, row stride `ldb`; c: (m, n) row-major,
/// row stride `ldc`. β = 0 overwrites c (its old values, even NaN, are ignored).
#[allow(clippy::too_many_arguments)]
pub fn sgemm(a: Mat, b: &[f32], ldb: usize, n: usize, beta: f32, c: &mut [f32], ldc: usize) {
    let (m, k) = (a.rows, a.cols);
    assert!(m == 0 || n == 0 || c.len() >= (m - 1) * ldc + n, "c is too small");
    assert!(k == 0 || n == 0 || b.len() >= (k - 1) * ldb + n, "b is too small");
    let m_main = m - m % MR;
    let n_main = n - n % NR;
    for i0 in (0..m_main).step_by(MR) {
        for j0 in (0..n_main).step_by(NR) {
            block(&a, b, ldb, k, i0, j0, beta, c, ldc);
        }
        for i in i0..i0 + MR {
            edge_row(&a, b, ldb, k, i, n_main, n, beta, c, ldc);
        }
    }
    for i in m_main..m {
        edge_row(&a, b, ldb, k, i, 0, n, beta, c, ldc);
    }
}

/// The 4 × 8 block of c at (i0, j0): 32 accumulators, one k at a time.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn block(a: &Mat, b: &[f32], ldb: usize, k: usize, i0: usize, j0: usize, beta: f32, c: &mut [f32], ldc: usize) {
    let mut acc = [[0.0f32; NR]; MR];
    for p in 0..k {
        let row: &[f32; NR] = b[p * ldb + j0..p * ldb + j0 + NR].try_into().expect("8 columns");
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let x = a.at(i0 + r, p);
            for (s, &y) in acc_r.iter_mut().zip(row) {
                *s += x * y;
            }
        }
    }
    for (r, acc_r) in acc.iter().enumerate() {
        let out: &mut [f32; NR] =
            (&mut c[(i0 + r) * ldc + j0..(i0 + r) * ldc + j0 + NR]).try_into().expect("8 columns");
        if beta == 0.0 {
            *out = *acc_r;
        } else {
            for (o, &s) in out.iter_mut().zip(acc_r) {
                *o = beta * *o + s;
            }
        }
    }
}

/// Columns j_from..j_to of row i of c, one at a time (the ragged edges).
#[allow(clippy::too_many_arguments)]
fn edge_row(a: &Mat, b: &[f32], ldb: usize, k: usize, i: usize, j_from: usize, j_to: usize, beta: f32, c: &mut [f32], ldc: usize) {
    for j in j_from..j_to {
        let mut s = 0.0f32;
        for p in 0..k {
            s += a.at(i, p) * b[p * ldb + j];
        }
        let o = &mut c[i * ldc + j];
        *o = if beta == 0.0 { s } else { beta * *o + s };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &Mat, b: &[f32], ldb: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; a.rows * n];
        for i in 0..a.rows {
            for j in 0..n {
                c[i * n + j] = (0..a.cols).map(|p| a.at(i, p) as f64 * b[p * ldb + j] as f64).sum();
            }
        }
        c
    }

    #[test]
    fn matches_a_naive_product_for_every_shape_and_layout() {
        let mut r = crate::rng::seeded(11, 0);
        let mut rand = |len: usize| (0..len).map(|_| crate::rng::normal(&mut r) as f32).collect::<Vec<f32>>();
        for &(m, k, n) in &[(1, 1, 1), (4, 3, 8), (5, 7, 9), (13, 19, 33), (64, 128, 128), (37, 8, 2)] {
            let a = rand(m * k);
            let b = rand(k * n);
            let c0 = rand(m * n);
            for (view, beta) in [(Mat::rows(&a, m, k, k), 0.0), (Mat::transposed(&a, m, k, m), 0.5)] {
                // for the transposed view, `a` is read as a (k, m) row-major matrix
                let want = naive(&view, &b, n, n);
                let mut c = c0.clone();
                sgemm(view, &b, n, n, beta, &mut c, n);
                for (idx, (&got, &w)) in c.iter().zip(&want).enumerate() {
                    let w = w + beta as f64 * c0[idx] as f64;
                    assert!((got as f64 - w).abs() < 1e-4 * (1.0 + w.abs()), "{m}x{k}x{n} [{idx}]: {got} vs {w}");
                }
            }
        }
    }

    #[test]
    fn beta_zero_ignores_old_values() {
        let a = [1.0f32; 16];
        let b = [2.0f32; 32];
        let mut c = [f32::NAN; 32];
        sgemm(Mat::rows(&a, 4, 4, 4), &b, 8, 8, 0.0, &mut c, 8);
        assert!(c.iter().all(|&v| v == 8.0));
    }
}
