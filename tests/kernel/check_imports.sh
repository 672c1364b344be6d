#!/usr/bin/env bash
# check_imports.sh DRIVER.sys NTOSKRNL.exe HAL.dll — every routine DRIVER imports from
# ntoskrnl.exe or hal.dll must be one that Wine implements: exported and not one of Wine's
# generated stubs (__wine_stub_<name>, which abort when called). A missing export fails the
# load; a stub fails at the first call, perhaps long after. Prints each import's verdict.
set -euo pipefail
driver=$1 ntoskrnl=$2 hal=$3
objdump=${OBJDUMP:-x86_64-w64-mingw32-objdump}

# Names exported by a Wine PE module, and the subset that are stubs.
exports() { "$objdump" -p "$1" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' |
  sed -nE 's/^\s*\[\s*[0-9]+\] ([A-Za-z_][A-Za-z0-9_@]*)$/\1/p' | sort -u; }
stubs() { "$objdump" -t "$1" | sed -nE 's/.* __wine_stub_([A-Za-z_][A-Za-z0-9_@]*)$/\1/p' | sort -u; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for module in "$ntoskrnl" "$hal"; do
  name=$(basename "$module" | tr 'A-Z' 'a-z')
  exports "$module" > "$work/$name.exports"
  stubs "$module" > "$work/$name.stubs"
  if [[ ! -s $work/$name.exports ]]; then
    echo "cannot read the exports of $module"; exit 2
  fi
  if [[ ! -s $work/$name.stubs ]]; then
    # Without the stub symbols a stub is indistinguishable from a routine: refuse to guess.
    echo "no __wine_stub_ symbols in $module: cannot tell stubs from routines"; exit 2
  fi
done

# The import table: "DLL Name: x" then one "<hint> <name>" line per import.
"$objdump" -p "$driver" | awk '
  /DLL Name:/ { dll = tolower($3); next }
  dll != "" && /^[ \t]+[0-9a-f]+[ \t]+[0-9]+[ \t]+[A-Za-z_@]/ { print dll, $3 }
  /^$/ { if (dll != "") dll = "" }' | sort -u > "$work/imports"
[[ -s $work/imports ]] || { echo "no imports read from $driver"; exit 2; }

bad=0 total=0
while read -r dll routine; do
  total=$((total + 1))
  if [[ ! -f $work/$dll.exports ]]; then
    echo "FAIL $dll!$routine: imports from a module other than ntoskrnl.exe and hal.dll"; bad=1
  elif ! grep -qx "$routine" "$work/$dll.exports"; then
    echo "FAIL $dll!$routine: not exported by Wine (the driver would not load)"; bad=1
  elif grep -qx "$routine" "$work/$dll.stubs"; then
    echo "FAIL $dll!$routine: a Wine stub (aborts when called)"; bad=1
  else
    echo "ok   $dll!$routine"
  fi
done < "$work/imports"
echo "$(basename "$driver"): $total imports, $([[ $bad == 0 ]] && echo "all implemented by Wine" || echo "some not implemented by Wine")"
exit $bad
