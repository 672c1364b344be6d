#!/usr/bin/env bash
# run_wine.sh DRIVER.sys WORKDIR [SERVICE] — load the self-test driver under Wine's ntoskrnl as a kernel
# service (sc create / start / stop), then assert its result file: every check passed in
# DriverEntry and in DriverUnload, and nothing was skipped but what ALLOWED_SKIPS names (Wine's
# gaps, docs/building-drivers.md). Every step has a time limit; a crash's winedbg backtrace
# lands in the log, which is printed on failure. The prefix (WORKDIR/prefix, ~700 MB) is made
# once and reused.
set -uo pipefail
driver=$(realpath "$1")
work=$(realpath -m "$2")
name=${3:-IrqlSelfTest}
mkdir -p "$work"
log=$work/wine.log
: > "$log"

export WINEPREFIX=$work/prefix WINEDEBUG=warn+debugstr,+loaddll WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY

# Checks this driver may skip under Wine, each for a documented Wine gap.
ALLOWED_SKIPS=(
  "KMUTEX: 3 threads x 500 locked increments"      # Wine never hands a KMUTEX to a waiter
  "FAST_MUTEX: 3 threads x 500 locked increments"  # no IRQL model; no ExTryToAcquireFastMutex
  "SPIN_LOCK: 3 threads x 500 locked increments"   # no IRQL model
)

# Run a Wine command with a time limit, its output appended to the log (never a pipe: Wine's
# services inherit the descriptors and would hold a pipe open).
step() {
  local limit=$1; shift
  echo "+ $*" >> "$log"
  timeout --kill-after=10 "$limit" "$@" < /dev/null >> "$log" 2>&1
}

# Where a fault Wine reported lies in the driver: the faulting address less the load address
# (WINEDEBUG +loaddll) plus the image base, named by addr2line. Wine 8's winedbg prints no
# backtrace when it has no display, so this is the crash's location in the test output.
crash_site() {
  local fault load base
  fault=$(grep -aoE "Unhandled .* at address [0-9A-Fa-f]+" "$log" | tail -1 | awk '{print $NF}')
  load=$(grep -aE "Loaded L\".*\\\\$name\.sys\" at" "$log" | tail -1 |
    sed -E 's/.* at ([0-9A-Fa-f]+):.*/\1/')
  [[ -n $fault && -n $load ]] || return 0
  base=$(x86_64-w64-mingw32-objdump -p "$driver" | awk '/^ImageBase/ {print $2}')
  printf 'crash in %s at 0x%x: ' "$name.sys" $((16#$fault - 16#$load))
  x86_64-w64-mingw32-addr2line -f -p -e "$driver" \
    "$(printf '0x%x' $((16#$fault - 16#$load + 16#$base)))"
}

fail() {
  echo "FAIL: $*"
  crash_site
  echo "--- $log (last 120 lines) ---"
  tail -n 120 "$log"
  [[ -f $WINEPREFIX/drive_c/irql_selftest.txt ]] &&
    { echo "--- result file ---"; cat "$WINEPREFIX/drive_c/irql_selftest.txt"; }
  timeout 20 wineserver -k > /dev/null 2>&1
  exit 1
}

command -v wine > /dev/null || fail "wine is not installed (apt-get install wine wine64)"
timeout 20 wineserver -k > /dev/null 2>&1 # a server left by an earlier run

if [[ ! -f $WINEPREFIX/.irql-ready ]]; then
  rm -rf "$WINEPREFIX"
  step 180 wine wineboot --init || fail "wineboot"
  step 120 wineserver -w
  # DriverEntry may take longer than Wine's default 10 s service start limit (REG_SZ: Wine
  # ignores a DWORD here). No crash dialog: winedbg --auto prints the backtrace instead.
  step 60 wine reg add 'HKLM\System\CurrentControlSet\Control' /v ServicesPipeTimeout \
    /t REG_SZ /d 300000 /f || fail "reg add ServicesPipeTimeout"
  step 60 wine reg add 'HKCU\Software\Wine\WineDbg' /v ShowCrashDialog /t REG_DWORD /d 0 /f ||
    fail "reg add ShowCrashDialog"
  step 120 wineserver -w
  touch "$WINEPREFIX/.irql-ready"
fi

# Persistent: otherwise services.exe and winedevice.exe exit ~3 s after the last ordinary Wine
# process, and DriverUnload never runs.
step 20 wineserver -p || fail "wineserver -p"
rm -f "$WINEPREFIX/drive_c/irql_selftest.txt"
cp "$driver" "$WINEPREFIX/drive_c/windows/system32/drivers/$name.sys"
step 60 wine sc delete "$name" # from an earlier run; fails harmlessly when absent
step 60 wine sc create "$name" type= kernel start= demand \
  binPath= "C:\\windows\\system32\\drivers\\$name.sys" || fail "sc create"
step 180 wine sc start "$name" || fail "sc start (DriverEntry failed or the service did not start)"
step 120 wine sc stop "$name" || fail "sc stop (DriverUnload)"
# DriverUnload runs as sc stop returns; give its last lines a moment to reach the file.
for _ in $(seq 50); do
  grep -q "IrqlSelfTest: unload:" "$WINEPREFIX/drive_c/irql_selftest.txt" 2> /dev/null && break
  sleep 0.2
done
step 60 wine sc delete "$name"
timeout 20 wineserver -k > /dev/null 2>&1

result=$WINEPREFIX/drive_c/irql_selftest.txt
[[ -f $result ]] || fail "no result file (DriverEntry did not run, or ZwCreateFile failed)"
echo "--- $result ---"
cat "$result"
echo "--- DbgPrint (warn+debugstr) ---"
grep -a "IrqlSelfTest:" "$log" | sed 's/^.*vDbgPrintExWithPrefix [^ ]* //' | head -80

grep -q "FAIL" "$result" && fail "a check failed"
grep -qE "^IrqlSelfTest: entry: [1-9][0-9]* ok, 0 failed" "$result" || fail "no DriverEntry summary"
grep -qE "^IrqlSelfTest: unload: [1-9][0-9]* ok, 0 failed, 0 skipped" "$result" ||
  fail "no DriverUnload summary (DriverUnload did not run to the end)"
grep -qa "IrqlSelfTest: entry:" "$log" || fail "DriverEntry's DbgPrint output is missing"
grep -qaE "Unhandled exception|Backtrace:|unimplemented function" "$log" &&
  fail "Wine reported a crash or an unimplemented call"
while IFS= read -r line; do
  allowed=0
  for a in "${ALLOWED_SKIPS[@]}"; do [[ $line == "IrqlSelfTest: skip $a: "* ]] && allowed=1; done
  ((allowed)) || fail "skipped without a documented Wine gap: ${line#IrqlSelfTest: skip }"
done < <(grep "^IrqlSelfTest: skip " "$result")
echo "PASS: IrqlSelfTest loaded, ran and unloaded under Wine; $(grep -c '^IrqlSelfTest: ok' "$result") checks ok"
