//! Times one reader over one input, nothing else: the quick loop for
//! tuning a reader (`trove-bench --readers --keep-inputs --dir D` makes the
//! inputs it uses).
//!
//! ```text
//! cargo run --release -p trove-readers --example read_speed -- FORMAT PATH [--template T] [--map M] [--repeat N]
//! ```

use std::time::Instant;

use trove_readers::{ColumnMap, CountingSink, Input, ReadOptions, detect_named};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (Some(format), Some(path)) = (args.next(), args.next()) else {
        return Err("usage: read_speed FORMAT PATH [--template T] [--map M] [--repeat N]".into());
    };
    let mut options = ReadOptions::default();
    let mut repeat = 3;
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--template" => options.templates.push(value),
            "--map" => options.map = ColumnMap::parse(&value)?,
            "--repeat" => repeat = value.parse().map_err(|_| format!("bad --repeat {value}"))?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    let reader = detect_named(&format).ok_or(format!("no reader called {format}"))?;
    let mut best = f64::MAX;
    for _ in 0..repeat {
        let input = Input::open(std::path::Path::new(&path)).map_err(|e| e.to_string())?;
        let bytes: u64 = input.entries().iter().map(|e| e.size).sum();
        let mut sink = CountingSink::default();
        let started = Instant::now();
        reader.read(&input, &options, &mut sink).map_err(|e| e.to_string())?;
        let seconds = started.elapsed().as_secs_f64();
        best = best.min(seconds);
        println!(
            "{format}: {:.1} MB in {seconds:.3} s = {:.1} MB/s; {} records, {} skips{}",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / seconds,
            sink.records,
            sink.skips,
            sink.first_skip.map(|s| format!(" (first: {s})")).unwrap_or_default()
        );
    }
    println!("best {best:.3} s");
    Ok(())
}
