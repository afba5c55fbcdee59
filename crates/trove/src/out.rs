//! Everything the binary prints on stdout goes through here (the crate's
//! `print!`/`println!` shadow std's), so a reader that stops reading
//! (`trove stats | head -1`) ends the process quietly instead of a panic
//! with "failed printing to stdout: Broken pipe".

use std::io::Write;

/// Writes `bytes` to stdout. A closed pipe exits 0 at once, as ripgrep
/// does: the reader has what it wanted and nothing went wrong. Any other
/// write error (a full disk behind a redirect) exits 1 with the error.
pub fn write(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        closed(&e);
    }
}

/// Formats and writes, for the `print!` family.
pub fn print(args: std::fmt::Arguments<'_>) {
    match args.as_str() {
        Some(text) => write(text.as_bytes()),
        None => write(args.to_string().as_bytes()),
    }
}

/// Ends the process after a failed write to stdout.
pub fn closed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error: writing to stdout: {e}");
    std::process::exit(1);
}
