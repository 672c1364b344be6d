#!/usr/bin/env bash
# msvc_mode.sh ROOT — the public headers, the library's sources and both drivers compile with
# clang in MSVC-compatibility mode (the compiler of a Visual Studio / clang-cl driver build)
# against mingw-w64's DDK headers, warnings as errors. -fgnuc-version: mingw's own headers
# drop __attribute__ when __GNUC__ is undefined; irql's headers take their MSVC paths anyway.
set -euo pipefail
root=$1
ddk=/usr/x86_64-w64-mingw32/include
flags=(--target=x86_64-pc-windows-msvc -fms-compatibility -fms-extensions -fgnuc-version=4.2.1
  -std=c11 -ffreestanding -fsyntax-only -Wall -Wextra -Wno-multichar -Werror
  -isystem "$ddk/ddk" -isystem "$ddk" -I"$root/include")
all=$(mktemp --suffix=.c)
trap 'rm -f "$all"' EXIT
printf '#include <ntddk.h>\n' > "$all"
for header in "$root"/include/irql/*.h; do
  [[ $(basename "$header") == ddi_table.h ]] && continue # included by ddi.h only
  printf '#include <irql/%s>\n' "$(basename "$header")" >> "$all"
done
n=0
for source in "$all" "$root"/src/*.c "$root"/examples/counter_driver/counter_driver.c \
  "$root"/tests/kernel/selftest.c; do
  clang "${flags[@]}" "$source"
  n=$((n + 1))
done
for defines in "-D_PREFAST_" "-DIRQL_NO_CONTRACTS"; do
  clang "${flags[@]}" $defines "$all"
  n=$((n + 1))
done
echo "$n translation units compile in clang's MSVC mode against the mingw-w64 DDK"
