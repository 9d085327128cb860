//! The f32 matrix multiply behind the network: c ← a·b + β·c for the shapes of a small MLP
//! (batch × 8..128 · 128 × 128), allocation-free (unlike a packing GEMM, which allocates its
//! panels on every call) and tuned per target:
//!
//! - x86-64 with AVX2 and FMA (detected at run time): 4 × 16 register blocks, fused multiply-add;
//! - wasm32 with simd128: 4 × 8 blocks of f32x4 registers, with `f32x4.relaxed_madd` when the
//!   module is built with relaxed-simd (the page loads that build only where the browser has it);
//! - anything else: the same blocked loops in portable Rust.
//!
//! a is (m, k) with arbitrary strides (so aᵀ costs nothing); b is (k, n) and c is (m, n), both
//! row-major with a row stride. β = 0 overwrites c (old values, even NaN, are ignored).
//!
//! Why one file of about 640 lines: the three kernels are alternatives (one is compiled per
//! target) behind one dispatch and one blocking scheme, and the tests at the end check the one in
//! use against a naive product for every shape and layout.

use ndarray::{ArrayView2, ArrayViewMut2};

/// A read-only (rows, cols) matrix: element (i, p) at `data[i * rs + p * cs]`.
#[derive(Clone, Copy, Debug)]
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
    fn check(&self) {
        if self.rows > 0 && self.cols > 0 {
            let last = (self.rows - 1) * self.rs + (self.cols - 1) * self.cs;
            assert!(last < self.data.len(), "a's view runs past its data");
        }
    }
}

/// c ← a·b + β·c. a: (m, k) view; b: (k, n) row-major with row stride `ldb`; c: (m, n)
/// row-major with row stride `ldc`.
pub fn sgemm(a: Mat, b: &[f32], ldb: usize, n: usize, beta: f32, c: &mut [f32], ldc: usize) {
    let (m, k) = (a.rows, a.cols);
    if m == 0 || n == 0 {
        return;
    }
    a.check();
    assert!(k == 0 || b.len() >= (k - 1) * ldb + n, "b is too small");
    assert!(c.len() >= (m - 1) * ldc + n, "c is too small");
    assert!(ldb >= n && ldc >= n, "row strides must cover a row");
    // Blocks of MC rows of a (a few tens of kilobytes) stay in cache while every column panel of
    // b passes over them: a tall a (10,000 points) would otherwise be streamed from memory once
    // per panel.
    const MC: usize = 128;
    if m > MC {
        for i0 in (0..m).step_by(MC) {
            let rows = MC.min(m - i0);
            let block = Mat { data: &a.data[i0 * a.rs..], rows, cols: k, rs: a.rs, cs: a.cs };
            sgemm(block, b, ldb, n, beta, &mut c[i0 * ldc..], ldc);
        }
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA (checked just above); the bounds were checked.
            unsafe { x86::sgemm_avx2_fma(a, b, ldb, n, beta, c, ldc) };
            return;
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // SAFETY: the bounds were checked above; the kernel indexes within them.
        unsafe { wasm::sgemm(a, b, ldb, n, beta, c, ldc) };
        return;
    }
    // SAFETY: the bounds were checked above.
    #[allow(unreachable_code)]
    unsafe {
        portable::sgemm::<4, 8>(a, b, ldb, n, beta, c, ldc, |acc, x, y| acc + x * y)
    };
}

