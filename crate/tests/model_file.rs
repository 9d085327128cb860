//! The model file: exact round trips, and a clear error naming the problem for every kind of
//! damage (never a panic).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use cfg_playground::datasets::Dataset;
use cfg_playground::descent::TrainConfig;
use cfg_playground::flow::Trainer;
use cfg_playground::mlp::MlpConfig;
use cfg_playground::model_file::{Dtype, ModelFile};
use serde_json::{json, Value};

fn model() -> ModelFile {
    let d = Dataset::by_name("face").unwrap();
    let arch = MlpConfig::velocity(3, 12, 2);
    let cfg = TrainConfig { steps: 10, batch: 32, seed: 4, ..TrainConfig::default() };
    let mut tr = Trainer::new(d, arch, cfg.clone()).unwrap();
    tr.train(10);
    ModelFile {
        final_loss: Some(tr.last_loss()),
        steps_done: tr.steps_done(),
        dataset: tr.dataset,
        model: tr.model,
        training: cfg,
    }
}

fn value() -> Value {
    serde_json::from_str(&model().to_json(Dtype::F32)).unwrap()
}

fn error_of(v: &Value) -> String {
    ModelFile::from_json(v.to_string().as_bytes()).unwrap_err().to_string()
}

fn expect(v: Value, needle: &str) {
    let e = error_of(&v);
    assert!(e.contains(needle), "expected '{needle}' in: {e}");
    assert!(e.starts_with("bad model file: "), "{e}");
}

#[test]
fn f32_round_trip_is_exact() {
    let m = model();
    let text = m.to_json(Dtype::F32);
    let back = ModelFile::from_json(text.as_bytes()).unwrap();
    assert_eq!(back.model.params, m.model.params);
    assert_eq!(back.model.config(), m.model.config());
    assert_eq!(back.training, m.training);
    assert_eq!(back.steps_done, 10);
    assert_eq!(back.dataset.name, "face");
    // and writing it again gives the same text
    assert_eq!(back_json(&back), text);
}

fn back_json(m: &ModelFile) -> String {
    m.to_json(Dtype::F32)
}

#[test]
fn f16_round_trip_is_close_and_half_the_size() {
    let m = model();
    let (a, b) = (m.to_json(Dtype::F32), m.to_json(Dtype::F16));
    assert!(b.len() < a.len() * 2 / 3, "{} vs {}", b.len(), a.len());
    let back = ModelFile::from_json(b.as_bytes()).unwrap();
    for (x, y) in back.model.params.iter().zip(&m.model.params) {
        assert!((x - y).abs() <= 1e-3 * y.abs().max(1e-2), "{x} vs {y}");
    }
}

#[test]
fn the_format_is_documented_json() {
    let v = value();
    assert_eq!(v["format"], "cfg-playground-model");
    assert_eq!(v["version"], 1);
    assert_eq!(v["classes"], json!(["left-eye", "right-eye", "mouth"]));
    assert_eq!(v["architecture"]["width"], 12);
    let t = &v["tensors"][0];
    assert_eq!(t["name"], "class_table");
    assert_eq!(t["shape"], json!([4, 8]));
    assert_eq!(t["dtype"], "f32");
    // base64 of little-endian f32
    let bytes = STANDARD.decode(t["data"].as_str().unwrap()).unwrap();
    let first = f32::from_le_bytes(bytes[..4].try_into().unwrap());
    assert_eq!(first, model().model.params[0]);
}

#[test]
fn empty_truncated_and_non_json_files() {
    let text = model().to_json(Dtype::F32);
    let e = |b: &[u8]| ModelFile::from_json(b).unwrap_err().to_string();
    assert!(e(b"").contains("empty"));
    assert!(e(b"  \n").contains("empty"));
    assert!(e(&text.as_bytes()[..text.len() / 2]).contains("truncated"));
    assert!(e(b"hello").contains("not valid JSON"));
    assert!(e(b"[1, 2]").contains("not a cfg-playground model"));
    assert!(e(&vec![b' '; 40 << 20]).contains("larger than"));
}

#[test]
fn wrong_format_and_version() {
    let mut v = value();
    v["format"] = json!("onnx");
    expect(v, "format is 'onnx'");
    let mut v = value();
    v["version"] = json!(2);
    expect(v, "version 2 is not supported");
    let mut v = value();
    v["version"] = json!("one");
    expect(v, "version field is missing");
}

#[test]
fn missing_and_mistyped_fields_are_named() {
    let mut v = value();
    v.as_object_mut().unwrap().remove("architecture");
    expect(v, "missing field `architecture`");
    let mut v = value();
    v["architecture"]["width"] = json!("wide");
    expect(v, "field 'architecture.width'");
    let mut v = value();
    v["architecture"]["activation"] = json!("tanh");
    expect(v, "field 'architecture.activation'");
    let mut v = value();
    v["tensors"][2]["dtype"] = json!("f64");
    expect(v, "field 'tensors[2].dtype'");
    let mut v = value();
    v["training"]["lr"] = json!(-1.0);
    expect(v, "training: lr must be between");
}

