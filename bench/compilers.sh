# shellcheck shell=bash
# Shared by bench/zerocost.sh and bench/compile_time.sh (sourced, not run): the compilers and
# flags the contracts are measured with, and the generated translation unit.
#   cc_command <target> <compiler> <opt> <variant>
#       sets the array $cc: the command that compiles C for that configuration, without the
#       source and -c/-o. target: host (the host kernel's <wdm.h>) or kernel (mingw-w64's DDK,
#       x86-64, the flags of cmake/toolchains/mingw-kernel.cmake); compiler: gcc or clang;
#       variant: contracts or plain (IRQL_NO_CONTRACTS). Returns 1 if the compiler is missing.
#   generate_unit <file> [functions]
#       writes the generated driver-shaped unit (bench/gen_unit.awk; 5000 functions)
#   work_dir [dir]
#       sets $work: dir (created), or a temporary directory removed on exit
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

kernel_triple=x86_64-w64-mingw32
kernel_ddk=/usr/$kernel_triple/include/ddk
# The kernel build's own flags, read from its toolchain file so the two cannot drift apart.
read -r -a kernel_flags < <(sed -n 's/^set(CMAKE_C_FLAGS_INIT "\(.*\)")$/\1/p' \
  cmake/toolchains/mingw-kernel.cmake)

cc_command() {
  local target=$1 compiler=$2 opt=$3 variant=$4 flag
  # Warnings do not change the code; pool tags are multi-character literals (host/CMakeLists.txt).
  local common=(-std=c11 "$opt" -Wno-multichar -I include)
  [[ $variant == plain ]] && common+=(-DIRQL_NO_CONTRACTS)
  if [[ $target == host ]]; then
    command -v "$compiler" >/dev/null || return 1
    # The run-time backstop off, as in a release kernel build: what is left is the contracts.
    cc=("$compiler" "${common[@]}" -DIRQL_HOST=1 -DIRQL_RUNTIME_CHECKS=0 -I host/include)
  elif [[ $compiler == gcc ]]; then
    command -v "$kernel_triple-gcc" >/dev/null || return 1
    cc=("$kernel_triple-gcc" "${common[@]}" "${kernel_flags[@]}" -isystem "$kernel_ddk")
  else
    command -v clang >/dev/null && command -v "$kernel_triple-gcc" >/dev/null || return 1
    # clang for the same target with the same headers; --param is gcc's alone.
    cc=(clang "--target=$kernel_triple" "${common[@]}")
    for flag in "${kernel_flags[@]}"; do [[ $flag == --param=* ]] || cc+=("$flag"); done
    cc+=(-isystem "$kernel_ddk" -isystem "/usr/$kernel_triple/include")
  fi
}

work_dir() {
  work=${1:-}
  if [[ -z $work ]]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
  fi
  mkdir -p "$work"
}

generate_unit() {
  awk -v n="${2:-5000}" -f bench/gen_unit.awk >"$1"
}
