//! Parsing the timestamp formats transcripts use.
//! (Filled in by the transcript reader work.)
