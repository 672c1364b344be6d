#!/usr/bin/env bash
# Every benchmark, one command: builds the bench programs in a release tree, runs bench/*.sh
# and writes docs/performance.md — each table with the command that produced it, the machine
# it ran on, and a headline table — plus the plots docs/perf-*.svg.
#   scripts/bench.sh [build-dir]   (default: build/release, the `release` preset's directory)
# About 10 minutes on a 2-CPU machine, most of it compiling the generated 5 000-function unit
# (bench/compile_time.sh). Needs valgrind; the kernel rows need mingw-w64 (gcc-mingw-w64-x86-64).
# The report is written only when every benchmark has finished, so a failed run leaves the
# previous one in place.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
report=docs/performance.md
started=$SECONDS

command -v valgrind >/dev/null ||
  { echo "scripts/bench.sh needs valgrind: apt-get install -y valgrind" >&2; exit 1; }
echo "== configure and build (release) in $build"
if [[ ! -f $build/CMakeCache.txt ]] && ! log=$(cmake --preset release -B "$build" 2>&1) ||
  ! log=$(cmake --build "$build" --target bench_host_ops bench_lock_pairs bench_registry \
          bench_pool_ops 2>&1); then
  echo "$log" >&2
  exit 1
fi
work=$build/bench-report
rm -rf "$work"
mkdir -p "$work"
export BENCH_PLOT_DATA=$work/points.tsv
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# run <name> <command…>: runs one benchmark script, keeps its output in $work/<name>.md and
# the command line and duration for the report.
declare -A command_of seconds_of
run() {
  local name=$1 start=$SECONDS
  shift
  echo "== $*"
  "$@" >"$work/$name.md"
  command_of[$name]="$*"
  seconds_of[$name]=$((SECONDS - start))
}
run zerocost bench/zerocost.sh "$work/zerocost"
run compile_time bench/compile_time.sh "$work/compile"
run lock_pairs bench/lock_pairs.sh "$build"
run lock_contended bench/lock_contended.sh "$build"
run registry bench/registry.sh "$build"
run host_ops bench/host_ops.sh "$build"
run pool_ops bench/pool_ops.sh "$build"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- Plots ------------------------------------------------------------------------------
plot() { # id file title xlabel ylabel [logx]
  awk -F '\t' -v plot="$1" -v title="$3" -v xlabel="$4" -v ylabel="$5" -v logx="${6:-0}" \
    -f bench/plot_svg.awk "$BENCH_PLOT_DATA" >"$work/$2"
}
plot registry perf-registry.svg "Registry lookup cost by number of keys (callgrind)" \
  "registered keys (log scale)" "instructions per lookup" 1
plot registry-wall perf-registry-wall.svg "Registry lookups by number of keys, 1 thread (wall clock, median)" \
  "registered keys (log scale)" "million lookups per second" 1
plot locks perf-locks.svg "Lock throughput by number of threads, one lock (wall clock, median)" \
  "threads" "million acquire + release pairs per second"

# ---- Headline figures, read back from the tables ------------------------------------------
# rows <name> [n]: the data rows of the n-th table (default 1) of a script's output, as
# "|"-separated fields with the padding trimmed.
rows() {
  awk -F '|' -v want="${2:-1}" '
    !/^\|/ { inside = 0; next }
    !inside { inside = 1; table++; next }       # the header row
    /^\|[-:| ]+\|$/ { next }                   # the separator row
    table == want { for (i = 2; i < NF; i++) { gsub(/^ +| +$/, "", $i); printf "%s%s", $i, i < NF - 1 ? "|" : "\n" } }
  ' "$work/$1.md"
}
# range <name> <column> [row-pattern]: lowest–highest of a column of table 1.
range() { rows "$1" | awk -F '|' -v c="$2" -v p="${3:-.}" '$0 ~ p { v = $c + 0; if (!n++ || v < lo) lo = v; if (n == 1 || v > hi) hi = v } END { printf "%.2f–%.2f", lo, hi }'; }
# each <name> <column> [row-pattern]: "first-field value" for every matching row of table 1.
each() { rows "$1" | awk -F '|' -v c="$2" -v p="${3:-.}" '$0 ~ p { printf "%s%s %s", n++ ? ", " : "", $1, $c }'; }
# cell <name> <row-pattern> <column>: one cell of table 1.
cell() { rows "$1" | awk -F '|' -v p="$2" -v c="$3" '$0 ~ p { print $c; exit }'; }
kinds='^(kmutex|fast_mutex|guarded_mutex|spin_lock|queued_spin_lock|resource|push_lock)[|]'

