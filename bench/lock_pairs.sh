#!/usr/bin/env bash
# Instruction counts of one uncontended lock acquire + release per lock kind, with callgrind:
# the raw WDK pair, the checked wrapper (IrqlKLock + IrqlKUnlock) and the scoped form
# (IRQL_WITH), all measured in the same run. Prints a Markdown table.
# Goal: wrapper <= 1.10x raw, scoped equal to the explicit form (within a couple of
# instructions).   bench/lock_pairs.sh [build-dir]   (default: build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
if [[ ! -x $build/bench/bench_lock_pairs ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target bench_lock_pairs >/dev/null
fi
command -v valgrind >/dev/null || { echo "bench needs valgrind (apt-get install valgrind)" >&2; exit 1; }
program=$build/bench/bench_lock_pairs
iterations=20000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Instructions per iteration of bench_<op>: callgrind counts only inside that function.
count() {
  valgrind --tool=callgrind --callgrind-out-file="$work/$1.out" --collect-atstart=no \
    --toggle-collect="bench_$1" "$program" "$1" "$iterations" >/dev/null 2>&1
  awk -v n="$iterations" '/^summary:/ { printf "%.1f", $2 / n }' "$work/$1.out"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "| kind (one Lock + Unlock) | raw WDK | wrapper | wrapper / raw | scoped | scoped / explicit |"
echo "|---|---:|---:|---:|---:|---:|"
for kind in kmutex fast_mutex guarded_mutex spin_lock resource push_lock; do
  raw=$(count "${kind}_raw")
  wrapper=$(count "${kind}_wrapper")
  scoped=$(count "${kind}_scoped")
  echo "| $kind | $raw | $wrapper | $(ratio "$wrapper" "$raw") | $scoped |" \
       "$(ratio "$scoped" "$wrapper") |"
done
