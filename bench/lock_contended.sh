#!/usr/bin/env bash
# Contended lock throughput on the host kernel: every lock kind's loop from bench/lock_pairs.c
# (acquire, increment the protected counter, release) run on several system threads at once,
# each pinned to a CPU, all on the same lock, against the same loop around a pthread mutex
# (bench.c: contended). Wall clock only (there is no instruction count for waiting): million
# acquire+release pairs per second over all threads, median (min–max) of 5 runs of 0.2 s each,
# one process per kind and thread count. Noisy by nature: the numbers depend on the machine's
# cores and on whatever else it runs.
# Prints two Markdown tables: raw WDK pair vs wrapper vs pthread at 2 threads, and the
# wrappers at 1, 2 and 4 threads (the plot's data: BENCH_PLOT_DATA, see callgrind.sh).
#   bench/lock_contended.sh [build-dir]   (default: build/release)
source "$(dirname "$0")/callgrind.sh"
bench_program bench_lock_pairs "${1:-}"
runs=5
seconds=0.2
kinds=(kmutex fast_mutex guarded_mutex spin_lock resource push_lock)

throughput() { # op threads -> "median min max" in operations per second
  stats "$program" contended "$1" "$2" "$seconds" "$runs"
}

read -r pthread_2 lo hi < <(throughput pthread_mutex 2)
echo "Two threads, one lock (Mops/s, median (min–max) of $runs runs):"
echo
echo "| kind | raw WDK | wrapper | wrapper / raw | pthread mutex | wrapper / pthread |"
echo "|---|---:|---:|---:|---:|---:|"
pthread_cell=$(spread "$pthread_2" "$lo" "$hi" 1e6 2)
for kind in "${kinds[@]}"; do
  read -r raw rlo rhi < <(throughput "${kind}_raw" 2)
  read -r wrapped wlo whi < <(throughput "${kind}_wrapper" 2)
  echo "| $kind | $(spread "$raw" "$rlo" "$rhi" 1e6 2) | $(spread "$wrapped" "$wlo" "$whi" 1e6 2) |" \
       "$(ratio "$wrapped" "$raw") | $pthread_cell | $(ratio "$wrapped" "$pthread_2") |"
done

echo
echo "Wrappers by number of threads, one lock (Mops/s, median (min–max) of $runs runs):"
echo
echo "| kind | 1 thread | 2 threads | 4 threads |"
echo "|---|---:|---:|---:|"
for op in pthread_mutex "${kinds[@]/%/_wrapper}"; do
  row="| ${op%_wrapper} |"
  for threads in 1 2 4; do
    read -r median lo hi < <(throughput "$op" "$threads")
    row+=" $(spread "$median" "$lo" "$hi" 1e6 2) |"
    plot_point locks "${op%_wrapper}" "$threads" "$(awk -v m="$median" 'BEGIN { print m / 1e6 }')"
  done
  echo "$row"
done
