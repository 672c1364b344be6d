#!/usr/bin/env bash
# Instruction counts of one uncontended lock acquire + release per lock kind, with callgrind:
# the raw WDK pair, the checked wrapper (IrqlKLock + IrqlKUnlock) and the scoped form
# (IRQL_WITH), all measured in the same run. Prints a Markdown table.
# Goal: wrapper <= 1.10x raw, scoped equal to the explicit form (within a couple of
# instructions).   bench/lock_pairs.sh [build-dir]   (default: build/release)
source "$(dirname "$0")/callgrind.sh"
bench_program bench_lock_pairs "${1:-}"
iterations=20000


echo "| kind (one Lock + Unlock) | raw WDK | wrapper | wrapper / raw | scoped | scoped / explicit |"
echo "|---|---:|---:|---:|---:|---:|"
for kind in kmutex fast_mutex guarded_mutex spin_lock resource push_lock; do
  raw=$(count "${kind}_raw")
  wrapper=$(count "${kind}_wrapper")
  scoped=$(count "${kind}_scoped")
  echo "| $kind | $raw | $wrapper | $(ratio "$wrapper" "$raw") | $scoped |" \
       "$(ratio "$scoped" "$wrapper") |"
done
