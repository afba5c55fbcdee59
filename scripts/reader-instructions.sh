#!/usr/bin/env bash
# Counts the instructions each reader spends on the same input, for two
# trove-bench binaries (e.g. a baseline commit's and this one's), with
# callgrind: unlike seconds on a shared 2-core VM (±40% run to run), the
# counts repeat exactly. Only `time_reader` (the read itself) is counted,
# not growing the input. Usage:
#   scripts/reader-instructions.sh BASE_BENCH NEW_BENCH [MB] [READER...]
# Build each binary with `cargo build --release -p trove-bench`.
set -eu
base=$1 new=$2 mb=${3:-8}
shift 2; [ $# -gt 0 ] && shift
readers=${*:-telegram whatsapp slack discord messenger instagram signal rsmf matrix jabber rocketchat irc csv jsonl template twitter}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count() {
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --toggle-collect='*time_reader*' \
    "$1" --readers --reader-mb "$mb" --only "$2" --dir "$work/$2" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-12s %16s %16s %8s\n' reader base new change
for r in $readers; do
  b=$(count "$base" "$r"); n=$(count "$new" "$r")
  printf '%-12s %16s %16s %+7.1f%%\n' "$r" "$b" "$n" "$(echo "($n - $b) * 100 / $b" | bc -l)"
done
