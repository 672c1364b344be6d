#!/usr/bin/env bash
# Zero cost on real code: the example driver (examples/counter_driver/counter_driver.c), the
# library's sources (src/*.c) and a generated 5 000-function unit (bench/gen_unit.awk), each
# compiled with contracts and with IRQL_NO_CONTRACTS, by gcc and clang at -O0 and -O2, for the
# host kernel and for the Windows kernel (mingw-w64's DDK, the flags of the kernel toolchain;
# bench/compilers.sh). Reports the .text bytes (every .text* section: the kernel flags put each
# function in its own) and whether .text, and the whole object (every section's contents, the
# relocations and the symbol table), are byte-identical. tests/zerocost proves the same for a
# small unit on every test run and fails on a difference; this measures and reports instead.
# Prints a Markdown table.   bench/zerocost.sh [work-dir]   (default: a temporary directory)
source "$(dirname "$0")/compilers.sh"
work_dir "${1:-}"
generate_unit "$work/unit.c"

configs=("host gcc" "host clang" "kernel gcc" "kernel clang")
opts=(-O0 -O2)
library=(src/*.c)
units=(driver library unit)
declare -A unit_label=([driver]="example driver" [library]="library (${#library[@]} files in src/)"
                       [unit]="generated, 5 000 functions")
declare -A sources=([driver]=examples/counter_driver/counter_driver.c [library]="${library[*]}"
                    [unit]="$work/unit.c")

# One object's figures: ".text bytes, hash of .text contents, hash of everything".
inspect() {
  local bytes text whole
  bytes=$(size -A "$1" | awk '$1 ~ /^\.text/ { s += $2 } END { print s + 0 }')
  # objdump -s dumps every section's contents; its file-name line is dropped.
  text=$(objdump -s "$1" | grep -v 'file format' |
    awk '/^Contents of section / { keep = $4 ~ /^\.text/ } keep' | sha256sum)
  whole=$({ objdump -s "$1"; objdump -r "$1"; objdump -t "$1"; } | grep -v 'file format' | sha256sum)
  echo "$bytes ${text%% *} ${whole%% *}"
}

# One configuration and code: compile both variants of every source, compare, write one line
# "with-bytes without-bytes text-identical-files whole-identical-files files" to $4.
measure() {
  local target=$1 compiler=$2 opt=$3 out=$4 unit=$5 source variant obj
  local with=0 without=0 same_text=0 same_whole=0 files=0 a b
  for source in ${sources[$unit]}; do
    for variant in contracts plain; do
      cc_command "$target" "$compiler" "$opt" "$variant"
      obj=$out.$(basename "$source").$variant.o
      "${cc[@]}" -c "$source" -o "$obj" 2>"$obj.log" || { cat "$obj.log" >&2; return 1; }
    done
    read -r -a a < <(inspect "$out.$(basename "$source").contracts.o")
    read -r -a b < <(inspect "$out.$(basename "$source").plain.o")
    with=$((with + a[0])) without=$((without + b[0])) files=$((files + 1))
    [[ ${a[1]} == "${b[1]}" ]] && same_text=$((same_text + 1))
    [[ ${a[2]} == "${b[2]}" ]] && same_whole=$((same_whole + 1))
  done
  echo "$with $without $same_text $same_whole $files" >"$out"
}

verdict() { # identical-files files -> yes / no (k of n files differ)
  if (($1 == $2)); then echo "yes"; elif (($2 == 1)); then echo "**no**"; else
    echo "**no** ($(($2 - $1)) of $2 files differ)"; fi
}

# Every measurement is independent: run as many at once as there are CPUs.
jobs=$(nproc)
declare -A result available
for config in "${configs[@]}"; do
  read -r target compiler <<<"$config"
  available[$config]=1
  cc_command "$target" "$compiler" -O0 contracts || { available[$config]=0; continue; }
  for opt in "${opts[@]}"; do
    for unit in "${units[@]}"; do
      result[$config $opt $unit]=$work/$target-$compiler$opt-$unit
      while (($(jobs -rp | wc -l) >= jobs)); do wait -n; done
      measure "$target" "$compiler" "$opt" "${result[$config $opt $unit]}" "$unit" &
    done
  done
done
while (($(jobs -rp | wc -l) > 0)); do wait -n; done

echo "| target | compiler | opt | code | .text bytes with contracts | without | difference | .text identical | whole object identical |"
echo "|---|---|---|---|---:|---:|---:|---|---|"
for config in "${configs[@]}"; do
  read -r target compiler <<<"$config"
  label=$([[ $target == host ]] && echo "host kernel" || echo "Windows kernel (mingw-w64 DDK)")
  if ((!available[$config])); then
    echo "| $label | $compiler | | | | | | not installed | |"
    continue
  fi
  [[ $target == kernel && $compiler == gcc ]] && compiler=$kernel_triple-gcc
  [[ $target == kernel && $compiler == clang ]] && compiler="clang --target=$kernel_triple"
  for opt in "${opts[@]}"; do
    for unit in "${units[@]}"; do
      read -r with without same_text same_whole files <"${result[$config $opt $unit]}"
      echo "| $label | $compiler | $opt | ${unit_label[$unit]} | $with | $without | $((with - without)) |" \
           "$(verdict "$same_text" "$files") | $(verdict "$same_whole" "$files") |"
    done
  done
done
