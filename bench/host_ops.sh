#!/usr/bin/env bash
# Instruction counts of the host kernel's hot paths, each as a ratio to a pthread mutex
# lock+unlock pair (or malloc+free for pool) measured in the same run, with callgrind.
# Prints a Markdown table.   bench/host_ops.sh [build-dir]   (default: build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
if [[ ! -x $build/bench/bench_host_ops ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target bench_host_ops >/dev/null
fi
command -v valgrind >/dev/null || { echo "bench needs valgrind (apt-get install valgrind)" >&2; exit 1; }
program=$build/bench/bench_host_ops
iterations=20000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Instructions per iteration of bench_<op>: callgrind counts only inside that function.
count() {
  valgrind --tool=callgrind --callgrind-out-file="$work/$1.out" --collect-atstart=no \
    --toggle-collect="bench_$1" "$program" "$1" "$iterations" >/dev/null 2>&1
  awk -v n="$iterations" '/^summary:/ { printf "%.1f", $2 / n }' "$work/$1.out"
}

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
  echo "| $op | $n | $(awk -v a="$n" -v b="$pthread" 'BEGIN { printf "%.2f", a / b }') | ${goal[$op]} |"
done
echo "| malloc(64) + free (baseline) | $malloc | 1.00 | |"
for op in pool_nonpaged pool_paged; do
  n=$(count "$op")
  echo "| $op ExAllocatePool2(64) + ExFreePoolWithTag | $n | $(awk -v a="$n" -v b="$malloc" 'BEGIN { printf "%.2f", a / b }') | |"
done
