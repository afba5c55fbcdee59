//! Jabber/XMPP logs as concatenated JSON objects. (Stub: the reader is being written.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// Jabber/XMPP logs as concatenated JSON objects.
pub struct Jabber;

impl Format for Jabber {
    fn name(&self) -> &'static str {
        "jabber"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::JABBER
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(
            input.path().display().to_string(),
            None,
            "the jabber reader is not written yet",
        ))
    }
}
