//! Slack workspace export zips. (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// Slack workspace export zips.
pub struct Slack;

impl Format for Slack {
    fn name(&self) -> &'static str {
        "slack"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::SLACK
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the slack reader is not written yet",
        ))
    }
}
