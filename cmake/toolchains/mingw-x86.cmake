# 32-bit x86 Windows kernel drivers with mingw-w64 (Debian: gcc-mingw-w64-i686, mingw-w64-i686-dev):
# the 0–31 IRQL numbering (HIGH_LEVEL 31) in a real kernel build.
set(IRQL_KERNEL_TRIPLE i686-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR X86)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-kernel.cmake)
