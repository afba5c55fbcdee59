//! Progress bars on a terminal; silence elsewhere.

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use trove_ingest::Progress;

/// Shows a byte bar per input and a record count, on stderr, only when
/// stderr is a terminal.
pub struct Bar {
    bar: Option<ProgressBar>,
    records: u64,
}

impl Bar {
    /// A bar when stderr is a terminal, nothing otherwise.
    pub fn new() -> Bar {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} {prefix} [{bar:30}] {bytes}/{total_bytes} {msg} ({elapsed})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Bar { bar, records: 0 }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn input(&mut self, path: &Path, format: &str, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(bytes);
            bar.set_position(0);
            let name =
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            bar.set_prefix(format!("{} ({format})", crate::terminal::sanitize(&name, false)));
        }
    }

    fn bytes(&mut self, read: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(read);
        }
    }

    fn records(&mut self, stored: u64) {
        self.records = stored;
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{stored} records"));
        }
    }

    fn committing(&mut self) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} records, committing", self.records));
        }
    }

    fn waiting(&mut self, holder: &str) {
        // Said even without a bar (output piped, a script): a run that
        // waits silently looks hung.
        eprintln!(
            "waiting: another ingest is writing to this case: {} (Ctrl+C to give up)",
            crate::terminal::sanitize(holder, false)
        );
    }
}
