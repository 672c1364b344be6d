#!/usr/bin/env bash
# Registry lookups (IRQL_GRT_GET + IrqlGrtRelease), by string and through an IRQL_GRT_KEY object,
# against wdk-mutex's approach (a string-keyed balanced tree + type check), for 10, 1 000 and
# 100 000 keys, in the same run.
# Primary: callgrind instructions per lookup (exact, repeatable). Secondary: wall-clock
# lookups/s, median of 5 runs, 1 and 2 threads (noisy: depends on the machine and its load).
# Prints a Markdown table.   bench/registry.sh [build-dir]   (default: build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
if [[ ! -x $build/bench/bench_registry ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target bench_registry >/dev/null
fi
command -v valgrind >/dev/null || { echo "bench needs valgrind (apt-get install valgrind)" >&2; exit 1; }
program=$build/bench/bench_registry
lookups=20000
wall_lookups=2000000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

count() { # side keys -> instructions per lookup
  valgrind --tool=callgrind --callgrind-out-file="$work/$1.$2.out" --collect-atstart=no \
    --toggle-collect="bench_$1_lookups" "$program" count "$1" "$2" "$lookups" >/dev/null 2>&1
  awk -v n="$lookups" '/^summary:/ { printf "%.1f", $2 / n }' "$work/$1.$2.out"
}

wall() { # side keys threads -> median lookups/s of 5 runs, in millions
  for _ in 1 2 3 4 5; do "$program" wall "$1" "$2" "$wall_lookups" "$3"; done |
    sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[3] / 1e6 }'
}

echo "| keys | map instr/lookup | string instr/lookup | key-object instr/lookup | speed-up string / key object | Mlookups/s map 1 / 2 thr | string 1 / 2 thr | key object 1 / 2 thr (wall clock, noisy) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for keys in 10 1000 100000; do
  t=$(count tree "$keys")
  g=$(count grt "$keys")
  k=$(count key "$keys")
  echo "| $keys | $t | $g | $k |" \
       "$(awk -v t="$t" -v g="$g" -v k="$k" 'BEGIN { printf "%.2fx / %.2fx", t / g, t / k }') |" \
       "$(wall tree "$keys" 1) / $(wall tree "$keys" 2) |" \
       "$(wall grt "$keys" 1) / $(wall grt "$keys" 2) |" \
       "$(wall key "$keys" 1) / $(wall key "$keys" 2) |"
done
