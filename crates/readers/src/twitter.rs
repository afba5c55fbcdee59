//! Twitter / X account archives. (Stub: filled in by the Twitter reader work.)

use crate::{Confidence, Format, Input, ReadError, ReadOptions, Sink};

/// Twitter / X direct messages from an account archive.
pub struct Twitter;

impl Format for Twitter {
    fn name(&self) -> &'static str {
        "twitter"
    }
    fn platform(&self) -> &'static str {
        trove_model::platform::TWITTER
    }
    fn sniff(&self, _input: &Input) -> Confidence {
        Confidence::No
    }
    fn read(&self, input: &Input, _: &ReadOptions, _: &mut dyn Sink) -> Result<(), ReadError> {
        Err(ReadError::invalid(input.path().display().to_string(), None, "not implemented"))
    }
}
