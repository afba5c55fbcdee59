//! DiscordChatExporter JSON. (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// DiscordChatExporter JSON.
pub struct Discord;

impl Format for Discord {
    fn name(&self) -> &'static str {
        "discord"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::DISCORD
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the discord reader is not written yet",
        ))
    }
}
