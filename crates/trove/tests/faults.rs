//! The fault-injection suite (`scripts/faults.py`) run against this build,
//! one test per kind of fault, a few trials each: a full disk (where this
//! process may mount a tmpfs; skipped with a message otherwise), kills and
//! Ctrl+C at random points of an ingest, a read-only case, sources replaced
//! by a FIFO, `/dev/zero` or a folder, a symlink out of an export, an
//! overlapping-entry zip bomb, a skip flood, and two ingests at once. The
//! script checks after each fault that every read command works and that
//! the case holds all of the run or none of it, searches agreeing; run it
//! by hand with more trials on a release build (see `docs/faults.md`).

use std::path::Path;
use std::process::Command;

fn faults(only: &str, trials: u32) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/faults.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(["--trove", env!("CARGO_BIN_EXE_trove"), "--only", only])
        .args(["--trials", &trials.to_string(), "--messages", "20000"])
        .output()
        .expect("python3 runs the fault suite");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The table, in the test's output (`--no-capture` shows it).
    println!("{stdout}");
    assert!(out.status.success(), "fault suite `{only}` failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("trials  failures"), "no table:\n{stdout}\n{stderr}");
    if stdout.contains("skipped:") {
        eprintln!("note: part of `{only}` was skipped here:\n{stdout}");
    }
}

#[test]
fn a_full_disk_at_any_point_of_an_ingest_keeps_all_of_it_or_none() {
    faults("disk", 6);
}

#[cfg(unix)]
#[test]
fn a_kill_at_any_point_of_an_ingest_keeps_all_of_it_or_none() {
    faults("kill", 4);
}

#[cfg(unix)]
#[test]
fn ctrl_c_at_any_point_of_an_ingest_says_what_was_kept() {
    faults("sigint", 4);
}

#[cfg(unix)]
#[test]
fn a_read_only_case_reads_and_refuses_changes_clearly() {
    faults("read-only", 1);
}

#[cfg(unix)]
#[test]
fn verify_never_reads_a_source_that_is_not_a_regular_file() {
    faults("odd", 1);
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_an_export_is_never_followed() {
    faults("symlink", 1);
}

#[test]
fn an_overlapping_entry_zip_bomb_is_refused_at_once() {
    faults("zip", 1);
}

#[test]
fn a_skip_flood_stays_within_its_memory_bound() {
    faults("flood", 1);
}

#[cfg(unix)]
#[test]
fn a_second_ingest_waits_for_the_first_and_says_so() {
    faults("concurrent", 4);
}
