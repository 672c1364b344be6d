# Shared by the mingw-w64 kernel toolchains: a kernel-mode build (no CRT, no user-mode
# headers) against mingw-w64's DDK. The including toolchain sets IRQL_KERNEL_TRIPLE first.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_C_COMPILER ${IRQL_KERNEL_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${IRQL_KERNEL_TRIPLE}-g++)
set(CMAKE_RC_COMPILER ${IRQL_KERNEL_TRIPLE}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${IRQL_KERNEL_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# The DDK replaces the user-mode SDK: <wdm.h> and <ntddk.h> come from include/ddk.
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES /usr/${IRQL_KERNEL_TRIPLE}/include/ddk)
# -ffreestanding: no hosted library; no stack protector or stack probes (both need CRT
# helpers a driver does not have); --param=min-pagesize=0: gcc 12 otherwise takes the DDK's
# __readgsqword(0x188) (KeGetCurrentThread) for an access to a null pointer (-Warray-bounds).
set(CMAKE_C_FLAGS_INIT "-ffreestanding -fno-stack-protector -mno-stack-arg-probe --param=min-pagesize=0 -ffunction-sections -fdata-sections")
set(IRQL_KERNEL ON CACHE BOOL "Build for the kernel (a .sys) instead of the host kernel" FORCE)
