//! The model file: a versioned JSON document holding a network and how it was made.
//!
//! ```json
//! {
//!   "format": "cfg-playground-model",
//!   "version": 1,
//!   "kind": "classifier",   (optional: "velocity" (the default, not written) or "classifier")
//!   "dataset": "face",
//!   "drawn": { "std": 0.06, "classes": [{ "name": "a", "points": [[0.1, 0.2], ...] }] },  (only for "custom")
//!   "classes": ["left-eye", "right-eye", "mouth"],
//!   "architecture": { "time_freqs": 4, "n_classes": 3, "class_dim": 8, "n_extra": 0,
//!                     "width": 128, "depth": 3, "activation": "silu", "residual": false, "d_out": 2 },
//!   "training": { "steps": 6000, "batch": 512, "lr": 0.002, "schedule": "cosine", "dropout": 0.2,
//!                 "weight_decay": 0.0, "clip_norm": 1.0, "seed": 0 },
//!   "steps_done": 6000,
//!   "final_loss": 1.23,
//!   "tensors": [ { "name": "hidden0.weight", "shape": [19, 128], "dtype": "f32", "data": "<base64>" } ]
//! }
//! ```
//! Tensor data is base64 (standard alphabet, padded) of little-endian values: `f32` (4 bytes) or
//! `f16` (2 bytes, IEEE half precision, for compact shipped models). The tensors are those of the
//! architecture's layout, each exactly once. Loading checks every field and shape before it
//! allocates, and rejects non-finite values; every error names what is wrong.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::caps::MAX_MODEL_FILE_BYTES;
use crate::datasets::{Dataset, CUSTOM};
use crate::descent::TrainConfig;
use crate::document::Document;
use crate::document::Text;
use crate::error::{Error, Result};
use crate::mlp::{Mlp, MlpConfig};

/// The `format` field's value.
pub const FORMAT: &str = "cfg-playground-model";
/// The version this build writes and reads.
pub const VERSION: u64 = 1;

/// How tensor values are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    /// 32-bit floats: exact.
    #[default]
    F32,
    /// 16-bit floats: half the size, about 3 significant digits.
    F16,
}

impl Dtype {
    /// The name used in the file.
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
            Dtype::F16 => "f16",
        }
    }

    /// The dtype named `name` ("f32" or "f16"), or an error naming the accepted values.
    pub fn parse(name: &str) -> Result<Dtype> {
        match name {
            "f32" => Ok(Dtype::F32),
            "f16" => Ok(Dtype::F16),
            _ => Err(crate::invalid!("dtype must be f32 or f16, got '{name}'")),
        }
    }

    fn bytes(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F16 => 2,
        }
    }
}

/// What the network in a file computes. Files without a `kind` field hold a velocity network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// A velocity field (d_out = 2): the flow-matching models, including guidance-distilled ones.
    #[default]
    Velocity,
    /// A time-conditioned classifier p(c | x_t, t): no class input, d_out = n_classes.
    Classifier,
}

impl ModelKind {
    fn is_velocity(&self) -> bool {
        *self == ModelKind::Velocity
    }

    /// The name used in the file.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Velocity => "velocity",
            ModelKind::Classifier => "classifier",
        }
    }

    /// Checks that `arch` fits this kind.
    fn check(self, arch: &MlpConfig) -> std::result::Result<(), String> {
        match self {
            ModelKind::Velocity if arch.d_out != 2 => {
                Err(format!("a velocity network has d_out 2, got {}", arch.d_out))
            }
            ModelKind::Velocity => Ok(()),
            ModelKind::Classifier => {
                crate::classifier::check_classifier_arch(arch, arch.n_classes).map_err(|e| strip(&e))
            }
        }
    }
}

#[derive(Serialize, Deserialize)]
struct TensorEntry {
    name: String,
    shape: Vec<usize>,
    dtype: Dtype,
    data: String,
}

/// A drawn data set, stored in the file (dataset "custom").
#[derive(Serialize, Deserialize)]
struct DrawnData {
    std: f64,
    classes: Vec<DrawnClass>,
}

#[derive(Serialize, Deserialize)]
struct DrawnClass {
    name: String,
    points: Vec<[f64; 2]>,
}

#[derive(Serialize, Deserialize)]
struct FileV1 {
    format: String,
    version: u64,
    /// Absent (velocity) in files written before classifiers existed; written only when not velocity.
    #[serde(default, skip_serializing_if = "ModelKind::is_velocity")]
    kind: ModelKind,
    dataset: String,
    /// The points, when `dataset` is "custom".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    drawn: Option<DrawnData>,
    classes: Vec<String>,
    architecture: MlpConfig,
    training: TrainConfig,
    steps_done: usize,
    final_loss: Option<f32>,
    tensors: Vec<TensorEntry>,
}

/// A loaded model: the network and its provenance.
#[derive(Clone, Debug)]
pub struct ModelFile {
    pub dataset: Dataset,
    pub model: Mlp<f32>,
    pub training: TrainConfig,
    pub steps_done: usize,
    pub final_loss: Option<f32>,
}

