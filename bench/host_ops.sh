#!/usr/bin/env bash
# Instruction counts of the host kernel's hot paths, each as a ratio to a pthread mutex
# lock+unlock pair (or malloc+free for pool) measured in the same run, with callgrind.
# Prints a Markdown table.   bench/host_ops.sh [build-dir]   (default: build/release)
source "$(dirname "$0")/callgrind.sh"
bench_program bench_host_ops "${1:-}"
iterations=20000

declare -A goal=(
  [raise_lower]="< 50 instructions"
  [fast_mutex]="<= 3x" [guarded_mutex]="<= 3x" [kmutex]="<= 3x" [spin_lock]="<= 3x"
  [queued_spin_lock]="<= 3x" [resource]="<= 3x" [push_lock]="<= 3x"
)
pthread=$(count pthread_mutex)
malloc=$(count malloc_free)
echo "| operation (one iteration) | instructions | ratio to baseline | goal |"
echo "|---|---:|---:|---|"
echo "| pthread_mutex_lock + unlock (baseline) | $pthread | 1.00 | |"
for op in raise_lower fast_mutex guarded_mutex kmutex spin_lock queued_spin_lock resource push_lock; do
  n=$(count "$op")
  echo "| $op | $n | $(ratio "$n" "$pthread") | ${goal[$op]} |"
done
echo "| malloc(64) + free (baseline) | $malloc | 1.00 | |"
for op in pool_nonpaged pool_paged; do
  n=$(count "$op")
  echo "| $op ExAllocatePool2(64) + ExFreePoolWithTag | $n | $(ratio "$n" "$malloc") | |"
done
