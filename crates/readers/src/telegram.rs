//! Telegram Desktop JSON exports (`result.json`). (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// Telegram Desktop JSON exports (`result.json`).
pub struct Telegram;

impl Format for Telegram {
    fn name(&self) -> &'static str {
        "telegram"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::TELEGRAM
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the telegram reader is not written yet",
        ))
    }
}
