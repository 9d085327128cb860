//! A fast f32 exponential for the SiLU activation: branch-free, so loops over activations
//! vectorise (the standard library's expf is a scalar call, and on wasm a software routine).
//!
//! exp(x) = 2^n · e^r with n = round(x/ln 2) and |r| ≤ ln2/2; e^r by its degree-6 Taylor
//! polynomial (error below 2e-7 on that interval); 2^n built in the exponent bits. Inputs are
//! clamped to [−87, 88], where the result stays a normal float.

/// e^x, relative error below 1e-6 for x in [−87, 88] (clamped outside).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // rounding to the nearest integer by adding and removing 1.5·2^23 (no libm call, so the
    // loops around this function vectorise)
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    // r = x − n·ln 2 in two parts, to keep r's low bits
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // n is in [−126, 127] after the clamp, so the add never wraps; written as wrapping_add so that
    // checked builds (the suite profile's overflow checks) have no panic branch here, which kept
    // every loop around this function from vectorising (the suite's quality bar and answers ran
    // 1.5× slower)
    let bits = ((n as i32).wrapping_add(127) as u32) << 23;
    p * f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_standard_exp() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x <= 88.0 {
            let (got, want) = (super::exp(x) as f64, (x as f64).exp());
            worst = worst.max(((got - want) / want).abs());
            x += 0.0137;
        }
        assert!(worst < 1e-6, "worst relative error {worst:e}");
        assert_eq!(super::exp(-1000.0), super::exp(-87.0));
        assert!(super::exp(1000.0).is_finite());
        assert_eq!(super::exp(0.0), 1.0);
    }
}
