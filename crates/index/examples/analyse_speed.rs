//! Times the analyzer alone over generated chat text (the benchmark's
//! multilingual Zipf corpus), to judge changes to tokenising, folding and
//! stemming without an ingest around them.
//!
//! `cargo run --release -p trove-index --example analyse_speed [MESSAGES] [--repeat N]`

use std::time::Instant;

use tantivy::tokenizer::{TokenStream, Tokenizer};
use trove_index::analyzer::TroveTokenizer;
use trove_testkit::text::TextGen;

fn main() {
    let mut messages = 200_000usize;
    let mut repeat = 3usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--repeat" => repeat = args.next().and_then(|n| n.parse().ok()).unwrap_or(repeat),
            other => messages = other.parse().unwrap_or(messages),
        }
    }
    let mut generator = TextGen::new(7);
    let texts: Vec<String> = (0..messages).map(|_| generator.message()).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let ascii = texts.iter().filter(|t| t.is_ascii()).count();
    println!(
        "{messages} messages, {:.1} MB, {:.0}% ASCII-only",
        bytes as f64 / 1e6,
        100.0 * ascii as f64 / messages as f64
    );
    let mut tokenizer = TroveTokenizer::default();
    for _ in 0..repeat {
        let started = Instant::now();
        let mut tokens = 0usize;
        for text in &texts {
            let mut stream = tokenizer.token_stream(text);
            while stream.advance() {
                tokens += 1;
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{tokens} tokens in {seconds:.3} s: {:.1} MB/s, {:.0} ns per message",
            bytes as f64 / 1e6 / seconds,
            seconds * 1e9 / messages as f64
        );
    }
}
