//! Inside the network, for the forward-pass figure (the post's Figs 2(a) and 3(a)): every layer's
//! activations for one input, and one unit's activation over a grid of the plane.
//!
//! The layers, in order: 0 is the input row (x, y, the Fourier features of t, the class
//! embedding, any extra condition: [`crate::input`]), 1..=depth the hidden layers after their
//! activation (residual sum included), depth + 1 the output (the velocity, for a velocity model).
//! Everything runs through [`Mlp::forward`] on a [`Mlp::recording_workspace`], so the last layer
//! is the model's output itself.

use ndarray::{s, Array2};

use crate::caps::MAX_MAP_SIDE;
use crate::error::Result;
use crate::input::D_X;
use crate::invalid;
use crate::mlp::{Mlp, MlpConfig, Workspace};

/// Rows one [`Probe::layers`] call runs together (a CFG batch: the conditional and the null row).
pub const MAX_ROWS: usize = 2;

/// The widths of the layers: the input, each hidden layer, the output.
pub fn layer_sizes(c: &MlpConfig) -> Vec<usize> {
    let mut out = vec![c.input().d_in()];
    out.extend(std::iter::repeat_n(c.width, c.depth));
    out.push(c.d_out);
    out
}

/// A short name for each input column: x, y; t and its Fourier features (sin πt, cos πt,
/// sin 2πt, ...); the class embedding's columns (c1, c2, ...); each extra condition (e1, ...)
/// and its features.
pub fn input_labels(c: &MlpConfig) -> Vec<String> {
    let scalar = |name: &str, out: &mut Vec<String>| {
        out.push(name.to_string());
        for k in 0..c.time_freqs {
            let f = if k == 0 { String::new() } else { (1u32 << k).to_string() };
            out.push(format!("sin {f}π{name}"));
            out.push(format!("cos {f}π{name}"));
        }
    };
    let mut out = vec!["x".to_string(), "y".to_string()];
    scalar("t", &mut out);
    out.extend((1..=c.class_dim).map(|k| format!("c{k}")));
    for j in 1..=c.n_extra {
        scalar(&format!("e{j}"), &mut out);
    }
    out
}

/// The weights on the edges the figure draws for unit `unit` of layer `layer` (numbered as in
/// [`layer_sizes`]): for a hidden or output unit, the weights into it from each unit of the layer
/// before, and its bias; for an input, the weights from it into each unit of the first hidden
/// layer, and no bias. Not for a hot path (it allocates the result).
pub fn unit_weights(model: &Mlp<f32>, layer: usize, unit: usize) -> Result<(Vec<f32>, Option<f32>)> {
    let c = model.config();
    let size = layer_size(c, layer)?;
    if unit >= size {
        return Err(invalid!("layer {layer} has {size} units, got unit {unit}"));
    }
    let tensor = |name: &str| model.layout().find(name).expect("every layer has its tensors");
    let params = &model.params;
    if layer == 0 {
        return Ok((tensor("hidden0.weight").mat(params).row(unit).to_vec(), None));
    }
    let (w, b) = if layer <= c.depth {
        (format!("hidden{}.weight", layer - 1), format!("hidden{}.bias", layer - 1))
    } else {
        ("out.weight".to_string(), "out.bias".to_string())
    };
    Ok((tensor(&w).mat(params).column(unit).to_vec(), Some(tensor(&b).slice(params)[unit])))
}

/// The width of layer `layer` (numbered as in [`layer_sizes`]), or an error past the output.
fn layer_size(c: &MlpConfig, layer: usize) -> Result<usize> {
    match layer {
        0 => Ok(c.input().d_in()),
        l if l <= c.depth => Ok(c.width),
        l if l == c.depth + 1 => Ok(c.d_out),
        _ => Err(invalid!("layer must be below {}, got {layer}", c.depth + 2)),
    }
}

/// Buffers for looking inside one network, sized once (a grid's when its side first changes).
#[derive(Clone, Debug)]
pub struct Probe {
    config: MlpConfig,
    ws: Workspace<f32>,
    x: Array2<f32>,
    /// zeros: the extra conditions of a network that takes them (a student's w)
    extra: Vec<f32>,
    values: Vec<f32>,
    grid: Option<(usize, Workspace<f32>, Array2<f32>)>,
    map: Vec<f32>,
}

impl Probe {
    /// Buffers for `model`.
    pub fn new(model: &Mlp<f32>) -> Self {
        let config = model.config().clone();
        let per_row = config.input().d_in() + config.depth * config.width + config.d_out;
        Probe {
            ws: model.recording_workspace(MAX_ROWS),
            x: Array2::zeros((MAX_ROWS, D_X)),
            extra: vec![0.0; config.n_extra],
            values: Vec::with_capacity(MAX_ROWS * per_row + config.d_out),
            grid: None,
            map: Vec::with_capacity(MAX_MAP_SIDE * MAX_MAP_SIDE),
            config,
        }
    }

