#!/usr/bin/env bash
# The host kernel's hot paths, each as a ratio to a pthread mutex lock+unlock pair (or
# malloc+free for pool) measured in the same run. Primary: callgrind instructions per
# iteration (exact, repeatable). Secondary: wall-clock nanoseconds per iteration, median
# (min–max) of 5 runs of at least 0.05 s each, in one process (noisy: depends on the machine
# and its load).
# Every figure is taken in a multi-threaded process (bench.h: --threaded), as a driver's always
# is: glibc's single-threaded pthread_mutex path has no atomic instructions, which flatters the
# baseline's wall clock about 4x; the last row shows it for reference.
# Prints a Markdown table.   bench/host_ops.sh [build-dir]   (default: build/release)
source "$(dirname "$0")/callgrind.sh"
bench_program bench_host_ops "${1:-}"
iterations=20000
runs=5
flags=(--threaded)

declare -A goal=(
  [raise_lower]="< 50 instructions"
  [fast_mutex]="<= 3x" [guarded_mutex]="<= 3x" [kmutex]="<= 3x" [spin_lock]="<= 3x"
  [queued_spin_lock]="<= 3x" [resource]="<= 3x" [push_lock]="<= 3x"
)
declare -A label=(
  [pthread_mutex]="pthread_mutex_lock + unlock (baseline)" [malloc_free]="malloc(64) + free (baseline)"
  [pool_nonpaged]="pool_nonpaged ExAllocatePool2(64) + ExFreePoolWithTag"
  [pool_paged]="pool_paged ExAllocatePool2(64) + ExFreePoolWithTag"
)
row() { # label instructions base-instructions goal median min max base-median
  echo "| $1 | $2 | $(ratio "$2" "$3") | $4 | $(spread "$5" "$6" "$7") | $(ratio "$5" "$8") |"
}

echo "| operation (one iteration) | instructions | ratio to baseline | goal | ns, wall clock: median (min–max) | wall ratio |"
echo "|---|---:|---:|---|---:|---:|"
for op in pthread_mutex raise_lower fast_mutex guarded_mutex kmutex spin_lock queued_spin_lock \
          resource push_lock malloc_free pool_nonpaged pool_paged; do
  n=$(count "$op")
  read -r median lo hi < <(stats "$program" "${flags[@]}" wall "$op" 0.05 "$runs")
  case $op in
    pthread_mutex) base=$n base_ns=$median pthread=$n pthread_ns=$median ;;
    malloc_free) base=$n base_ns=$median ;;
  esac
  row "${label[$op]:-$op}" "$n" "$base" "${goal[$op]:-}" "$median" "$lo" "$hi" "$base_ns"
done
flags=()
n=$(count pthread_mutex)
read -r median lo hi < <(stats "$program" wall pthread_mutex 0.05 "$runs")
row "pthread_mutex_lock + unlock in a never-threaded process (reference, not a baseline)" \
    "$n" "$pthread" "" "$median" "$lo" "$hi" "$pthread_ns"
