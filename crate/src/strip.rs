//! Probability-path strips that follow the sampler between its recorded steps: the density of a
//! recorded flow along one direction, at evenly spaced times, each particle placed on the straight
//! line between the two recorded steps around that time (an Euler step moves it on exactly that
//! line), so a run of a few steps draws a continuous path instead of a staircase.

use ndarray::ArrayView3;

/// Fills `grid` with a `bins` × `cols` strip (row-major, row 0 at `lo`, as
/// [`crate::render::Image::density`] takes it) of the trajectory `traj` (frames, n, 2) projected
/// on the unit direction `u` over [`lo`, `hi`]: column c is at fractional frame
/// s = c·(frames − 1)/(cols − 1), each particle at (1 − f)·x_k + f·x_(k+1) with k = ⌊s⌋, f = s − k.
/// Only columns with s ≤ `done` − 1 (frames recorded so far) are filled; the others stay zero.
/// Each column is smoothed along the axis by a box of `blur` bins applied twice, then scaled to
/// peak 1. `scratch` holds the projected frames and one column; both buffers are resized here (no
/// allocation once they are large enough).
#[allow(clippy::too_many_arguments)]
pub fn path_density(
    traj: ArrayView3<f32>,
    done: usize,
    u: [f32; 2],
    lo: f32,
    hi: f32,
    bins: usize,
    cols: usize,
    blur: usize,
    grid: &mut Vec<f32>,
    scratch: &mut Vec<f32>,
) {
    let frames = traj.shape()[0];
    let n = traj.shape()[1];
    grid.clear();
    grid.resize(bins * cols, 0.0);
    if frames == 0 || done == 0 || bins == 0 || cols == 0 {
        return;
    }
    let done = done.min(frames);
    // u·x of every particle at every recorded frame (done × n), then one column (bins)
    scratch.clear();
    scratch.resize(done * n + bins, 0.0);
    let (proj, column) = scratch.split_at_mut(done * n);
    for (k, frame) in traj.outer_iter().take(done).enumerate() {
        for (out, p) in proj[k * n..(k + 1) * n].iter_mut().zip(frame.rows()) {
            *out = u[0] * p[0] + u[1] * p[1];
        }
    }
    let last = (done - 1) as f32;
    for c in 0..cols {
        let s = if cols > 1 { c as f32 * (frames - 1) as f32 / (cols - 1) as f32 } else { 0.0 };
        if s > last + 1e-4 {
            break;
        }
        let k = (s.floor() as usize).min(frames.saturating_sub(2)).min(done - 1);
        let f = if frames > 1 { s - k as f32 } else { 0.0 };
        let (a, b) = (&proj[k * n..(k + 1) * n], &proj[(k + 1).min(done - 1) * n..]);
        for (&pa, &pb) in a.iter().zip(&b[..n]) {
            let v = (1.0 - f) * pa + f * pb;
            let j = (v - lo) / (hi - lo) * bins as f32;
            if j >= 0.0 && (j as usize) < bins {
                grid[j as usize * cols + c] += 1.0;
            }
        }
        for _ in 0..2 {
            for (j, out) in column.iter_mut().enumerate() {
                let (a, b) = (j.saturating_sub(blur), (j + blur).min(bins - 1));
                let sum: f32 = (a..=b).map(|jj| grid[jj * cols + c]).sum();
                *out = sum / (b - a + 1) as f32;
            }
            for (j, &v) in column.iter().enumerate() {
                grid[j * cols + c] = v;
            }
        }
        let peak = (0..bins).map(|j| grid[j * cols + c]).fold(0.0, f32::max);
        if peak > 0.0 {
            (0..bins).for_each(|j| grid[j * cols + c] /= peak);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::projection_over_time;
    use ndarray::Array3;

    #[test]
    fn a_particle_moves_on_the_line_between_its_steps() {
        // one particle from u·x = −0.75 (frame 0) to +0.75 (frame 1); five columns at
        // s = 0, ¼, ½, ¾, 1 land at −0.75, −0.375, 0, 0.375, 0.75: bins 0, 1, 2, 2, 3 of four
        // over [−1, 1] (the steps alone would give only bins 0 and 3)
        let traj = Array3::from_shape_vec((2, 1, 2), vec![-0.75f32, 0.0, 0.75, 0.0]).unwrap();
        let (mut g, mut s) = (Vec::new(), Vec::new());
        path_density(traj.view(), 2, [1.0, 0.0], -1.0, 1.0, 4, 5, 0, &mut g, &mut s);
        let cell = |j: usize, c: usize| g[j * 5 + c];
        for (c, j) in [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3)] {
            assert_eq!(cell(j, c), 1.0, "column {c} in bin {j}");
            assert_eq!((0..4).map(|jj| cell(jj, c)).sum::<f32>(), 1.0, "column {c} holds one particle");
        }
    }

    #[test]
    fn columns_past_the_steps_done_stay_empty() {
        // three frames, two recorded: columns at s = 0, ½, 1 are filled, 1½ and 2 are not
        let traj = Array3::from_shape_vec((3, 1, 2), vec![0.0f32, 0.0, 0.2, 0.0, 0.0, 0.0]).unwrap();
        let (mut g, mut s) = (Vec::new(), Vec::new());
        path_density(traj.view(), 2, [1.0, 0.0], -1.0, 1.0, 4, 5, 1, &mut g, &mut s);
        let column = |c: usize| (0..4).map(|j| g[j * 5 + c]).sum::<f32>();
        assert!((0..3).all(|c| column(c) > 0.0));
        assert_eq!((column(3), column(4)), (0.0, 0.0));
    }

    #[test]
    fn at_the_recorded_steps_it_is_the_step_by_step_strip() {
        // one column per frame: exactly what `projection_over_time` computes from the frames
        let (frames, n) = (6, 50);
        let traj = Array3::from_shape_fn((frames, n, 2), |(k, i, d)| {
            let x = ((i * 37 + k * 11 + d * 5) % 23) as f32 / 23.0 * 4.0 - 2.0;
            x * (1.0 + 0.1 * k as f32)
        });
        let u = [0.6f32, 0.8];
        let (mut g, mut s, mut want) = (Vec::new(), Vec::new(), Vec::new());
        path_density(traj.view(), frames, u, -3.0, 3.0, 16, frames, 2, &mut g, &mut s);
        projection_over_time(traj.view(), u, -3.0, 3.0, 16, 2, &mut want);
        assert_eq!(g.len(), want.len());
        for (a, b) in g.iter().zip(&want) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }
}
