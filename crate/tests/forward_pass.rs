//! Inside the network (`activations.rs`, the forward-pass figure): the last layer of a probe is the
//! model's velocity, the CFG batch's two rows are v_c and v_u, the input layer is the assembled
//! input, and a unit's map over the grid agrees with single probes at its points.

use std::path::PathBuf;

use cfg_playground::activation::Activation;
use cfg_playground::activations::{input_labels, layer_sizes, unit_weights, Probe};
use cfg_playground::field::{Guidance, NetScratch, NetworkField, VelocityField};
use cfg_playground::mlp::{Mlp, MlpConfig};
use cfg_playground::model_file::ModelFile;
use cfg_playground::rng;
use ndarray::Array2;

/// The shipped face model (width 64, depth 3) and a random residual ReLU network.
fn models() -> Vec<Mlp<f32>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../www/models/face.json");
    let face = ModelFile::from_json(&std::fs::read(&path).unwrap()).unwrap().model;
    let mut config = MlpConfig::velocity(3, 16, 2);
    config.residual = true;
    config.activation = Activation::Relu;
    vec![face, Mlp::new(config, &mut rng::seeded(5, 0)).unwrap()]
}

fn velocity(model: &Mlp<f32>, x: [f32; 2], t: f32, label: u32, g: Guidance) -> [f32; 2] {
    let mut scratch = NetScratch::new(model, 16);
    let labels = [label];
    let mut field = NetworkField { model, scratch: &mut scratch, labels: &labels, guidance: g, extra: &[] };
    let xs = Array2::from_shape_vec((1, 2), x.to_vec()).unwrap();
    let mut v = Array2::zeros((1, 2));
    field.eval(xs.view(), t, v.view_mut());
    [v[[0, 0]], v[[0, 1]]]
}

fn close(a: &[f32], b: &[f32], what: &str) {
    for (p, q) in a.iter().zip(b) {
        assert!((p - q).abs() <= 1e-6 * (1.0 + q.abs()), "{what}: {a:?} vs {b:?}");
    }
}

#[test]
fn the_last_layer_is_the_models_velocity_and_the_rows_of_a_cfg_batch_are_v_c_and_v_u() {
    for model in models() {
        let c = model.config().clone();
        let sizes = layer_sizes(&c);
        assert_eq!(
            sizes,
            [c.input().d_in()].into_iter().chain(vec![c.width; c.depth]).chain([2]).collect::<Vec<_>>()
        );
        let per_row: usize = sizes.iter().sum();
        let null = c.null_label();
        let mut probe = Probe::new(&model);
        assert_eq!(probe.per_row(), per_row);
        for (x, t, label) in
            [([0.3f32, -1.2f32], 0.25f32, 0u32), ([-2.0, 1.5], 0.9, 2), ([0.0, 0.0], 0.0, null)]
        {
            let values = probe.layers(&model, x, t, &[label, null]).unwrap().to_vec();
            assert_eq!(values.len(), 2 * per_row);
            let v_c = velocity(&model, x, t, label, Guidance::Conditional);
            let v_u = velocity(&model, x, t, label, Guidance::Unconditional);
            close(&values[per_row - 2..per_row], &v_c, "conditional row");
            close(&values[2 * per_row - 2..], &v_u, "null row");
            // the input layer: x, y, then t
            assert_eq!(&values[..3], &[x[0], x[1], t]);
            // one row alone gives the same numbers as in the batch
            let alone = probe.layers(&model, x, t, &[label]).unwrap();
            close(alone, &values[..per_row], "a row alone");
            let w = 3.0;
            let v_cfg = velocity(&model, x, t, label, Guidance::Cfg(w));
            let batch = probe.cfg_batch(&model, x, t, label, w).unwrap();
            assert_eq!(&batch[..2 * per_row], &values[..]);
            close(&batch[2 * per_row..], &v_cfg, "v_cfg");
        }
    }
}

