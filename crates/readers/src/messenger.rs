//! Facebook Messenger DYI JSON (`message_N.json`). (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// Facebook Messenger DYI JSON (`message_N.json`).
pub struct Messenger;

impl Format for Messenger {
    fn name(&self) -> &'static str {
        "messenger"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::MESSENGER
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the messenger reader is not written yet",
        ))
    }
}

/// Instagram DYI JSON (`message_N.json`).
pub struct Instagram;

impl Format for Instagram {
    fn name(&self) -> &'static str {
        "instagram"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::INSTAGRAM
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the instagram reader is not written yet",
        ))
    }
}
