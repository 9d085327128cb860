//! Flat parameter storage: every tensor of a network lives in one `Vec`, at an offset given by a
//! [`Layout`]. Gradients and Adam's moments use the same layout, so the optimiser is one fused
//! loop over flat slices and the model file is a list of named ranges.

use ndarray::{ArrayView2, ArrayViewMut2};

/// One named tensor: `shape` is `[rows, cols]` for matrices and `[n]` for vectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorSpec {
    pub name: String,
    pub shape: Vec<usize>,
    pub offset: usize,
}

impl TensorSpec {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }
    /// Always false: tensors have at least one value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The range of this tensor in the flat buffer.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len()
    }
    /// (rows, cols); a vector is one row.
    pub fn dims2(&self) -> (usize, usize) {
        match self.shape.as_slice() {
            [r, c] => (*r, *c),
            [n] => (1, *n),
            _ => unreachable!("tensors are 1D or 2D"),
        }
    }
    /// This tensor as a matrix view into `buf`.
    pub fn mat<'a, T>(&self, buf: &'a [T]) -> ArrayView2<'a, T> {
        ArrayView2::from_shape(self.dims2(), &buf[self.range()]).expect("layout matches buffer")
    }
    /// This tensor as a mutable matrix view into `buf`.
    pub fn mat_mut<'a, T>(&self, buf: &'a mut [T]) -> ArrayViewMut2<'a, T> {
        ArrayViewMut2::from_shape(self.dims2(), &mut buf[self.range()]).expect("layout matches buffer")
    }
    /// This tensor as a slice of `buf`.
    pub fn slice<'a, T>(&self, buf: &'a [T]) -> &'a [T] {
        &buf[self.range()]
    }
    /// This tensor as a mutable slice of `buf`.
    pub fn slice_mut<'a, T>(&self, buf: &'a mut [T]) -> &'a mut [T] {
        &mut buf[self.range()]
    }
}

/// Where every tensor of a network sits in its flat buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub tensors: Vec<TensorSpec>,
    pub total: usize,
}

impl Layout {
    /// Appends a tensor and returns its index.
    pub fn push(&mut self, name: impl Into<String>, shape: &[usize]) -> usize {
        let spec = TensorSpec { name: name.into(), shape: shape.to_vec(), offset: self.total };
        self.total += spec.len();
        self.tensors.push(spec);
        self.tensors.len() - 1
    }
    /// The tensor at `index`.
    pub fn get(&self, index: usize) -> &TensorSpec {
        &self.tensors[index]
    }
    /// The tensor called `name`.
    pub fn find(&self, name: &str) -> Option<&TensorSpec> {
        self.tensors.iter().find(|t| t.name == name)
    }
}
