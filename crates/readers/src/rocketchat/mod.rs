//! Rocket.Chat dumps. (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// Rocket.Chat dumps.
pub struct RocketChat;

impl Format for RocketChat {
    fn name(&self) -> &'static str {
        "rocketchat"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::ROCKETCHAT
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the rocketchat reader is not written yet",
        ))
    }
}
