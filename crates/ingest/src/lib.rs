//! trove-ingest
