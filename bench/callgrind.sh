# Shared by the bench/*.sh scripts (sourced, not run): build a benchmark program in the release
# preset if needed, and count instructions with callgrind.
#   bench_program <target> [build-dir]   sets $program (and $work, a scratch directory)
#   count <op> [args…]                   instructions per iteration of bench_<op>, which runs
#                                        $iterations times: `$program <op> [args…] $iterations`
#   ratio <a> <b>                        a / b to two decimals
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bench_program() {
  local target=$1 build=${2:-build/release}
  if [[ ! -x $build/bench/$target ]]; then
    cmake --preset release >/dev/null
    cmake --build --preset release --target "$target" >/dev/null
  fi
  command -v valgrind >/dev/null || { echo "bench needs valgrind (apt-get install valgrind)" >&2; exit 1; }
  program=$build/bench/$target
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
}

# Callgrind counts only inside bench_<op> (--toggle-collect), so setup is not measured.
count() {
  local op=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$work/$op.out" --collect-atstart=no \
    --toggle-collect="bench_$op" "$program" "$op" "$@" "$iterations" >/dev/null 2>&1
  awk -v n="$iterations" '/^summary:/ { printf "%.1f", $2 / n }' "$work/$op.out"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
