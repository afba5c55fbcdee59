//! Analysis throughput on generated multilingual chat text. Ignored by
//! default (a figure, not a check): run with
//! `cargo test --release -p trove-index --test speed -- --ignored --nocapture`.

use std::time::Instant;

use tantivy::tokenizer::{TokenStream, Tokenizer};
use trove_index::analyzer::TroveTokenizer;

#[test]
#[ignore = "prints a throughput figure"]
fn analysis_throughput() {
    let mut text = trove_testkit::TextGen::new(1);
    let messages: Vec<String> = (0..200_000).map(|_| text.message()).collect();
    let bytes: usize = messages.iter().map(String::len).sum();
    let mut tokenizer = TroveTokenizer::default();
    let started = Instant::now();
    let mut tokens = 0usize;
    for message in &messages {
        let mut stream = tokenizer.token_stream(message);
        while stream.advance() {
            tokens += 1;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} messages, {:.1} MB, {tokens} tokens in {seconds:.2} s: {:.0} messages/s, {:.1} MB/s",
        messages.len(),
        bytes as f64 / 1e6,
        messages.len() as f64 / seconds,
        bytes as f64 / 1e6 / seconds
    );
    assert!(tokens > messages.len());
}
