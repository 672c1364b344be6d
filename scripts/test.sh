#!/usr/bin/env bash
# Every test: each CMake workflow preset (gcc with the compile-time suites, clang, ASan+UBSan,
# TSan, x86 IRQL numbering, the x64 kernel .sys run under Wine, the x86 kernel .sys)
# configured, built and run by ctest. Installs what it needs first.
#   scripts/test.sh              all presets
#   scripts/test.sh gcc tsan     only these
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh || exit 1

presets=("$@")
((${#presets[@]})) || presets=(gcc clang asan tsan x86-levels kernel kernel-x86)

passed=0 failed=0 broken=()
mkdir -p build
for preset in "${presets[@]}"; do
  echo "=== preset $preset ==="
  log=build/test-$preset.log
  cmake --workflow --preset "$preset" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [[ -n $summary ]]; then
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
    bad=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
    passed=$((passed + total - bad))
    failed=$((failed + bad))
  fi
  if ((status != 0)) || [[ -z $summary ]]; then
    broken+=("$preset")
    [[ -z $summary ]] && failed=$((failed + 1))
  fi
done

echo
if ((${#broken[@]})); then
  echo "presets with failures: ${broken[*]} (logs: build/test-<preset>.log)"
fi
echo "$passed passed, $failed failed"
((${#broken[@]} == 0))
