//! trove-store
