//! WhatsApp "Export chat" text, bare or zipped. (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// WhatsApp "Export chat" text, bare or zipped.
pub struct WhatsApp;

impl Format for WhatsApp {
    fn name(&self) -> &'static str {
        "whatsapp"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::WHATSAPP
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the whatsapp reader is not written yet",
        ))
    }
}
