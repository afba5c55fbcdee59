//! trove-app
