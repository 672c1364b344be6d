# shellcheck shell=bash
# Shared by the bench/*.sh scripts (sourced, not run): build a benchmark program in a release
# build, count instructions with callgrind, take wall-clock medians.
#   bench_program <target> [build-dir]   build <target> (configuring the release preset into
#                                        build-dir, default build/release, if needed); sets
#                                        $build, $program and $work (a scratch directory)
#   callgrind <function> <per> <cmd…>    instructions inside <function> (and what it calls)
#                                        while <cmd…> runs, divided by <per>
#   count <op> [args…]                   instructions per iteration of bench_<op>, which runs
#                                        $iterations times: `$program <op> [args…] $iterations`
#                                        (after the options in the array $flags, if set)
#   repeat <n> <cmd…>                    run <cmd…> n times, one after the other
#   stats <cmd…>                         "median min max" of the numbers <cmd…> prints, one a
#                                        line (stats repeat 5 <cmd…>: five separate runs)
#   spread <median> <min> <max> [scale] [decimals]   "median (min–max)", each divided by scale
#   ratio <a> <b>                        a / b to two decimals
#   plot_point <plot> <series> <x> <y>   append a point to $BENCH_PLOT_DATA, if set (the
#                                        report's plots: bench/plot_svg.awk)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bench_program() {
  local target=$1
  build=${2:-build/release}
  # Always build: a stale binary would report the numbers of old sources. Configure only a
  # directory that has never been configured (any Release build of the project works).
  local log
  if [[ ! -f $build/CMakeCache.txt ]] && ! log=$(cmake --preset release -B "$build" 2>&1) ||
    ! log=$(cmake --build "$build" --target "$target" 2>&1); then
    echo "$log" >&2
    exit 1
  fi
  command -v valgrind >/dev/null || { echo "bench needs valgrind (apt-get install valgrind)" >&2; exit 1; }
  program=$build/bench/$target
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
}

# Callgrind counts only inside <function> (--toggle-collect), so setup is not measured.
callgrind() {
  local function=$1 per=$2 out
  shift 2
  out=$(mktemp "$work/callgrind.XXXXXX")
  valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
    --toggle-collect="$function" "$@" >/dev/null 2>&1
  awk -v n="$per" '/^summary:/ { printf "%.1f", $2 / n }' "$out"
}

count() {
  local op=$1
  shift
  callgrind "bench_$op" "$iterations" "$program" ${flags[@]+"${flags[@]}"} "$op" "$@" "$iterations"
}

repeat() {
  local n=$1 i
  shift
  for ((i = 0; i < n; i++)); do "$@"; done
}

stats() {
  "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s %s %s\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

spread() {
  awk -v m="$1" -v lo="$2" -v hi="$3" -v s="${4:-1}" -v d="${5:-1}" \
    'BEGIN { f = "%." d "f"; printf f " (" f "–" f ")", m / s, lo / s, hi / s }'
}

# Two decimals; two significant digits below 0.1, where two decimals would print 0.00.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf r < 0.1 ? "%.2g" : "%.2f", r }'; }

plot_point() {
  if [[ -n ${BENCH_PLOT_DATA:-} ]]; then printf '%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_PLOT_DATA"; fi
}