    /// Values per row of [`Probe::layers`]: the sum of [`layer_sizes`].
    pub fn per_row(&self) -> usize {
        let c = &self.config;
        c.input().d_in() + c.depth * c.width + c.d_out
    }

    /// Runs the point `x` at time `t` once per label of `labels` (one, or two as a CFG batch: the
    /// conditional row and the null row, in one forward pass) and returns every layer of every
    /// row: row after row, each the layers of [`layer_sizes`] one after another.
    pub fn layers(&mut self, model: &Mlp<f32>, x: [f32; 2], t: f32, labels: &[u32]) -> Result<&[f32]> {
        self.check(model)?;
        let rows = labels.len();
        if rows == 0 || rows > MAX_ROWS {
            return Err(invalid!("one or {MAX_ROWS} labels, got {rows}"));
        }
        self.check_labels(labels)?;
        for r in 0..rows {
            self.x[[r, 0]] = x[0];
            self.x[[r, 1]] = x[1];
        }
        let t = [t];
        model.forward(&mut self.ws, self.x.slice(s![..rows, ..]), &t, labels, &self.extra);
        self.values.clear();
        for r in 0..rows {
            self.values.extend(self.ws.input().row(r).iter());
            for l in 0..self.config.depth {
                self.values.extend(self.ws.hidden(l).expect("a recording workspace").row(r).iter());
            }
            self.values.extend(self.ws.output().row(r).iter());
        }
        Ok(&self.values)
    }

    /// [`Probe::layers`] on a CFG batch, the row of `label` then the null row, followed by the
    /// guided output (1 − w)·out_u + w·out_c = v_u + w·(v_c − v_u) (d_out values), mixed as
    /// `crate::field::Guidance::mix` mixes it.
    pub fn cfg_batch(&mut self, model: &Mlp<f32>, x: [f32; 2], t: f32, label: u32, w: f32) -> Result<&[f32]> {
        let per_row = self.per_row();
        let d_out = self.config.d_out;
        self.layers(model, x, t, &[label, self.config.null_label()])?;
        for j in 0..d_out {
            let (c, u) = (self.values[per_row - d_out + j], self.values[2 * per_row - d_out + j]);
            self.values.push((1.0 - w) * u + w * c);
        }
        Ok(&self.values)
    }

    /// Unit `unit` of layer `layer` (0 the input, 1..=depth the hidden layers, depth + 1 the
    /// output) at time `t` for `label`, on an n × n grid of cell centres over
    /// [−extent, extent]²: row-major from the top-left (the first row is the top, y near
    /// +extent; each row runs from x near −extent), as an image is laid out.
    #[allow(clippy::too_many_arguments)]
    pub fn unit_map(
        &mut self,
        model: &Mlp<f32>,
        layer: usize,
        unit: usize,
        t: f32,
        label: u32,
        n: usize,
        extent: f32,
    ) -> Result<&[f32]> {
        self.check(model)?;
        let size = layer_size(&self.config, layer)?;
        if unit >= size {
            return Err(invalid!("layer {layer} has {size} units, got unit {unit}"));
        }
        if !(2..=MAX_MAP_SIDE).contains(&n) {
            return Err(invalid!("the grid side must be between 2 and {MAX_MAP_SIDE}, got {n}"));
        }
        if !(extent.is_finite() && extent > 0.0) {
            return Err(invalid!("extent must be a positive number, got {extent}"));
        }
        self.check_labels(&[label])?;
        let Probe { config, extra, grid, map, .. } = self;
        if grid.as_ref().is_none_or(|(side, ..)| *side != n) {
            *grid = Some((n, model.recording_workspace(n * n), Array2::zeros((n * n, D_X))));
        }
        let (_, ws, x) = grid.as_mut().expect("just made");
        let cell = 2.0 * extent / n as f32;
        for i in 0..n {
            for j in 0..n {
                let mut p = x.row_mut(i * n + j);
                p[0] = -extent + (j as f32 + 0.5) * cell;
                p[1] = extent - (i as f32 + 0.5) * cell;
            }
        }
        model.forward(ws, x.view(), &[t], &[label], extra);
        let values = match layer {
            0 => ws.input(),
            l if l <= config.depth => ws.hidden(l - 1).expect("a recording workspace"),
            _ => ws.output(),
        };
        map.clear();
        map.extend(values.column(unit).iter());
        Ok(&self.map)
    }

    fn check(&self, model: &Mlp<f32>) -> Result<()> {
        if model.config() != &self.config {
            return Err(invalid!("this probe was made for a network of another architecture"));
        }
        Ok(())
    }

    fn check_labels(&self, labels: &[u32]) -> Result<()> {
        let null = self.config.null_label();
        match labels.iter().find(|&&y| y > null) {
            Some(y) => Err(invalid!("label {y} out of range (the null label is {null})")),
            None => Ok(()),
        }
    }
}
