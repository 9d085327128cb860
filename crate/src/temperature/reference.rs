//! Distances to an exact grid density, as the temperature figures measure them: n exact reference
//! samples drawn once (the `EVAL_REF` stream of a seed), the sliced W2 of any n points to them
//! (projections from the seed's `PROJECTIONS` stream), and the noise floor: the same distance for
//! an independent exact sample set of the same size (seed + 1). The page computes the reference
//! and the floor in a worker and the distances of its flows on the main thread; both halves are
//! these functions, so the numbers are those of one computation.

use ndarray::{Array2, ArrayView2};

use super::GridDensity;
use crate::metrics::sliced_w2;
use crate::rng::{self, stream};

/// `n` reference samples of `density` for distances measured with `seed`.
pub fn reference(density: &GridDensity, n: usize, seed: u64) -> Array2<f32> {
    density.sample(n, &mut rng::seeded(seed, stream::EVAL_REF))
}

/// Sliced W2 between points `x` and `reference` over `projections` directions drawn with `seed`.
pub fn distance(x: ArrayView2<f32>, reference: ArrayView2<f32>, projections: usize, seed: u64) -> f64 {
    sliced_w2(x, reference, projections, &mut rng::seeded(seed, stream::PROJECTIONS))
}

/// The noise floor of [`distance`] to `reference` (drawn by [`reference`] with `seed`): the
/// distance of an independent exact sample set of `density` of the same size.
pub fn floor(density: &GridDensity, reference: ArrayView2<f32>, projections: usize, seed: u64) -> f64 {
    let other = density.sample(reference.nrows(), &mut rng::seeded(seed.wrapping_add(1), stream::EVAL_REF));
    distance(other.view(), reference, projections, seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::Dataset;
    use crate::temperature::{Grid, Target};

    fn density() -> GridDensity {
        let m = Dataset::by_name("overlapping").unwrap().mixture();
        GridDensity::new(&m, Target::Tilted { class: 0, w: 3.0 }, Grid::square(4.0, 64)).unwrap()
    }

    #[test]
    fn the_floor_is_small_and_a_shifted_set_is_far() {
        let d = density();
        let r = reference(&d, 1000, 7);
        assert_eq!(r.dim(), (1000, 2));
        // a pure function of (density, n, seed)
        assert_eq!(r, reference(&d, 1000, 7));
        assert_ne!(r, reference(&d, 1000, 8));
        assert_eq!(distance(r.view(), r.view(), 64, 7), 0.0);
        let f = floor(&d, r.view(), 64, 7);
        assert!(f > 0.0 && f < 0.1, "floor {f}");
        let shifted = r.mapv(|v| v + 1.0);
        let far = distance(shifted.view(), r.view(), 64, 7);
        assert!(far > 10.0 * f, "{far} vs floor {f}");
    }

    #[test]
    fn the_floor_is_the_distance_of_the_next_seeds_samples() {
        let d = density();
        let r = reference(&d, 500, 3);
        let other = reference(&d, 500, 4);
        assert_eq!(floor(&d, r.view(), 32, 3), distance(other.view(), r.view(), 32, 3));
    }
}
