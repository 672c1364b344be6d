#!/usr/bin/env bash
# Registry lookups (IRQL_GRT_GET + IrqlGrtRelease), by string and through an IRQL_GRT_KEY object,
# against wdk-mutex's approach (a string-keyed balanced tree + type check), for 10 to 100 000
# keys, in the same run.
# Primary: callgrind instructions per lookup (exact, repeatable). Secondary: wall-clock
# lookups/s, median (min–max) of 5 runs, 1 and 2 threads (noisy: depends on the machine and
# its load). Prints a Markdown table; the plots' data go to BENCH_PLOT_DATA (callgrind.sh).
#   bench/registry.sh [build-dir]   (default: build/release)
source "$(dirname "$0")/callgrind.sh"
bench_program bench_registry "${1:-}"
lookups=20000
wall_lookups=2000000
runs=5

instructions() { # side keys -> instructions per lookup
  callgrind "bench_$1_lookups" "$lookups" "$program" count "$1" "$2" "$lookups"
}

wall() { # side keys threads -> $cell "median (min–max)" and $mlookups (the median), Mlookups/s
  local median lo hi
  read -r median lo hi < <(stats repeat "$runs" "$program" wall "$1" "$2" "$wall_lookups" "$3")
  cell=$(spread "$median" "$lo" "$hi" 1e6)
  mlookups=$(awk -v m="$median" 'BEGIN { print m / 1e6 }')
}

declare -A name=([tree]=map [grt]=string [key]="key object")
echo "| keys | map instr/lookup | string instr/lookup | key-object instr/lookup | speed-up string / key object | Mlookups/s map 1 / 2 thr | string 1 / 2 thr | key object 1 / 2 thr (wall clock, noisy) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for keys in 10 100 1000 10000 100000; do
  declare -A n=() cells=()
  for side in tree grt key; do
    n[$side]=$(instructions "$side" "$keys")
    plot_point registry "${name[$side]}" "$keys" "${n[$side]}"
    wall "$side" "$keys" 1
    plot_point registry-wall "${name[$side]}" "$keys" "$mlookups"
    cells[$side]=$cell
    wall "$side" "$keys" 2
    cells[$side]+=" / $cell"
  done
  echo "| $keys | ${n[tree]} | ${n[grt]} | ${n[key]} |" \
       "$(ratio "${n[tree]}" "${n[grt]}")x / $(ratio "${n[tree]}" "${n[key]}")x |" \
       "${cells[tree]} | ${cells[grt]} | ${cells[key]} |"
done
