//! Finds the byte spans of JSON values in a stream without building them.
//! (Filled in by the Twitter reader work.)