/// Runs c ← a·b + β·c (ndarray views) through [`sgemm`] when b and c are row-major and every
/// operand is contiguous in memory (the network's buffers always are); false otherwise.
pub fn sgemm_views(a: ArrayView2<f32>, b: ArrayView2<f32>, beta: f32, c: &mut ArrayViewMut2<f32>) -> bool {
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    assert!(k == k2 && c.dim() == (m, n), "gemm shapes: ({m}, {k})·({k2}, {n}) into {:?}", c.dim());
    let stride = |s: &[isize], rows: usize, cols: usize| -> Option<(usize, usize)> {
        // single rows or columns may carry any stride: use the natural one
        let rs = if rows <= 1 { cols } else { usize::try_from(s[0]).ok()? };
        let cs = if cols <= 1 { 1 } else { usize::try_from(s[1]).ok()? };
        Some((rs, cs))
    };
    let (Some((ars, acs)), Some((ldb, bcs)), Some((ldc, ccs))) =
        (stride(a.strides(), m, k), stride(b.strides(), k, n), stride(c.strides(), m, n))
    else {
        return false;
    };
    if bcs != 1 || ccs != 1 || ldb < n || ldc < n {
        return false;
    }
    let (Some(ad), Some(bd)) = (a.as_slice_memory_order(), b.as_slice_memory_order()) else { return false };
    let Some(cd) = c.as_slice_memory_order_mut() else { return false };
    sgemm(Mat { data: ad, rows: m, cols: k, rs: ars, cs: acs }, bd, ldb, n, beta, cd, ldc);
    true
}

/// Which kernel `sgemm` uses here (for benchmark reports).
pub fn kernel_name() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            return "avx2+fma";
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
    return "simd128+relaxed-madd";
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
    return "simd128";
    #[allow(unreachable_code)]
    "portable"
}

/// Register-blocked loops in plain Rust; `madd(acc, x, y)` is acc + x·y (fused or not).
/// Every index is checked once by `sgemm` (the view check and the b and c lengths), so the loops
/// index without bounds checks.
mod portable {
    use super::Mat;

    /// a(i, p), unchecked.
    ///
    /// # Safety
    /// i < a.rows and p < a.cols, with the view checked by `Mat::check`.
    #[inline(always)]
    unsafe fn at(a: &Mat, i: usize, p: usize) -> f32 {
        // SAFETY: the caller's indices lie within the checked view.
        unsafe { *a.data.get_unchecked(i * a.rs + p * a.cs) }
    }