# Zero cost, one row per configuration: "identical", or how the object differs.
zerocost_summary=$(rows zerocost | awk -F '|' '
  $3 == "" { print "| " $1 " | " $2 " | | not installed | | |"; next }
  { key = $1 " | " $2 " | " $3
    v = $9 == "yes" ? "identical" : ($7 == 0 ? "differs, same size" : sprintf("differs, %+d B .text", $7))
    if (!(key in cells)) order[++n] = key
    cells[key] = cells[key] " | " v }
  END { for (i = 1; i <= n; i++) print "| " order[i] cells[order[i]] " |" }')
# The configurations whose three codes are all identical, and the others.
# "host gcc -O0/-O2" style: a configuration and the levels at which all three codes match.
zerocost_verdict=$(rows zerocost | awk -F '|' '
  function add(list, item) { return list (list == "" ? "" : ", ") item }
  $3 == "" { next }
  { cfg = ($1 ~ /^host/ ? "host " : "kernel ") ($2 ~ /clang/ ? "clang" : "gcc")
    if (!(cfg in seen)) { seen[cfg] = 1; order[++n] = cfg }
    if (!((cfg, $3) in bad)) { bad[cfg, $3] = 0; opts[cfg] = opts[cfg] " " $3 }
    if ($9 != "yes") bad[cfg, $3] = 1 }
  END {
    for (i = 1; i <= n; i++) {
      m = split(opts[order[i]], o, " "); good = ""; poor = ""
      for (j = 1; j <= m; j++) if (bad[order[i], o[j]]) poor = poor (poor == "" ? "" : "/") o[j]; else good = good (good == "" ? "" : "/") o[j]
      if (good != "") same = add(same, order[i] " " good)
      if (poor != "") differ = add(differ, order[i] " " poor)
    }
    printf "identical: %s; %s", same == "" ? "none" : same, differ == "" ? "nothing differs" : "**differs: " differ "**"
  }')
compile_summary=$(rows compile_time | awk -F '|' '$1 ~ /^generated/ { printf "%s%s %s %s×", n++ ? ", " : "", $2, $3, $7 }')
compile_goal=$(rows compile_time | awk -F '|' '$1 ~ /^generated/ && $8 !~ /^met/ { bad++ } END { print bad ? "**not met**" : "met" }')
# verdict <value> <op> <bound>: "met" or "**not met**" (value: the first number in it).
verdict() { awk -v v="$1" -v op="$2" -v b="$3" 'BEGIN { v += 0; ok = op == "<=" ? v <= b : op == "<" ? v < b : v >= b; print ok ? "met" : "**not met**" }'; }
highest() { local r; r=$(range "$@"); echo "${r#*–}"; }
registry_1000=$(cell registry '^1000[|]' 5)
registry_100000=$(cell registry '^100000[|]' 5)

elapsed=$((SECONDS - started))
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""
git diff --quiet HEAD -- 2>/dev/null || dirty=" plus uncommitted changes"
version() { if command -v "$1" >/dev/null; then "$@" 2>&1 | sed -n 1p; else echo "not installed"; fi; }

# ---- The report ---------------------------------------------------------------------------
{
  cat <<EOF
# Performance

Generated by \`scripts/bench.sh $build\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit$dirty,
in $((elapsed / 60)) min $((elapsed % 60)) s. Do not edit by hand: run the command again. Every table below names the
command that produced it; run that command alone to reproduce just that table.

**Instruction counts are the primary figures**: callgrind counts exactly the instructions of the
measured loop, the same on every run and unaffected by other load. **Wall-clock figures are
medians with (min–max)**, and this machine is shared with other work (load average
$load_before at the start, $load_after at the end): read them as orders of magnitude and
ratios measured side by side, not as absolute speeds. Compile times are CPU time (user + sys),
which waiting for a CPU does not inflate, with wall clock beside them.

## Machine

| | |
|---|---|
| CPUs (nproc) | $(nproc) |
| CPU | $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo) |
| memory | $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |
| OS, kernel | $( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null), Linux $(uname -r) |
| host compilers | $(version gcc --version); $(version clang --version) |
| kernel compiler | $(version x86_64-w64-mingw32-gcc --version) (mingw-w64 DDK), and clang --target=x86_64-w64-mingw32 |
| C library | $(version ldd --version) |
| tools | $(version valgrind --version), $(version cmake --version) |
| bench build | \`cmake --preset release -B $build\` (gcc, CMAKE_BUILD_TYPE=Release: -O3) |

## Headline numbers

| what | result | goal | command |
|---|---|---|---|
| zero cost: whole object with vs without contracts, example driver + library + generated unit ([details](#zero-cost-on-real-code)) | $zerocost_verdict | identical | \`${command_of[zerocost]}\` |
| compile time of the 5 000-function unit, with / without contracts (CPU) | $compile_summary | ≤ 1.15× — $compile_goal | \`${command_of[compile_time]}\` |
| lock wrapper / raw WDK pair, uncontended (instructions) | $(range lock_pairs 4)× over 6 kinds; scoped form / explicit $(range lock_pairs 6)× | ≤ 1.10× — $(verdict "$(highest lock_pairs 4)" "<=" 1.10); scoped = explicit | \`${command_of[lock_pairs]}\` |
| contended, 2 threads: wrapper / raw WDK pair (Mops/s, medians) | $(each lock_contended 4 "$kinds") | | \`${command_of[lock_contended]}\` |
| contended, 2 threads: wrapper / pthread mutex (Mops/s, medians) | $(each lock_contended 6 "$kinds") | | \`${command_of[lock_contended]}\` |
| registry lookup vs ordered map (instructions; map / string, map / key object) | 1 000 keys: $registry_1000; 100 000 keys: $registry_100000 | key object ≥ 3× at 1 000 keys — $(verdict "${registry_1000#*/ }" ">=" 3) | \`${command_of[registry]}\` |
| host kernel: KeRaiseIrql + KeLowerIrql | $(cell host_ops '^raise_lower' 2) instructions | < 50 — $(verdict "$(cell host_ops '^raise_lower' 2)" "<" 50) | \`${command_of[host_ops]}\` |
| host kernel: lock pairs / pthread mutex pair (instructions) | $(range host_ops 3 "$kinds")× over 7 forms | ≤ 3× — $(verdict "$(highest host_ops 3 "$kinds")" "<=" 3) | \`${command_of[host_ops]}\` |
| host kernel: pool allocate + free / malloc + free (instructions) | $(range host_ops 3 '^pool_')× | none (a checking allocator) | \`${command_of[host_ops]}\` |
| pool box / raw ExAllocatePool2 + ExFreePoolWithTag (instructions) | $(cell pool_ops '^IRQL_BOX_NEW' 3)× | | \`${command_of[pool_ops]}\` |

Zero cost per configuration (example driver | library | generated unit):

| target | compiler | opt | example driver | library | generated unit |
|---|---|---|---|---|---|
$zerocost_summary

## Zero cost on real code

\`${command_of[zerocost]}\` (${seconds_of[zerocost]} s) — source \`bench/zerocost.sh\`, flags
\`bench/compilers.sh\`, generator \`bench/gen_unit.awk\`.

Each code is compiled twice, with contracts and with \`IRQL_NO_CONTRACTS\`: the example driver
(\`examples/counter_driver/counter_driver.c\`), every file of the library (\`src/*.c\`, summed) and
a generated unit of 5 000 driver-shaped functions that uses every contract form (\`IRQL_MAX\`,
\`IRQL_AT\`, \`IRQL_RANGE\`, \`IRQL_ENTER\`, \`IRQL_CALL\`, \`IRQL_RAISE\`, \`IRQL_CONTEXT\`,
\`IRQL_CALLBACK\`, \`IRQL_FN_INIT\` + \`IRQL_CALL_FN\`). Host: \`-DIRQL_HOST=1
-DIRQL_RUNTIME_CHECKS=0\` (the run-time backstop off, as in a release kernel build; with it on,
\`IRQL_ENTER\` adds a real IRQL test by design). Windows kernel: mingw-w64's DDK with the flags of
\`cmake/toolchains/mingw-kernel.cmake\`, by \`x86_64-w64-mingw32-gcc\` and by clang for the same
target. ".text" sums every \`.text*\` section (the kernel flags give each function its own);
"whole object" compares every section's contents, the relocations and the symbol table.

$(cat "$work/zerocost.md")

Where clang at -O0 differs, it is because it does not fold what the contracts leave behind, in
three ways (read from the disassembly of such objects): every context pointer the contracts declare
(\`irql__ctx\`, never read) gets a stack slot, so frames grow and offsets shift (same
instructions; on the host the sizes even match); \`IRQL__CHECKED\`'s \`sizeof(…) ? X : X\` is
compiled as a real branch, with a dead second copy of X — one per \`IRQL_WITH\` and pool macro
in the driver; and in \`IRQL_RAISE\` the same \`?:\` promotes the old KIRQL to \`int\`, one
\`movzbl\` per raise. \`tests/zerocost\` requires identity for gcc -O0/-O2 and clang -O2 only.

## Compile time

\`${command_of[compile_time]}\` (${seconds_of[compile_time]} s) — source \`bench/compile_time.sh\`.

$(cat "$work/compile_time.md")

The second table is the cause: the contracts are parsed, not compiled. Every \`IRQL_CALL\`
expands to four \`_Static_assert\`s inside a \`sizeof(struct { … })\`, each re-deriving the
minimum, maximum and mark of both ranges from \`sizeof\` arithmetic — about 1.7 KB of tokens per
call — and every contract declaration to two more. The generated unit is nothing but such
constructs around a few statements each, so it is the worst case; gcc's code generation
(\`phase opt and generate\`) barely changes, while parsing grows by an order of magnitude. The
example driver, real code, is shown for scale.

## Locks: wrappers against the raw WDK calls

\`${command_of[lock_pairs]}\` (${seconds_of[lock_pairs]} s) — source \`bench/lock_pairs.c\`.
Callgrind instructions per uncontended acquire + release (and an increment of the protected
value), three ways per kind: the raw WDK pair a careful driver writes, the checked explicit API
(\`IrqlXxxLock\` + \`IrqlXxxUnlock\`), and the scoped form (\`IRQL_WITH\`). What the extra
instructions buy: [docs/locks.md](locks.md#cost).

$(cat "$work/lock_pairs.md")

## Locks under contention

\`${command_of[lock_contended]}\` (${seconds_of[lock_contended]} s) — source \`bench/lock_pairs.c\`
(\`contended\` mode, \`bench/bench.c\`). Each kind's loop — acquire, increment, release — runs on
several host-kernel system threads at once, all on one lock, against the same loop around a
pthread mutex. There is no instruction count for waiting, so these are wall clock only: million
acquire + release pairs per second over all threads. Each thread is pinned to its own CPU
(left to the scheduler, two threads often share one CPU and never contend) and every run lasts
a fixed time from a common start (with a fixed count, a thread that wins the lock more often
finishes early and the other then runs alone). With more threads than CPUs, threads share
CPUs again. Other jobs on the machine still take CPUs away: compare medians side by side.

$(cat "$work/lock_contended.md")

![Lock throughput by number of threads](perf-locks.svg)

## Registry lookups against an ordered map

\`${command_of[registry]}\` (${seconds_of[registry]} s) — source \`bench/registry.c\`. A lookup is
\`IRQL_GRT_GET\` + \`IrqlGrtRelease\`, by string or through an \`IRQL_GRT_KEY\` (hints warm); the
baseline is what wdk-mutex does, a string-keyed AVL tree descent with \`strcmp\` plus a type
check, without lock or reference. Callgrind counts 20 000 lookups in a fixed pseudo-random order;
wall clock is 2 000 000 lookups per thread, median (min–max) of 5 runs, both threads looking up
the same keys. More: [docs/registry.md](registry.md#performance).

$(cat "$work/registry.md")

![Registry: instructions per lookup by number of keys](perf-registry.svg)

![Registry: lookups per second by number of keys](perf-registry-wall.svg)

## Host kernel hot paths

\`${command_of[host_ops]}\` (${seconds_of[host_ops]} s) — source \`bench/host_ops.c\`. Raise/lower,
one uncontended acquire + release per lock kind and a 64-byte pool allocation + free, against a
pthread mutex pair and malloc + free measured in the same run, all in a multi-threaded process
(as a driver's always is). The last row is why: a process that never had a second thread takes
glibc's single-threaded \`pthread_mutex_lock\`, which has no atomic instructions — compare its
wall clock with the baseline's. More: [docs/host-kernel.md](host-kernel.md).

$(cat "$work/host_ops.md")

## Pool wrappers

\`${command_of[pool_ops]}\` (${seconds_of[pool_ops]} s) — source \`bench/pool_ops.c\`. The boxes and
vectors of \`<irql/pool.h>\` against the raw routines on the host kernel. More:
[docs/pool.md](pool.md).

$(cat "$work/pool_ops.md")
EOF
} >"$work/performance.md"

cp "$work"/perf-*.svg docs/
mv "$work/performance.md" "$report"
echo "wrote $report and docs/perf-*.svg in $((elapsed / 60)) min $((elapsed % 60)) s"
