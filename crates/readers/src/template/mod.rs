//! Line-template transcripts (`[{ts}] {sender}: {text}`). (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// Line-template transcripts (`[{ts}] {sender}: {text}`).
pub struct Template;

impl Format for Template {
    fn name(&self) -> &'static str {
        "template"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::TRANSCRIPT
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the template reader is not written yet",
        ))
    }
}
