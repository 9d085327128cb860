//! Input assembly: one network input row per point,
//! `[x (2) | embed(t) | class embedding (class_dim) | embed(extra_1) | ...]`.
//!
//! A scalar s (the time t, or an extra condition such as the guidance scale w of a distilled
//! student) is embedded as `[s, sin(π·2^k·s), cos(π·2^k·s) for k < freqs]`: 1 + 2·freqs values.
//! The class embedding is a learned table with one row per class plus a last row for the null
//! label; it lives in the network's parameters, so the rows are filled in by the MLP.

use ndarray::{s, ArrayView2, ArrayViewMut2};

use crate::caps::MAX_TIME_FREQS;
use crate::real::Real;

/// Dimension of the points (2D toy data).
pub const D_X: usize = 2;

/// Column layout of an input row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputLayout {
    /// Number of Fourier frequencies per embedded scalar.
    pub freqs: usize,
    /// Width of the class embedding (0: no class input).
    pub class_dim: usize,
    /// Number of extra scalar conditions.
    pub n_extra: usize,
}

impl InputLayout {
    /// Width of one embedded scalar.
    pub fn scalar_dim(&self) -> usize {
        1 + 2 * self.freqs
    }
    /// First column of the time embedding.
    pub fn t_col(&self) -> usize {
        D_X
    }
    /// First column of the class embedding.
    pub fn class_col(&self) -> usize {
        D_X + self.scalar_dim()
    }
    /// First column of extra condition `j`.
    pub fn extra_col(&self, j: usize) -> usize {
        self.class_col() + self.class_dim + j * self.scalar_dim()
    }
    /// Width of an input row.
    pub fn d_in(&self) -> usize {
        D_X + self.scalar_dim() * (1 + self.n_extra) + self.class_dim
    }

    /// Fills every column except the class embedding.
    ///
    /// x: (batch, 2); t: batch values or one shared value; extra: batch·n_extra values (row-major)
    /// or n_extra shared values; input: (batch, d_in).
    pub fn assemble<T: Real>(&self, x: ArrayView2<T>, t: &[T], extra: &[T], mut input: ArrayViewMut2<T>) {
        let b = x.nrows();
        assert_eq!(x.ncols(), D_X, "x must have 2 columns");
        assert!(t.len() == b || t.len() == 1, "t: one value or one per row");
        let ne = self.n_extra;
        assert!(extra.len() == b * ne || extra.len() == ne, "extra: n_extra values or n_extra per row");
        input.slice_mut(s![.., 0..D_X]).assign(&x);
        let sd = self.scalar_dim();
        let (tc, freqs) = (self.t_col(), self.freqs);
        let shared_t = (t.len() == 1).then(|| embed_scalar_vec(t[0], freqs));
        for (i, mut row) in input.rows_mut().into_iter().enumerate() {
            let row = row.as_slice_mut().expect("input rows are contiguous");
            match &shared_t {
                Some(e) => row[tc..tc + sd].copy_from_slice(e.as_slice()),
                None => embed_scalar(t[i], freqs, &mut row[tc..tc + sd]),
            }
            for j in 0..ne {
                let v = if extra.len() == ne { extra[j] } else { extra[i * ne + j] };
                let c = self.extra_col(j);
                embed_scalar(v, freqs, &mut row[c..c + sd]);
            }
        }
    }
}

/// Writes the embedding of scalar `s` into `out` (length 1 + 2·freqs).
#[inline]
pub fn embed_scalar<T: Real>(s: T, freqs: usize, out: &mut [T]) {
    out[0] = s;
    let mut f = std::f64::consts::PI;
    for k in 0..freqs {
        let a = T::of(f) * s;
        out[1 + 2 * k] = a.sin();
        out[2 + 2 * k] = a.cos();
        f *= 2.0;
    }
}

/// Small fixed-capacity buffer for one shared embedding (no heap allocation).
struct Embedded<T> {
    data: [T; 1 + 2 * MAX_TIME_FREQS],
    len: usize,
}

impl<T: Real> Embedded<T> {
    fn as_slice(&self) -> &[T] {
        &self.data[..self.len]
    }
}

fn embed_scalar_vec<T: Real>(s: T, freqs: usize) -> Embedded<T> {
    let mut e = Embedded { data: [T::zero(); 1 + 2 * MAX_TIME_FREQS], len: 1 + 2 * freqs };
    embed_scalar(s, freqs, &mut e.data[..1 + 2 * freqs]);
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn columns_are_laid_out_in_order() {
        let l = InputLayout { freqs: 2, class_dim: 3, n_extra: 1 };
        assert_eq!(l.scalar_dim(), 5);
        assert_eq!((l.t_col(), l.class_col(), l.extra_col(0), l.d_in()), (2, 7, 10, 15));
    }

    #[test]
    fn shared_and_per_row_time_agree() {
        let l = InputLayout { freqs: 3, class_dim: 0, n_extra: 1 };
        let x = Array2::from_shape_vec((2, 2), vec![0.1f64, 0.2, 0.3, 0.4]).unwrap();
        let mut a = Array2::zeros((2, l.d_in()));
        let mut b = Array2::zeros((2, l.d_in()));
        l.assemble(x.view(), &[0.25], &[0.5], a.view_mut());
        l.assemble(x.view(), &[0.25, 0.25], &[0.5, 0.5], b.view_mut());
        assert_eq!(a, b);
        assert_eq!(a[[1, 2]], 0.25);
        assert!((a[[0, 3]] - (std::f64::consts::PI * 0.25).sin()).abs() < 1e-15);
        assert_eq!(a[[0, l.extra_col(0)]], 0.5);
    }
}
