#!/usr/bin/env bash
# Installs what building and testing irql needs on Debian 12, or says exactly what is missing.
# Used by scripts/demo.sh and scripts/test.sh; safe to run again (installs only what is absent).
set -euo pipefail

# command → Debian package that provides it
declare -A needs=(
  [cmake]=cmake [ninja]=ninja-build [gcc]=gcc [g++]=g++ [clang]=clang [clang++]=clang [objcopy]=binutils
  [objdump]=binutils [nm]=binutils
  # kernel presets: .sys builds (x64, x86) and Wine to load them
  [x86_64-w64-mingw32-gcc]=gcc-mingw-w64-x86-64 [i686-w64-mingw32-gcc]=gcc-mingw-w64-i686
  [x86_64-w64-mingw32-dlltool]=binutils-mingw-w64-x86-64 [wine]=wine
)
# packages whose presence no command shows
extra_packages=(libclang-rt-14-dev mingw-w64-x86-64-dev mingw-w64-i686-dev wine64)

missing=()
for cmd in "${!needs[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${needs[$cmd]}")
done
for pkg in "${extra_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "irql needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
