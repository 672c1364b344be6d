# irql_add_driver(Name Source…) — a Windows kernel driver Name.sys built with mingw-w64 from
# Source… and linked with irql::irql, ntoskrnl and hal (kernel builds: IRQL_KERNEL, set by
# cmake/toolchains/mingw-*.cmake). No CRT: DriverEntry is the image's entry point. The library
# keeps each lock kind in its own object files, so a driver links, and imports the kernel
# routines of, only the kinds it uses (ld keeps every function of a linked object: the x64
# unwind tables reference them all). A driver exports nothing (--exclude-all-symbols).
#
# irql::ntoskrnl_extra is an import library for the ntoskrnl exports newer than mingw-w64's
# libntoskrnl.a (ExAllocatePool2, the Windows 10 1809 push lock routines), generated here with
# dlltool from the routines' prototypes; every driver links it after irql::irql.

if(CMAKE_SYSTEM_PROCESSOR STREQUAL "X86")
  # stdcall and fastcall names carry their argument bytes; --kill-at imports them undecorated.
  set(_irql_extra_exports
    "ExAllocatePool2@16"
    "@ExAcquirePushLockExclusiveEx@8" "@ExAcquirePushLockSharedEx@8"
    "@ExTryAcquirePushLockExclusiveEx@8" "@ExTryAcquirePushLockSharedEx@8"
    "@ExReleasePushLockExclusiveEx@8" "@ExReleasePushLockSharedEx@8")
  set(_irql_dlltool_flags --kill-at)
  set(_irql_driver_entry _DriverEntry@8)
  set(_irql_image_base 0x10000)
else()
  set(_irql_extra_exports
    ExAllocatePool2
    ExAcquirePushLockExclusiveEx ExAcquirePushLockSharedEx
    ExTryAcquirePushLockExclusiveEx ExTryAcquirePushLockSharedEx
    ExReleasePushLockExclusiveEx ExReleasePushLockSharedEx)
  set(_irql_dlltool_flags)
  set(_irql_driver_entry DriverEntry)
  set(_irql_image_base 0x140000000)
endif()

list(JOIN _irql_extra_exports "\n" _irql_extra_lines)
file(WRITE ${PROJECT_BINARY_DIR}/ntoskrnl_extra.def "LIBRARY ntoskrnl.exe\nEXPORTS\n${_irql_extra_lines}\n")
string(REGEX REPLACE "gcc$" "dlltool" IRQL_DLLTOOL "${CMAKE_C_COMPILER}")
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/libntoskrnl_extra.a
  COMMAND ${IRQL_DLLTOOL} ${_irql_dlltool_flags} -d ${PROJECT_BINARY_DIR}/ntoskrnl_extra.def
          -l ${PROJECT_BINARY_DIR}/libntoskrnl_extra.a
  DEPENDS ${PROJECT_BINARY_DIR}/ntoskrnl_extra.def
  COMMENT "Generating the import library for ntoskrnl exports mingw-w64 lacks")
add_custom_target(irql_ntoskrnl_extra_gen DEPENDS ${PROJECT_BINARY_DIR}/libntoskrnl_extra.a)
add_library(irql_ntoskrnl_extra INTERFACE)
add_library(irql::ntoskrnl_extra ALIAS irql_ntoskrnl_extra)
add_dependencies(irql_ntoskrnl_extra irql_ntoskrnl_extra_gen)
target_link_libraries(irql_ntoskrnl_extra INTERFACE ${PROJECT_BINARY_DIR}/libntoskrnl_extra.a)

function(irql_add_driver Name)
  add_library(${Name} MODULE ${ARGN})
  set_target_properties(${Name} PROPERTIES PREFIX "" SUFFIX ".sys")
  target_link_libraries(${Name} PRIVATE irql::irql irql::ntoskrnl_extra ntoskrnl hal gcc)
  target_link_options(${Name} PRIVATE -nostdlib -Wl,--subsystem,native
    -Wl,--entry,${_irql_driver_entry} -Wl,--image-base,${_irql_image_base}
    -Wl,--dynamicbase -Wl,--nxcompat -Wl,--gc-sections -Wl,--exclude-all-symbols)
endfunction()