impl ModelFile {
    /// A network and its provenance: the one constructor (trainers reach it through
    /// `crate::train::Train::model_file`).
    pub fn new(
        dataset: Dataset,
        model: Mlp<f32>,
        training: TrainConfig,
        steps_done: usize,
        final_loss: Option<f32>,
    ) -> ModelFile {
        ModelFile { dataset, model, training, steps_done, final_loss }
    }

    /// The file as JSON text, tensors stored as `dtype`: a velocity network.
    pub fn to_json(&self, dtype: Dtype) -> String {
        self.to_json_kind(dtype, ModelKind::Velocity)
    }

    /// The file as JSON text, for a network of the given kind (the `kind` field is written for
    /// anything but a velocity network, so velocity files stay as they were).
    pub fn to_json_kind(&self, dtype: Dtype, kind: ModelKind) -> String {
        serde_json::to_string(&self.document(dtype, kind)).expect("model files serialise")
    }

    /// The file's document, as `to_json_kind` writes it, for any serde serializer (the page's
    /// wasm hands it to the browser's `JSON.stringify`).
    pub fn document(&self, dtype: Dtype, kind: ModelKind) -> impl Serialize {
        let layout = self.model.layout();
        let tensors = layout
            .tensors
            .iter()
            .map(|spec| {
                let values = spec.slice(&self.model.params);
                let mut bytes = Vec::with_capacity(values.len() * dtype.bytes());
                for &v in values {
                    match dtype {
                        Dtype::F32 => bytes.extend_from_slice(&v.to_le_bytes()),
                        Dtype::F16 => bytes.extend_from_slice(&half::f16::from_f32(v).to_le_bytes()),
                    }
                }
                TensorEntry {
                    name: spec.name.clone(),
                    shape: spec.shape.clone(),
                    dtype,
                    data: STANDARD.encode(bytes),
                }
            })
            .collect();
        FileV1 {
            format: FORMAT.into(),
            version: VERSION,
            kind,
            dataset: self.dataset.name.clone(),
            drawn: self.dataset.drawn().map(|d| DrawnData {
                std: d.std,
                classes: d.classes.into_iter().map(|(name, points)| DrawnClass { name, points }).collect(),
            }),
            classes: self.dataset.class_names().iter().map(|s| s.to_string()).collect(),
            architecture: self.model.config().clone(),
            training: self.training.clone(),
            steps_done: self.steps_done,
            final_loss: self.final_loss.filter(|l| l.is_finite()),
            tensors,
        }
    }

    /// Parses and checks a model file holding a velocity network (a classifier file is an error).
    pub fn from_json(bytes: &[u8]) -> Result<ModelFile> {
        Self::from_json_as(bytes, ModelKind::Velocity)
    }

    /// Parses and checks a model file holding a network of kind `want` (its `kind` field must match).
    pub fn from_json_as(bytes: &[u8], want: ModelKind) -> Result<ModelFile> {
        Self::of_kind(Self::from_json_any(bytes)?, want)
    }

    /// Parses and checks a model file of any kind; returns it with its kind.
    pub fn from_json_any(bytes: &[u8]) -> Result<(ModelFile, ModelKind)> {
        Self::check_text(bytes)?;
        // a syntax check first (serde_json's Value has a nesting limit; IgnoredAny does not)
        serde_json::from_slice::<serde_json::Value>(bytes).map_err(|e| Self::not_json(e.is_eof(), &e))?;
        Self::from_document_any(&Text(bytes))
    }

