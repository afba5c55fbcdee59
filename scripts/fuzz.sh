#!/usr/bin/env bash
# Runs cargo-fuzz targets one after another for a fixed time each and prints
# each run's summary line. Usage: scripts/fuzz.sh [SECONDS] TARGET...
# Needs `cargo install cargo-fuzz`; the toolchain is stable, so the sanitizer
# flags need RUSTC_BOOTSTRAP=1.
set -u
cd "$(dirname "$0")/../fuzz"
seconds=300
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
for target in "$@"; do
  mkdir -p "corpus/$target"
  echo "== $target $(date -u +%FT%TZ)"
  # -max_total_time is wall time: the CPU time is printed too, since
  # "fuzzed for N CPU-minutes" is what a shared machine can vouch for.
  RUSTC_BOOTSTRAP=1 /usr/bin/time -f "cpu %U s user + %S s system" cargo fuzz run "$target" \
    "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 2>&1 \
    | grep -E "DONE|Done [0-9]+ runs|ERROR|panicked|SUMMARY|crash-|^cpu " | tail -8
  echo "exit ${PIPESTATUS[0]}"
done
