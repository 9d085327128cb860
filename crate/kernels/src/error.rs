//! The crate's error type: every failure is a message that names what was wrong.

use std::fmt;

/// What went wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A bad argument: an unknown data set or class, a non-finite or out-of-range number.
    Invalid(String),
    /// A model file that cannot be loaded: wrong format or version, bad shape, truncated data.
    Model(String),
    /// A file that cannot be read or written.
    Io(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(m) => write!(f, "invalid argument: {m}"),
            Error::Model(m) => write!(f, "bad model file: {m}"),
            Error::Io(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Builds an [`Error::Invalid`] from a format string.
#[macro_export]
macro_rules! invalid {
    ($($arg:tt)*) => { $crate::error::Error::Invalid(format!($($arg)*)) };
}

/// Checks that `value` is finite and within `[lo, hi]`, naming it in the error.
pub fn check_range(name: &str, value: f64, lo: f64, hi: f64) -> Result<f64> {
    if !value.is_finite() {
        return Err(invalid!("{name} must be a finite number, got {value}"));
    }
    if value < lo || value > hi {
        return Err(invalid!("{name} must be between {lo} and {hi}, got {value}"));
    }
    Ok(value)
}

/// Checks that an integer count is within `[lo, hi]`, naming it in the error.
pub fn check_count(name: &str, value: i64, lo: i64, hi: i64) -> Result<usize> {
    if value < lo || value > hi {
        return Err(invalid!("{name} must be between {lo} and {hi}, got {value}"));
    }
    Ok(value as usize)
}