    /// The checks on a file's text before it is parsed: its size, and that it is not empty.
    pub fn check_text(bytes: &[u8]) -> Result<()> {
        if bytes.len() > MAX_MODEL_FILE_BYTES {
            return Err(Error::Model(format!(
                "{} bytes is larger than the {MAX_MODEL_FILE_BYTES}-byte limit",
                bytes.len()
            )));
        }
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::Model("the file is empty".into()));
        }
        Ok(())
    }

    /// The error for a file's text that a JSON parser rejected with `why`: `truncated` when the
    /// text ended too soon (serde_json's `is_eof`; for the browser's parser, whose messages differ
    /// by engine, `json_path::ends_open`).
    pub fn not_json(truncated: bool, why: &dyn std::fmt::Display) -> Error {
        if truncated {
            Error::Model(format!("the file is truncated ({why})"))
        } else {
            Error::Model(format!("not valid JSON ({why})"))
        }
    }

    /// A parsed model file holding a network of kind `want` (its `kind` field must match), checked.
    pub fn from_document(doc: &impl Document, want: ModelKind) -> Result<ModelFile> {
        Self::of_kind(Self::from_document_any(doc)?, want)
    }

    fn of_kind((file, kind): (ModelFile, ModelKind), want: ModelKind) -> Result<ModelFile> {
        if kind != want {
            return Err(Error::Model(format!("kind is \"{}\", expected \"{}\"", kind.name(), want.name())));
        }
        Ok(file)
    }

    /// A parsed model file of any kind, checked: its format and version first, then every field.
    pub fn from_document_any(doc: &impl Document) -> Result<(ModelFile, ModelKind)> {
        let bad = |m: String| Error::Model(m);
        #[derive(Deserialize)]
        struct Format {
            format: Option<String>,
        }
        #[derive(Deserialize)]
        struct Version {
            version: Option<u64>,
        }
        match doc.read::<Format>().ok().and_then(|f| f.format).as_deref() {
            Some(FORMAT) => {}
            Some(other) => return Err(bad(format!("format is '{other}', expected '{FORMAT}'"))),
            None => {
                return Err(bad(format!("no \"format\": \"{FORMAT}\" field; not a cfg-playground model")))
            }
        }
        match doc.read::<Version>().ok().and_then(|v| v.version) {
            Some(VERSION) => {}
            Some(v) => {
                return Err(bad(format!("version {v} is not supported (this build reads version {VERSION})")))
            }
            None => return Err(bad("the version field is missing or not a whole number".into())),
        }
        let file: FileV1 = doc.read().map_err(bad)?;

        let arch = file.architecture;
        let kind = file.kind;
        arch.validate().map_err(|e| bad(format!("architecture: {}", strip(&e))))?;
        kind.check(&arch).map_err(|e| bad(format!("architecture: {e}")))?;
        file.training.validate().map_err(|e| bad(format!("training: {}", strip(&e))))?;
        let dataset = match (file.dataset.as_str(), file.drawn) {
            (CUSTOM, Some(d)) => {
                Dataset::custom(d.classes.into_iter().map(|c| (c.name, c.points)).collect(), d.std)
                    .map_err(|e| bad(format!("drawn: {}", strip(&e))))?
            }
            (CUSTOM, None) => return Err(bad("dataset is 'custom' but the file has no drawn points".into())),
            (name, _) => Dataset::by_name(name).map_err(|e| bad(format!("dataset: {}", strip(&e))))?,
        };
        if file.classes != dataset.class_names() {
            return Err(bad(format!(
                "classes {:?} do not match data set '{}' ({:?})",
                file.classes,
                dataset.name,
                dataset.class_names()
            )));
        }
        if arch.n_classes != dataset.n_classes() {
            return Err(bad(format!(
                "architecture.n_classes is {} but data set '{}' has {} classes",
                arch.n_classes,
                dataset.name,
                dataset.n_classes()
            )));
        }
        if let Some(l) = file.final_loss {
            if !l.is_finite() {
                return Err(bad("final_loss is not finite".into()));
            }
        }

        let mut model = Mlp::<f32>::zeros(arch)?;
        let layout = model.layout().clone();
        if file.tensors.len() != layout.tensors.len() {
            let names: Vec<&str> = layout.tensors.iter().map(|t| t.name.as_str()).collect();
            return Err(bad(format!(
                "{} tensors, but this architecture has {}: {}",
                file.tensors.len(),
                layout.tensors.len(),
                names.join(", ")
            )));
        }
        let mut seen = vec![false; layout.tensors.len()];
        for entry in &file.tensors {
            let i = layout
                .tensors
                .iter()
                .position(|t| t.name == entry.name)
                .ok_or_else(|| bad(format!("unexpected tensor '{}'", entry.name)))?;
            if std::mem::replace(&mut seen[i], true) {
                return Err(bad(format!("tensor '{}' appears twice", entry.name)));
            }
            let spec = &layout.tensors[i];
            if entry.shape != spec.shape {
                return Err(bad(format!(
                    "tensor '{}' has shape {:?}, expected {:?}",
                    entry.name, entry.shape, spec.shape
                )));
            }
            let want_bytes = spec.len() * entry.dtype.bytes();
            let want_chars = want_bytes.div_ceil(3) * 4;
            if entry.data.len() != want_chars {
                return Err(bad(format!(
                    "tensor '{}' data is {} base64 characters, expected {want_chars} ({} {} values)",
                    entry.name,
                    entry.data.len(),
                    spec.len(),
                    entry.dtype.name()
                )));
            }
            let bytes = STANDARD
                .decode(entry.data.as_bytes())
                .map_err(|e| bad(format!("tensor '{}' data is not valid base64 ({e})", entry.name)))?;
            let out = spec.slice_mut(&mut model.params);
            for (k, (o, chunk)) in out.iter_mut().zip(bytes.chunks_exact(entry.dtype.bytes())).enumerate() {
                let v = match entry.dtype {
                    Dtype::F32 => f32::from_le_bytes(chunk.try_into().expect("4 bytes")),
                    Dtype::F16 => half::f16::from_le_bytes(chunk.try_into().expect("2 bytes")).to_f32(),
                };
                if !v.is_finite() {
                    return Err(bad(format!("tensor '{}' value {k} is not finite ({v})", entry.name)));
                }
                *o = v;
            }
        }
        Ok((ModelFile::new(dataset, model, file.training, file.steps_done, file.final_loss), kind))
    }
}

/// An error's message without its kind prefix, for nesting inside another message.
fn strip(e: &Error) -> String {
    match e {
        Error::Invalid(m) | Error::Model(m) | Error::Io(m) => m.clone(),
    }
}
