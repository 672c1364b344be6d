#!/usr/bin/env bash
# The pool wrappers (<irql/pool.h>) against the raw WDK routines on the host kernel, one loop
# each (bench/pool_ops.c), in a multi-threaded process (bench.h: --threaded). Primary: callgrind
# instructions per iteration. Secondary: wall-clock ns per iteration, median (min–max) of 5 runs
# of at least 0.05 s (noisy). Prints a Markdown table.
#   bench/pool_ops.sh [build-dir]   (default: build/release)
source "$(dirname "$0")/callgrind.sh"
bench_program bench_pool_ops "${1:-}"
iterations=20000
runs=5
flags=(--threaded)

declare -A label=(
  [box_raw]="ExAllocatePool2(64) + ExFreePoolWithTag (raw WDK)"
  [box]="IRQL_BOX_NEW + IRQL_BOX_FREE (64 bytes)"
  [vec_push]="IRQL_VEC_PUSH of a ULONG (amortised growth)"
  [get]="IRQL_BOX_GET + a write"
)
echo "| operation (one iteration) | instructions | ratio to raw | ns, wall clock: median (min–max) |"
echo "|---|---:|---:|---:|"
for op in box_raw box vec_push get; do
  n=$(count "$op")
  [[ $op == box_raw ]] && raw=$n
  read -r median lo hi < <(stats "$program" "${flags[@]}" wall "$op" 0.05 "$runs")
  case $op in box_raw | box) r=$(ratio "$n" "$raw") ;; *) r="" ;; esac
  echo "| ${label[$op]} | $n | $r | $(spread "$median" "$lo" "$hi" 1 2) |"
done
