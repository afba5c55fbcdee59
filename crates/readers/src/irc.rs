//! IRC logs (irssi, weechat, ZNC). (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// IRC logs (irssi, weechat, ZNC).
pub struct Irc;

impl Format for Irc {
    fn name(&self) -> &'static str {
        "irc"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::IRC
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the irc reader is not written yet",
        ))
    }
}
