//! Generic CSV and JSONL transcripts. (Stub: filled in by the transcript work.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// CSV transcripts.
pub struct Csv;
/// JSON Lines transcripts.
pub struct Jsonl;

impl Format for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::TRANSCRIPT
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(input.path().display().to_string(), None, "not implemented"))
    }
}

impl Format for Jsonl {
    fn name(&self) -> &'static str {
        "jsonl"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::TRANSCRIPT
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(input.path().display().to_string(), None, "not implemented"))
    }
}
