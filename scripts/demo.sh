#!/usr/bin/env bash
# The demo: builds irql, loads the example driver (examples/counter_driver) on the host kernel
# and unloads it with Driver Verifier's checks, then shows the compile error a wrong call gives.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset gcc >/dev/null
cmake --build --preset gcc --target counter_demo >/dev/null
build/gcc/examples/counter_driver/counter_demo
echo
echo "== a wrong call does not compile: examples/contracts_demo/bad_call.c =="
if gcc -std=c11 -Iinclude -Ihost/include -DIRQL_HOST=1 -fsyntax-only \
     examples/contracts_demo/bad_call.c 2>build/bad_call.txt; then
  echo "bad_call.c compiled: that is a bug" >&2
  exit 1
fi
grep -m1 "IRQL violation" build/bad_call.txt | sed -e 's/^[^"]*"//' -e 's/"$//' -e 's/\\//g' -e 's/^/    /'
