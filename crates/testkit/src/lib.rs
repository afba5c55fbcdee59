//! trove-testkit
