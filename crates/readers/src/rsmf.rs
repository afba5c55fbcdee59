//! Relativity Short Message Format 1.0/2.0. (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// Relativity Short Message Format 1.0/2.0.
pub struct Rsmf;

impl Format for Rsmf {
    fn name(&self) -> &'static str {
        "rsmf"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::RSMF
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the rsmf reader is not written yet",
        ))
    }
}
