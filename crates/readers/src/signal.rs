//! signal-export output (`chat.md` / `data.json`). (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// signal-export output (`chat.md` / `data.json`).
pub struct Signal;

impl Format for Signal {
    fn name(&self) -> &'static str {
        "signal"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::SIGNAL
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the signal reader is not written yet",
        ))
    }
}
