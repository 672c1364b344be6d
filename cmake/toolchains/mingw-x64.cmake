# x86-64 Windows kernel drivers with mingw-w64 (Debian: gcc-mingw-w64-x86-64, mingw-w64-x86-64-dev).
set(IRQL_KERNEL_TRIPLE x86_64-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-kernel.cmake)