#[test]
fn a_units_map_agrees_with_probes_at_its_grid_points() {
    for model in models() {
        let c = model.config().clone();
        let sizes = layer_sizes(&c);
        let mut probe = Probe::new(&model);
        let (n, extent, t, label) = (8usize, 3.0f32, 0.4f32, 1u32);
        for (layer, unit) in [(0, 0), (0, 1), (0, 3), (1, 5), (c.depth, c.width - 1), (c.depth + 1, 1)] {
            let map = probe.unit_map(&model, layer, unit, t, label, n, extent).unwrap().to_vec();
            assert_eq!(map.len(), n * n);
            let offset: usize = sizes[..layer].iter().sum::<usize>() + unit;
            // top-left cell, a middle one and the bottom-right cell
            for (i, j) in [(0, 0), (3, 5), (n - 1, n - 1)] {
                let cell = 2.0 * extent / n as f32;
                let x = [-extent + (j as f32 + 0.5) * cell, extent - (i as f32 + 0.5) * cell];
                let one = probe.layers(&model, x, t, &[label]).unwrap()[offset];
                close(&[map[i * n + j]], &[one], &format!("layer {layer} unit {unit} at ({i}, {j})"));
            }
        }
        // the input x over the grid is the cell centre's x
        let xs = probe.unit_map(&model, 0, 0, t, label, n, extent).unwrap();
        assert!((xs[0] + extent - extent / n as f32).abs() < 1e-6);
    }
}

#[test]
fn bad_requests_are_errors_naming_the_argument() {
    let model = models().remove(0);
    let c = model.config().clone();
    let mut probe = Probe::new(&model);
    let err = |r: cfg_playground::Result<&[f32]>| r.unwrap_err().to_string();
    assert!(err(probe.layers(&model, [0.0, 0.0], 0.5, &[])).contains("labels"));
    assert!(err(probe.layers(&model, [0.0, 0.0], 0.5, &[0, 0, 0])).contains("labels"));
    assert!(err(probe.layers(&model, [0.0, 0.0], 0.5, &[99])).contains("label 99"));
    assert!(err(probe.unit_map(&model, c.depth + 2, 0, 0.5, 0, 8, 3.0)).contains("layer"));
    assert!(err(probe.unit_map(&model, 1, c.width, 0.5, 0, 8, 3.0)).contains("unit"));
    assert!(err(probe.unit_map(&model, 1, 0, 0.5, 0, 1000, 3.0)).contains("grid side"));
    assert!(err(probe.unit_map(&model, 1, 0, 0.5, 0, 8, f32::NAN)).contains("extent"));
    let other = Mlp::<f32>::new(MlpConfig::velocity(3, 8, 1), &mut rng::seeded(1, 0)).unwrap();
    assert!(err(probe.layers(&other, [0.0, 0.0], 0.5, &[0])).contains("architecture"));
}

#[test]
fn input_columns_are_named_in_order() {
    let c = MlpConfig::velocity(3, 64, 3);
    let names = input_labels(&c);
    assert_eq!(names.len(), c.input().d_in());
    assert_eq!(&names[..5], &["x", "y", "t", "sin πt", "cos πt"]);
    assert_eq!(names[5], "sin 2πt");
    assert_eq!(names[c.input().class_col()], "c1");
    assert_eq!(names.last().unwrap(), &format!("c{}", c.class_dim));
}

#[test]
fn a_units_weights_and_bias_give_its_activation_from_the_layer_before() {
    // the shipped model: not residual, so h = f(w·h_before + b) exactly
    let model = models().remove(0);
    let c = model.config().clone();
    let sizes = layer_sizes(&c);
    let mut probe = Probe::new(&model);
    let values = probe.layers(&model, [0.7, -0.4], 0.6, &[1]).unwrap().to_vec();
    let start = |l: usize| sizes[..l].iter().sum::<usize>();
    for (layer, unit) in [(1, 0), (2, 17), (c.depth, 63), (c.depth + 1, 1)] {
        let (w, b) = unit_weights(&model, layer, unit).unwrap();
        assert_eq!(w.len(), sizes[layer - 1]);
        let below = &values[start(layer - 1)..start(layer)];
        let z = w.iter().zip(below).map(|(w, h)| w * h).sum::<f32>() + b.unwrap();
        let a = if layer <= c.depth { c.activation.value(z) } else { z };
        let got = values[start(layer) + unit];
        assert!((a - got).abs() < 1e-4 * (1.0 + got.abs()), "layer {layer} unit {unit}: {a} vs {got}");
    }
    // an input's edges go out to the first hidden layer
    let (w, b) = unit_weights(&model, 0, 2).unwrap();
    assert_eq!((w.len(), b), (c.width, None));
    assert!(unit_weights(&model, c.depth + 2, 0).unwrap_err().to_string().contains("layer"));
    assert!(unit_weights(&model, 1, c.width).unwrap_err().to_string().contains("unit"));
}
