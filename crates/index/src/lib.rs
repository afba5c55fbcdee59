//! trove-index