#[test]
fn architecture_limits_are_checked_before_allocating() {
    let mut v = value();
    v["architecture"]["width"] = json!(1_000_000_000u64);
    expect(v, "architecture: width must be between 1 and 512");
    let mut v = value();
    v["architecture"]["depth"] = json!(0);
    expect(v, "architecture: depth must be between 1 and 8");
}

#[test]
fn data_set_and_classes_must_match() {
    let mut v = value();
    v["dataset"] = json!("faces");
    expect(v, "dataset: unknown data set 'faces'");
    let mut v = value();
    v["classes"] = json!(["a", "b", "c"]);
    expect(v, "do not match data set 'face'");
    let mut v = value();
    v["dataset"] = json!("two-moons");
    expect(v, "do not match data set 'two-moons'");
}

#[test]
fn tensor_damage_is_named() {
    let mut v = value();
    v["tensors"][1]["shape"] = json!([19, 13]);
    expect(v, "tensor 'hidden0.weight' has shape [19, 13], expected [19, 12]");
    let mut v = value();
    let s = v["tensors"][2]["data"].as_str().unwrap().to_string();
    v["tensors"][2]["data"] = json!(&s[..s.len() - 8]);
    expect(v, "tensor 'hidden0.bias' data is 56 base64 characters, expected 64 (12 f32 values)");
    let mut v = value();
    v["tensors"][2]["data"] = json!("!".repeat(64));
    expect(v, "tensor 'hidden0.bias' data is not valid base64");
    let mut v = value();
    let mut vals = [0.5f32; 12];
    vals[7] = f32::NAN;
    let bytes: Vec<u8> = vals.iter().flat_map(|x| x.to_le_bytes()).collect();
    v["tensors"][2]["data"] = json!(STANDARD.encode(bytes));
    expect(v, "tensor 'hidden0.bias' value 7 is not finite");
    let mut v = value();
    v["tensors"][2]["name"] = json!("hidden9.bias");
    expect(v, "unexpected tensor 'hidden9.bias'");
    let mut v = value();
    v["tensors"][2] = v["tensors"][4].clone();
    expect(v, "appears twice");
    let mut v = value();
    v["tensors"].as_array_mut().unwrap().pop();
    expect(v, "tensors, but this architecture has");
}

#[test]
fn drawn_data_sets_travel_in_the_file() {
    let pts = |c: f64| (0..20).map(|i| [c + 0.01 * i as f64, c - 0.02 * i as f64]).collect::<Vec<_>>();
    let d = Dataset::custom(vec![("ring".into(), pts(-1.0)), ("dot".into(), pts(1.0))], 0.06).unwrap();
    let arch = MlpConfig::velocity(2, 8, 1);
    let cfg = TrainConfig { steps: 5, batch: 16, ..TrainConfig::default() };
    let mut tr = Trainer::new(d, arch, cfg.clone()).unwrap();
    tr.train(5);
    let m =
        ModelFile { dataset: tr.dataset, model: tr.model, training: cfg, steps_done: 5, final_loss: None };
    let text = m.to_json(Dtype::F32);
    let back = ModelFile::from_json(text.as_bytes()).unwrap();
    assert_eq!(back.dataset, m.dataset);
    assert_eq!(back.model.params, m.model.params);
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("drawn");
    expect(v, "no drawn points");
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["drawn"]["classes"][0]["points"] = json!([[0.0, 0.0]]);
    expect(v, "drawn: class 'ring' has 1 points; draw at least 3");
}

#[test]
fn drawn_data_sets_are_checked() {
    let ok = vec![[0.0, 0.0]; 5];
    let e = |c: Vec<(String, Vec<[f64; 2]>)>| Dataset::custom(c, 0.05).unwrap_err().to_string();
    assert!(e(vec![]).contains("1 to 8 classes"));
    assert!(e(vec![("a".into(), vec![])]).contains("has 0 points"));
    assert!(e(vec![("a".into(), vec![[0.0, 0.0]])]).contains("has 1 points"));
    assert!(e(vec![("null".into(), ok.clone())]).contains("not allowed"));
    assert!(e(vec![("a".into(), ok.clone()), ("a".into(), ok.clone())]).contains("appears twice"));
    assert!(e(vec![("a".into(), vec![[f64::NAN, 0.0]; 3])]).contains("outside"));
    assert!(e(vec![("a".into(), vec![[9.0, 0.0]; 3])]).contains("outside"));
    assert!(e(vec![("a".into(), vec![[0.0, 0.0]; 5000])]).contains("more than"));
    let d =
        Dataset::custom(vec![("a".into(), ok.clone()), ("b".into(), vec![[1.0, 1.0]; 15])], 0.05).unwrap();
    let w = d.mixture().class_weights();
    assert!((w[0] - 0.25).abs() < 1e-12 && (w[1] - 0.75).abs() < 1e-12, "{w:?}");
}

#[test]
fn dtype_names_parse_back_and_others_are_named_in_the_error() {
    for d in [Dtype::F32, Dtype::F16] {
        assert_eq!(Dtype::parse(d.name()).unwrap(), d);
    }
    for bad in ["f64", "F32", "", "bf16"] {
        let e = Dtype::parse(bad).unwrap_err().to_string();
        assert!(e.contains("f32 or f16") && e.contains(&format!("'{bad}'")), "{e}");
    }
}