    /// The blocked product: MR × NR blocks, then MR-row blocks of the last columns, then the
    /// last rows NR columns at a time, then the corner.
    ///
    /// # Safety
    /// `sgemm`'s checks hold: a's view is in bounds, b holds (k − 1)·ldb + n values, c holds
    /// (m − 1)·ldc + n, and ldb, ldc ≥ n.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn sgemm<const MR: usize, const NR: usize>(
        a: Mat,
        b: &[f32],
        ldb: usize,
        n: usize,
        beta: f32,
        c: &mut [f32],
        ldc: usize,
        madd: impl Fn(f32, f32, f32) -> f32 + Copy,
    ) {
        let (m, k) = (a.rows, a.cols);
        let (m_main, n_main) = (m - m % MR, n - n % NR);
        let (bp, cp) = (b.as_ptr(), c.as_mut_ptr());
        // SAFETY (all blocks below): i < m, j < n and p < k, which the caller's checks cover.
        unsafe {
            for i0 in (0..m_main).step_by(MR) {
                for j0 in (0..n_main).step_by(NR) {
                    let mut acc = [[0.0f32; NR]; MR];
                    for p in 0..k {
                        let row = bp.add(p * ldb + j0);
                        for (r, acc_r) in acc.iter_mut().enumerate() {
                            let x = at(&a, i0 + r, p);
                            for (jj, s) in acc_r.iter_mut().enumerate() {
                                *s = madd(*s, x, *row.add(jj));
                            }
                        }
                    }
                    for (r, acc_r) in acc.iter().enumerate() {
                        store(cp.add((i0 + r) * ldc + j0), acc_r, beta);
                    }
                }
                if n_main < n {
                    // the last n − n_main columns: MR × (n − n_main) independent sums
                    let w = n - n_main;
                    let mut acc = [[0.0f32; NR]; MR];
                    for p in 0..k {
                        let row = bp.add(p * ldb + n_main);
                        for (r, acc_r) in acc.iter_mut().enumerate() {
                            let x = at(&a, i0 + r, p);
                            for (jj, s) in acc_r.iter_mut().enumerate().take(w) {
                                *s = madd(*s, x, *row.add(jj));
                            }
                        }
                    }
                    for (r, acc_r) in acc.iter().enumerate() {
                        store(cp.add((i0 + r) * ldc + n_main), &acc_r[..w], beta);
                    }
                }
            }
            for i in m_main..m {
                row_times_matrix::<NR>(&a, i, bp, ldb, n, beta, cp.add(i * ldc), madd);
            }
        }
    }

    /// Row i of c: NR columns at a time, then the rest.
    ///
    /// # Safety
    /// As for `sgemm`, with `c_row` pointing at row i of c.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn row_times_matrix<const NR: usize>(
        a: &Mat,
        i: usize,
        bp: *const f32,
        ldb: usize,
        n: usize,
        beta: f32,
        c_row: *mut f32,
        madd: impl Fn(f32, f32, f32) -> f32 + Copy,
    ) {
        let k = a.cols;
        let mut j0 = 0;
        // SAFETY: j0 + w ≤ n and p < k.
        unsafe {
            while j0 < n {
                let w = NR.min(n - j0);
                let mut acc = [0.0f32; NR];
                for p in 0..k {
                    let x = at(a, i, p);
                    let row = bp.add(p * ldb + j0);
                    for (jj, s) in acc.iter_mut().enumerate().take(w) {
                        *s = madd(*s, x, *row.add(jj));
                    }
                }
                store(c_row.add(j0), &acc[..w], beta);
                j0 += w;
            }
        }
    }

    /// c[..acc.len()] ← acc + β·c.
    ///
    /// # Safety
    /// `out` points at acc.len() writable values.
    #[inline(always)]
    pub unsafe fn store(out: *mut f32, acc: &[f32], beta: f32) {
        for (jj, &s) in acc.iter().enumerate() {
            // SAFETY: jj < acc.len(), which the caller guarantees writable.
            unsafe {
                let o = out.add(jj);
                *o = if beta == 0.0 { s } else { beta * *o + s };
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{portable, Mat};
    use std::arch::x86_64::*;

    const KC: usize = 256;

    /// An R × 8V tile of c (R ≤ 6 rows, V ymm vectors per row) over kc rows of a packed B panel
    /// (row stride 8V), with explicit AVX2 + FMA: B's row as V loads, A's entries broadcast.
    ///
    /// # Safety
    /// AVX2 and FMA; a's entries (i0 + r, k0 + q) for r < R, q < kc in its checked view; the
    /// panel holds kc·8V values; c's rows i0..i0 + R, columns j0..j0 + 8V are in bounds.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile<const R: usize, const V: usize>(
        a: &Mat,
        i0: usize,
        k0: usize,
        kc: usize,
        pk: *const f32,
        cp: *mut f32,
        ldc: usize,
        j0: usize,
        beta: f32,
    ) {
        // SAFETY: as the function's contract states.
        unsafe {
            let ap = a.data.as_ptr();
            let mut acc = [[_mm256_setzero_ps(); V]; R];
            for q in 0..kc {
                let mut bv = [_mm256_setzero_ps(); V];
                for (v, b) in bv.iter_mut().enumerate() {
                    *b = _mm256_loadu_ps(pk.add(q * 8 * V + 8 * v));
                }
                let col = ap.add((k0 + q) * a.cs + i0 * a.rs);
                for (r, acc_r) in acc.iter_mut().enumerate() {
                    let x = _mm256_broadcast_ss(&*col.add(r * a.rs));
                    for v in 0..V {
                        acc_r[v] = _mm256_fmadd_ps(x, bv[v], acc_r[v]);
                    }
                }
            }
            let beta_v = _mm256_set1_ps(beta);
            for (r, acc_r) in acc.iter().enumerate() {
                let out = cp.add((i0 + r) * ldc + j0);
                for (v, &s) in acc_r.iter().enumerate() {
                    let o = out.add(8 * v);
                    let val = if beta == 0.0 { s } else { _mm256_fmadd_ps(beta_v, _mm256_loadu_ps(o), s) };
                    _mm256_storeu_ps(o, val);
                }
            }
        }
    }

    /// Every row block of one column panel of width 8V: 6-row tiles, then one tile for the rest.
    ///
    /// # Safety
    /// As for `tile`, for all rows of a and columns j0..j0 + 8V of b and c.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn panel<const V: usize>(
        a: &Mat,
        bp: *const f32,
        ldb: usize,
        j0: usize,
        beta: f32,
        cp: *mut f32,
        ldc: usize,
        packed: &mut [f32],
    ) {
        let (m, k) = (a.rows, a.cols);
        let pk = packed.as_mut_ptr();
        let mut k0 = 0;
        // SAFETY: rows k0..k0 + kc < k, columns j0..j0 + 8V ≤ n of b; the buffer holds KC·16.
        unsafe {
            loop {
                let kc = KC.min(k - k0);
                for q in 0..kc {
                    std::ptr::copy_nonoverlapping(bp.add((k0 + q) * ldb + j0), pk.add(q * 8 * V), 8 * V);
                }
                // the first chunk applies β, later chunks add to what is there
                let beta_k = if k0 == 0 { beta } else { 1.0 };
                let mut i0 = 0;
                while i0 + 6 <= m {
                    tile::<6, V>(a, i0, k0, kc, pk, cp, ldc, j0, beta_k);
                    i0 += 6;
                }
                match m - i0 {
                    0 => {}
                    1 => tile::<1, V>(a, i0, k0, kc, pk, cp, ldc, j0, beta_k),
                    2 => tile::<2, V>(a, i0, k0, kc, pk, cp, ldc, j0, beta_k),
                    3 => tile::<3, V>(a, i0, k0, kc, pk, cp, ldc, j0, beta_k),
                    4 => tile::<4, V>(a, i0, k0, kc, pk, cp, ldc, j0, beta_k),
                    _ => tile::<5, V>(a, i0, k0, kc, pk, cp, ldc, j0, beta_k),
                }
                k0 += kc;
                if k0 >= k {
                    break;
                }
            }
        }
    }

    /// Column panels of 16, then one of 8, then the last columns with the portable loops. B's
    /// panels are packed contiguously, KC rows at a time: rows of B lie a power-of-two stride
    /// apart and would otherwise all compete for a few L1 cache sets.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA, and `sgemm`'s bounds checks must hold.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn sgemm_avx2_fma(
        a: Mat,
        b: &[f32],
        ldb: usize,
        n: usize,
        beta: f32,
        c: &mut [f32],
        ldc: usize,
    ) {
        let (bp, cp) = (b.as_ptr(), c.as_mut_ptr());
        let mut packed = [0.0f32; KC * 16];
        let mut j0 = 0;
        // SAFETY: j0 + 16 (or + 8) ≤ n for each panel; the rest is forwarded from the caller.
        unsafe {
            if a.cols == 0 {
                portable::sgemm::<1, 1>(a, b, ldb, n, beta, c, ldc, |s, x, y| x.mul_add(y, s));
                return;
            }
            while j0 + 16 <= n {
                panel::<2>(&a, bp, ldb, j0, beta, cp, ldc, &mut packed);
                j0 += 16;
            }
            if j0 + 8 <= n {
                panel::<1>(&a, bp, ldb, j0, beta, cp, ldc, &mut packed);
                j0 += 8;
            }
            if j0 < n {
                for i in 0..a.rows {
                    portable::row_times_matrix::<8>(
                        &a,
                        i,
                        bp.add(j0),
                        ldb,
                        n - j0,
                        beta,
                        cp.add(i * ldc + j0),
                        |s, x, y| x.mul_add(y, s),
                    );
                }
            }
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::{portable, Mat};
    use core::arch::wasm32::*;

    const KC: usize = 256;

    #[inline(always)]
    fn madd(acc: v128, x: v128, y: v128) -> v128 {
        #[cfg(target_feature = "relaxed-simd")]
        {
            f32x4_relaxed_madd(x, y, acc)
        }
        #[cfg(not(target_feature = "relaxed-simd"))]
        {
            f32x4_add(acc, f32x4_mul(x, y))
        }
    }

    /// An R × 4V tile of c (R ≤ 4 rows, V f32x4 vectors per row) over kc rows of a packed B
    /// panel (row stride 4V): B's row as V loads, A's entries broadcast.
    ///
    /// # Safety
    /// a's entries (i0 + r, k0 + q) for r < R, q < kc in its checked view; the panel holds
    /// kc·4V values; c's rows i0..i0 + R, columns j0..j0 + 4V are in bounds.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile<const R: usize, const V: usize>(
        a: &Mat,
        i0: usize,
        k0: usize,
        kc: usize,
        pk: *const f32,
        cp: *mut f32,
        ldc: usize,
        j0: usize,
        beta: f32,
    ) {
        // SAFETY: as the function's contract states.
        unsafe {
            let ap = a.data.as_ptr();
            let mut acc = [[f32x4_splat(0.0); V]; R];
            for q in 0..kc {
                let mut bv = [f32x4_splat(0.0); V];
                for (v, b) in bv.iter_mut().enumerate() {
                    *b = v128_load(pk.add(q * 4 * V + 4 * v) as *const v128);
                }
                let col = ap.add((k0 + q) * a.cs + i0 * a.rs);
                for (r, acc_r) in acc.iter_mut().enumerate() {
                    let x = f32x4_splat(*col.add(r * a.rs));
                    for v in 0..V {
                        acc_r[v] = madd(acc_r[v], x, bv[v]);
                    }
                }
            }
            let beta_v = f32x4_splat(beta);
            for (r, acc_r) in acc.iter().enumerate() {
                let out = cp.add((i0 + r) * ldc + j0);
                for (v, &s) in acc_r.iter().enumerate() {
                    let o = out.add(4 * v) as *mut v128;
                    let val = if beta == 0.0 { s } else { f32x4_add(f32x4_mul(beta_v, v128_load(o)), s) };
                    v128_store(o, val);
                }
            }
        }
    }

    /// Every row block of one column panel of width 4V: 4-row tiles, then one tile for the rest.
    ///
    /// # Safety
    /// As for `tile`, for all rows of a and columns j0..j0 + 4V of b and c.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn panel<const V: usize>(
        a: &Mat,
        bp: *const f32,
        ldb: usize,
        j0: usize,
        beta: f32,
        cp: *mut f32,
        ldc: usize,
        packed: &mut [f32],
    ) {
        let (m, k) = (a.rows, a.cols);
        let pk = packed.as_mut_ptr();
        let mut k0 = 0;
        // SAFETY: rows k0..k0 + kc < k, columns j0..j0 + 4V ≤ n of b; the buffer holds KC·8.
        unsafe {
            loop {
                let kc = KC.min(k - k0);
                for q in 0..kc {
                    core::ptr::copy_nonoverlapping(bp.add((k0 + q) * ldb + j0), pk.add(q * 4 * V), 4 * V);
                }
                let beta_k = if k0 == 0 { beta } else { 1.0 };
                let mut i0 = 0;
                while i0 + 4 <= m {
                    tile::<4, V>(a, i0, k0, kc, pk, cp, ldc, j0, beta_k);
                    i0 += 4;
                }
                match m - i0 {
                    0 => {}
                    1 => tile::<1, V>(a, i0, k0, kc, pk, cp, ldc, j0, beta_k),
                    2 => tile::<2, V>(a, i0, k0, kc, pk, cp, ldc, j0, beta_k),
                    _ => tile::<3, V>(a, i0, k0, kc, pk, cp, ldc, j0, beta_k),
                }
                k0 += kc;
                if k0 >= k {
                    break;
                }
            }
        }
    }

    /// Column panels of 8, then one of 4, then the last columns with the portable loops; B's
    /// panels packed contiguously KC rows at a time (see the x86 kernel).
    ///
    /// # Safety
    /// `sgemm`'s bounds checks must hold.
    pub unsafe fn sgemm(a: Mat, b: &[f32], ldb: usize, n: usize, beta: f32, c: &mut [f32], ldc: usize) {
        let (bp, cp) = (b.as_ptr(), c.as_mut_ptr());
        let mut packed = [0.0f32; KC * 8];
        let mut j0 = 0;
        // SAFETY: j0 + 8 (or + 4) ≤ n for each panel; the rest is forwarded from the caller.
        unsafe {
            if a.cols == 0 {
                portable::sgemm::<1, 1>(a, b, ldb, n, beta, c, ldc, |s, x, y| s + x * y);
                return;
            }
            while j0 + 8 <= n {
                panel::<2>(&a, bp, ldb, j0, beta, cp, ldc, &mut packed);
                j0 += 8;
            }
            if j0 + 4 <= n {
                panel::<1>(&a, bp, ldb, j0, beta, cp, ldc, &mut packed);
                j0 += 4;
            }
            if j0 < n {
                for i in 0..a.rows {
                    portable::row_times_matrix::<4>(
                        &a,
                        i,
                        bp.add(j0),
                        ldb,
                        n - j0,
                        beta,
                        cp.add(i * ldc + j0),
                        |s, x, y| s + x * y,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &Mat, b: &[f32], ldb: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; a.rows * n];
        for i in 0..a.rows {
            for j in 0..n {
                c[i * n + j] =
                    (0..a.cols).map(|p| a.data[i * a.rs + p * a.cs] as f64 * b[p * ldb + j] as f64).sum();
            }
        }
        c
    }

    #[test]
    fn matches_a_naive_product_for_every_shape_and_layout() {
        let mut r = crate::rng::seeded(11, 0);
        let mut rand = |len: usize| (0..len).map(|_| crate::rng::normal(&mut r) as f32).collect::<Vec<f32>>();
        for &(m, k, n) in
            &[(1, 1, 1), (4, 3, 8), (5, 7, 9), (13, 19, 33), (64, 128, 128), (37, 8, 2), (3, 5, 17)]
        {
            let a = rand(m * k);
            let b = rand(k * n);
            let c0 = rand(m * n);
            for (view, beta) in [(Mat::rows(&a, m, k, k), 0.0), (Mat::transposed(&a, m, k, m), 0.5)] {
                let want = naive(&view, &b, n, n);
                let mut c = c0.clone();
                sgemm(view, &b, n, n, beta, &mut c, n);
                for (idx, (&got, &w)) in c.iter().zip(&want).enumerate() {
                    let w = w + beta as f64 * c0[idx] as f64;
                    assert!(
                        (got as f64 - w).abs() < 1e-4 * (1.0 + w.abs()),
                        "{m}x{k}x{n} [{idx}]: {got} vs {w}"
                    );
                }
            }
        }
    }

    #[test]
    fn strided_rows_and_beta_zero() {
        // c and b with row strides wider than their rows; β = 0 ignores NaN in c
        let a = [1.0f32; 4 * 4];
        let b: Vec<f32> = (0..4 * 20).map(|i| (i % 20) as f32).collect();
        let mut c = vec![f32::NAN; 4 * 24];
        sgemm(Mat::rows(&a, 4, 4, 4), &b, 20, 16, 0.0, &mut c, 24);
        for i in 0..4 {
            for j in 0..16 {
                assert_eq!(c[i * 24 + j], 4.0 * j as f32);
            }
            assert!(c[i * 24 + 16].is_nan(), "columns past n are untouched");
        }
    }

    #[test]
    fn the_portable_kernel_agrees_too() {
        let a: Vec<f32> = (0..6 * 5).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..5 * 11).map(|i| (i as f32 * 0.11).cos()).collect();
        let mut c1 = vec![0.0; 6 * 11];
        let mut c2 = vec![0.0; 6 * 11];
        sgemm(Mat::rows(&a, 6, 5, 5), &b, 11, 11, 0.0, &mut c1, 11);
        // SAFETY: the shapes match the buffers.
        unsafe {
            portable::sgemm::<4, 8>(Mat::rows(&a, 6, 5, 5), &b, 11, 11, 0.0, &mut c2, 11, |s, x, y| s + x * y)
        };
        for (x, y) in c1.iter().zip(&c2) {
            assert!((x - y).abs() < 1e-5);
        }
    }
}
