#!/usr/bin/env bash
# Compile-time cost of the contracts: the generated 5 000-function unit (bench/gen_unit.awk) —
# and, for scale, the example driver — compiled with contracts and with IRQL_NO_CONTRACTS for
# the host (bench/compilers.sh), by gcc and clang at -O0 and -O2. The two variants alternate run by run, so a change in the machine's
# load hits both alike. CPU time (user + sys of the compiler) is the figure the ratio is taken
# from — it does not count time spent waiting for a CPU other jobs hold — with wall clock beside
# it; both are medians (min–max). Goal: ratio <= 1.15.
# Then why: the preprocessed size of the unit (exact, repeatable) and gcc's own -ftime-report
# split of one -O0 compile.
# Prints two Markdown tables.   bench/compile_time.sh [work-dir]   (default: a temporary directory)
#   BENCH_COMPILE_RUNS="5 3": runs at -O0 and at -O2 (an -O2 compile of the unit takes ~15 s here)
source "$(dirname "$0")/callgrind.sh"
source "$(dirname "$0")/compilers.sh"
work_dir "${1:-}"
declare -A runs_at
read -r 'runs_at[-O0]' 'runs_at[-O2]' <<<"${BENCH_COMPILE_RUNS:-5 3}"
goal=1.15
unit=$work/unit.c
generate_unit "$unit"

declare -A code_source=([unit]=$unit [driver]=examples/counter_driver/counter_driver.c)
declare -A code_label=([unit]="generated, 5 000 functions" [driver]="example driver")

# One compile of $1: prints "cpu wall" in seconds.
timed_compile() {
  local TIMEFORMAT='%U %S %R' times
  times=$({ time "${cc[@]}" -c "$1" -o "$work/timed.o" 2>/dev/null; } 2>&1)
  awk '{ printf "%.3f %.3f\n", $1 + $2, $3 }' <<<"$times"
}

median_of() { # column file -> "median min max"
  stats awk -v c="$1" '{ print $c }' "$2"
}

# One table row: every run of both variants of one code, compiler and optimisation level.
row() {
  local code=$1 compiler=$2 opt=$3 run variant met d=2
  local runs=${runs_at[$3]} cpu_with cpu_plain wall_with wall_plain lo hi cells
  : >"$work/contracts.times"
  : >"$work/plain.times"
  for ((run = 0; run < runs; run++)); do
    for variant in contracts plain; do
      cc_command host "$compiler" "$opt" "$variant"
      timed_compile "${code_source[$code]}" >>"$work/$variant.times"
    done
  done
  read -r cpu_with lo hi < <(median_of 1 "$work/contracts.times")
  [[ $code == unit ]] || d=3 # the driver compiles in a tenth of a second
  cells="$(spread "$cpu_with" "$lo" "$hi" 1 "$d")"
  read -r cpu_plain lo hi < <(median_of 1 "$work/plain.times")
  cells+=" | $(spread "$cpu_plain" "$lo" "$hi" 1 "$d") | $(ratio "$cpu_with" "$cpu_plain")"
  met=$(awk -v r="$(ratio "$cpu_with" "$cpu_plain")" -v g="$goal" 'BEGIN { print r <= g ? "met" : "**not met**" }')
  [[ $code == unit ]] || met="(real code, for scale)"
  read -r wall_with lo hi < <(median_of 2 "$work/contracts.times")
  cells+=" | $met | $(spread "$wall_with" "$lo" "$hi" 1 "$d")"
  read -r wall_plain lo hi < <(median_of 2 "$work/plain.times")
  cells+=" | $(spread "$wall_plain" "$lo" "$hi" 1 "$d") | $(ratio "$wall_with" "$wall_plain")"
  echo "| ${code_label[$code]} | $compiler | $opt | $runs | $cells |"
}

echo "| code | compiler | opt | runs | CPU s with contracts | CPU s without | CPU ratio | goal <= $goal | wall s with | wall s without | wall ratio |"
echo "|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|"
for code in unit driver; do
  for compiler in gcc clang; do
    cc_command host "$compiler" -O0 contracts || continue
    for opt in -O0 -O2; do row "$code" "$compiler" "$opt"; done
  done
done

# Why: what the compiler reads, and where gcc spends the time.
preprocessed() { # compiler variant -> bytes of the preprocessed unit
  cc_command host "$1" -O0 "$2"
  "${cc[@]}" -E -P "$unit" | wc -c
}
# -ftime-report's columns are usr, sys, wall, memory, with "( n%)" after each but on TOTAL.
# Only usr: the report's own clock reads are system calls, which inflate sys with the number
# of timed events rather than the work.
phase() { # report-file phase-name -> user seconds of that -ftime-report line
  awk -v p="$2" -F: '$1 ~ "^ *" p " *$" { s = $2; gsub(/\( *[0-9]+%\)/, "", s); split(s, f, " "); print f[1] }' "$1"
}
echo
echo "| what (the generated unit) | with contracts | without | ratio |"
echo "|---|---:|---:|---:|"
for compiler in gcc clang; do
  cc_command host "$compiler" -O0 contracts || continue
  with=$(preprocessed "$compiler" contracts)
  without=$(preprocessed "$compiler" plain)
  echo "| bytes after preprocessing ($compiler -E -P) | $with | $without | $(ratio "$with" "$without") |"
done
for variant in contracts plain; do
  cc_command host gcc -O0 "$variant"
  "${cc[@]}" -ftime-report -c "$unit" -o "$work/report.o" 2>"$work/$variant.report"
done
for p in "phase parsing" "preprocessing" "lexical analysis" "phase opt and generate" "TOTAL"; do
  with=$(phase "$work/contracts.report" "$p")
  without=$(phase "$work/plain.report" "$p")
  echo "| gcc -O0 -ftime-report: $p, user s | $with | $without | $(ratio "$with" "$without") |"
done
