//! Matrix / Element "Export chat" JSON. (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// Matrix / Element "Export chat" JSON.
pub struct Matrix;

impl Format for Matrix {
    fn name(&self) -> &'static str {
        "matrix"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::MATRIX
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the matrix reader is not written yet",
        ))
    }
}
