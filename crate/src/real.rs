//! The scalar type the network is generic over: `f32` in the app, `f64` for gradient checks.

use std::fmt::Debug;
use std::iter::Sum;
use std::ops::{AddAssign, MulAssign, SubAssign};

use ndarray::{LinalgScalar, ScalarOperand};

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
}
