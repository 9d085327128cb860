//! The scalar type the network is generic over: `f32` in the app, `f64` for gradient checks.

use std::fmt::Debug;
use std::iter::Sum;
use std::ops::{AddAssign, MulAssign, SubAssign};

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayBase, ArrayViewMut2, Data, Ix2, LinalgScalar, ScalarOperand};

/// A floating-point scalar usable in the MLP (f32 or f64).
pub trait Real:
    LinalgScalar
    + ScalarOperand
    + num_traits::Float
    + AddAssign
    + SubAssign
    + MulAssign
    + Sum
    + Debug
    + Default
    + Send
    + Sync
    + 'static
{
    /// Converts from f64, rounding to the nearest representable value.
    fn of(x: f64) -> Self;
    /// Widens to f64.
    fn f64(self) -> f64;
    /// c ← a·b + β·c into `c`, without allocating where the layouts allow.
    fn gemm<S1: Data<Elem = Self>, S2: Data<Elem = Self>>(
        a: &ArrayBase<S1, Ix2>,
        b: &ArrayBase<S2, Ix2>,
        beta: Self,
        c: &mut ArrayViewMut2<Self>,
    );
    /// The logistic function 1/(1 + e^−x).
    fn sigmoid(self) -> Self;
}

impl Real for f32 {
    #[inline]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn f64(self) -> f64 {
        self as f64
    }
    fn gemm<S1: Data<Elem = Self>, S2: Data<Elem = Self>>(
        a: &ArrayBase<S1, Ix2>,
        b: &ArrayBase<S2, Ix2>,
        beta: Self,
        c: &mut ArrayViewMut2<Self>,
    ) {
        if !crate::gemm::sgemm_views(a.view(), b.view(), beta, c) {
            general_mat_mul(1.0, a, b, beta, c);
        }
    }
    #[inline]
    fn sigmoid(self) -> Self {
        1.0 / (1.0 + crate::fastmath::exp(-self))
    }
}

impl Real for f64 {
    #[inline]
    fn of(x: f64) -> Self {
        x
    }
    #[inline]
    fn f64(self) -> f64 {
        self
    }
    /// f64 is for gradient checks, where speed and allocation do not matter.
    fn gemm<S1: Data<Elem = Self>, S2: Data<Elem = Self>>(
        a: &ArrayBase<S1, Ix2>,
        b: &ArrayBase<S2, Ix2>,
        beta: Self,
        c: &mut ArrayViewMut2<Self>,
    ) {
        general_mat_mul(1.0, a, b, beta, c);
    }
    #[inline]
    fn sigmoid(self) -> Self {
        if self >= 0.0 {
            1.0 / (1.0 + (-self).exp())
        } else {
            let e = self.exp();
            e / (1.0 + e)
        }
    }
}
