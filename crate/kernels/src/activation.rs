//! Hidden-layer activations: each one's value and derivative side by side.

use serde::{Deserialize, Serialize};

use crate::real::Real;

/// The nonlinearity after each hidden layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// x·σ(x), smooth; the default.
    #[default]
    Silu,
    /// max(0, x).
    Relu,
}

impl Activation {
    /// a = f(z).
    #[inline]
    pub fn value<T: Real>(self, z: T) -> T {
        match self {
            Activation::Silu => z * sigmoid(z),
            Activation::Relu => z.max(T::zero()),
        }
    }

    /// f'(z).
    #[inline]
    pub fn grad<T: Real>(self, z: T) -> T {
        match self {
            Activation::Silu => {
                // d/dz z·σ(z) = σ(z)·(1 + z·(1 − σ(z)))
                let s = sigmoid(z);
                s * (T::one() + z * (T::one() - s))
            }
            Activation::Relu => {
                if z > T::zero() {
                    T::one()
                } else {
                    T::zero()
                }
            }
        }
    }

    /// Parses "silu" or "relu".
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "silu" => Some(Activation::Silu),
            "relu" => Some(Activation::Relu),
            _ => None,
        }
    }
}

/// The logistic function 1 / (1 + e^−z): exact in f64, a fast vectorisable approximation in
/// f32 (relative error below 1e-6, see `fastmath`).
#[inline]
pub fn sigmoid<T: Real>(z: T) -> T {
    z.sigmoid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_central_differences() {
        for act in [Activation::Silu, Activation::Relu] {
            for &z in &[-3.0f64, -0.7, -0.01, 0.02, 0.5, 2.0, 8.0] {
                let h = 1e-6;
                let numeric = (act.value(z + h) - act.value(z - h)) / (2.0 * h);
                assert!((numeric - act.grad(z)).abs() < 1e-8, "{act:?} at {z}");
            }
        }
    }

    #[test]
    fn sigmoid_is_stable_at_extremes() {
        assert_eq!(sigmoid(-1000.0f64), 0.0);
        assert_eq!(sigmoid(1000.0f64), 1.0);
        assert!(Activation::Silu.value(-1000.0f32).is_finite());
    }
}
