# check.cmake — compile one snippet of the compile-time suite and decide pass or fail.
#
#   cmake -DCOMPILER=<cc> -DSOURCE=<case.c|case.cpp> [-DVARIANT=<variant>] [-DMODE=pass|fail]
#         [-DROOT=<source tree>] [-DWORK_DIR=<dir>] -P tests/compile/check.cmake
#
# tests/compile/CMakeLists.txt registers one ctest per case, compiler and variant; run this
# script by hand to see one case's full compiler output. The case-file vocabulary, the flags
# and the pass/fail rules are documented at the top of tests/compile/CMakeLists.txt.
#
#   COMPILER  the compiler to run (a C compiler for .c cases, a C++ compiler for .cpp cases).
#             gcc or clang family is read from its name (anything containing "clang" is clang).
#   SOURCE    the case file.
#   MODE      pass or fail; default: the name of the directory the case lives in.
#   VARIANT   default      -std=c11|c++11 -Wall -Wextra -Wpedantic -Werror, the include paths,
#                          -DIRQL_HOST=1, and the case's own defines and flags
#             nocontracts  + -DIRQL_NO_CONTRACTS
#             nocleanup    + -DIRQL_NO_CLEANUP
#             x86          + -DIRQL_HOST_X86_LEVELS (HIGH_LEVEL 31)
#             clang-cl     clang in MSVC mode (--target=x86_64-pc-windows-msvc -fms-compatibility
#                          -fms-extensions -ffreestanding -fsyntax-only): what clang-cl compiles
#             msvc         the same with __clang__ undefined, so that irql.h takes exactly the
#                          paths cl takes (no cleanup attribute, no GNU attributes)
#             msvc-prefast msvc + -D_PREFAST_: what cl /analyze sees (contracts emit SAL)
#             ddk          COMPILER is a mingw-w64 gcc (<triple>-gcc): the case against that
#                          triple's DDK (/usr/<triple>/include/ddk) instead of the host kernel,
#                          as a kernel build compiles it (no IRQL_HOST; x86: HIGH_LEVEL 31)
#   ROOT      the project's source tree; default: two levels above this script.
#   WORK_DIR  where the object file goes; default: the current directory.
cmake_minimum_required(VERSION 3.25)

foreach(required COMPILER SOURCE)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "check.cmake: -D${required}=… is required")
  endif()
endforeach()
if(NOT EXISTS "${SOURCE}")
  message(FATAL_ERROR "check.cmake: no such case file: ${SOURCE}")
endif()
if(NOT DEFINED ROOT)
  get_filename_component(ROOT "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
endif()
if(NOT DEFINED WORK_DIR)
  set(WORK_DIR "${CMAKE_CURRENT_BINARY_DIR}")
endif()
if(NOT DEFINED VARIANT)
  set(VARIANT default)
endif()
get_filename_component(case_dir "${SOURCE}" DIRECTORY)
get_filename_component(case_dir "${case_dir}" NAME)
get_filename_component(case_name "${SOURCE}" NAME_WE)
get_filename_component(case_ext "${SOURCE}" LAST_EXT)
if(NOT DEFINED MODE)
  set(MODE "${case_dir}")
endif()
if(NOT MODE MATCHES "^(pass|fail)$")
  message(FATAL_ERROR "check.cmake: MODE must be pass or fail, not '${MODE}'")
endif()

get_filename_component(compiler_name "${COMPILER}" NAME)
if(compiler_name MATCHES "clang")
  set(family clang)
else()
  set(family gcc)
endif()

# ---- Directives: `// key: value` lines anywhere in the case file ------------------------------
file(STRINGS "${SOURCE}" directive_lines REGEX "^//[ \t]*(expect|errors|defines|flags):")
set(expects)
set(defines)
set(extra_flags)
set(expected_errors 1)
foreach(line IN LISTS directive_lines)
  if(line MATCHES "^//[ \t]*expect:[ \t]*(.*[^ \t])[ \t]*$")
    list(APPEND expects "${CMAKE_MATCH_1}")
  elseif(line MATCHES "^//[ \t]*errors:[ \t]*([0-9]+)[ \t]*$")
    set(expected_errors "${CMAKE_MATCH_1}")
  elseif(line MATCHES "^//[ \t]*defines:(.*)$")
    separate_arguments(words UNIX_COMMAND "${CMAKE_MATCH_1}")
    foreach(word IN LISTS words)
      list(APPEND defines "-D${word}")
    endforeach()
  elseif(line MATCHES "^//[ \t]*flags:(.*)$")
    separate_arguments(words UNIX_COMMAND "${CMAKE_MATCH_1}")
    list(APPEND extra_flags ${words})
  else()
    message(FATAL_ERROR "check.cmake: ${SOURCE}: malformed directive: ${line}")
  endif()
endforeach()
if(MODE STREQUAL "fail" AND NOT expects)
  message(FATAL_ERROR "check.cmake: ${SOURCE}: a fail case needs at least one `// expect:` line")
endif()
if(MODE STREQUAL "pass" AND (expects OR NOT expected_errors EQUAL 1))
  message(FATAL_ERROR "check.cmake: ${SOURCE}: `expect:`/`errors:` make no sense in a pass case")
endif()

# ---- The command line ----------------------------------------------------------------------
if(case_ext STREQUAL ".cpp")
  set(std -std=c++11)
else()
  set(std -std=c11)
endif()
if(VARIANT STREQUAL "ddk")
  string(REGEX REPLACE "-gcc$" "" triple "${compiler_name}")
  set(flags ${std} -Wall -Wextra -Wpedantic -Werror -Wno-multichar -ffreestanding
      --param=min-pagesize=0 "-I${ROOT}/include" -isystem "/usr/${triple}/include/ddk")
else()
  set(flags ${std} -Wall -Wextra -Wpedantic -Werror
      "-I${ROOT}/include" "-I${ROOT}/host/include" -DIRQL_HOST=1)
endif()
# One diagnostic per line, without echoed source: the source (or irql.h's macro text) must not
# be able to satisfy an expectation or add an `error:` line.
if(family STREQUAL "clang")
  list(APPEND flags -fno-caret-diagnostics -fno-color-diagnostics)
else()
  list(APPEND flags -fno-diagnostics-show-caret -fdiagnostics-color=never)
endif()

set(msvc_flags --target=x86_64-pc-windows-msvc -fms-compatibility -fms-extensions -ffreestanding)
set(object "${WORK_DIR}/${case_name}.${family}.${VARIANT}.o")
set(output_flags -c -o "${object}")
if(VARIANT MATCHES "^(default|ddk)$")
elseif(VARIANT STREQUAL "nocontracts")
  list(APPEND flags -DIRQL_NO_CONTRACTS)
elseif(VARIANT STREQUAL "nocleanup")
  list(APPEND flags -DIRQL_NO_CLEANUP)
elseif(VARIANT STREQUAL "x86")
  list(APPEND flags -DIRQL_HOST_X86_LEVELS)
elseif(VARIANT MATCHES "^(clang-cl|msvc|msvc-prefast)$")
  if(NOT family STREQUAL "clang")
    message(FATAL_ERROR "check.cmake: the ${VARIANT} variant needs clang, not ${COMPILER}")
  endif()
  # No Windows CRT here: msvc-crt/ stands in for the WDK's km/crt headers the host's wdm.h needs.
  list(APPEND flags ${msvc_flags} -isystem "${CMAKE_CURRENT_LIST_DIR}/msvc-crt")
  set(output_flags -fsyntax-only)
  if(VARIANT MATCHES "^msvc")
    list(APPEND flags -U__clang__)
  endif()
  if(VARIANT STREQUAL "msvc-prefast")
    list(APPEND flags -D_PREFAST_)
  endif()
else()
  message(FATAL_ERROR "check.cmake: unknown VARIANT '${VARIANT}'")
endif()

set(command "${COMPILER}" ${flags} ${defines} ${extra_flags} ${output_flags} "${SOURCE}")
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(COMMAND ${command}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT 120)
file(REMOVE "${object}")

list(JOIN command " " command_line)
set(report "\n$ ${command_line}\n(exit ${rc})\n${out}")

# A failed check: the reason and the whole compiler output, printed verbatim (message(FATAL_ERROR)
# would re-wrap them), then a non-zero exit.
macro(irql_check_failed reason)
  message(NOTICE "FAIL ${case_name} (${compiler_name}, ${VARIANT}): ${reason}${report}")
  message(FATAL_ERROR "compile check failed")
endmacro()

# ---- Verdict -------------------------------------------------------------------------------
if(MODE STREQUAL "pass")
  if(NOT rc STREQUAL "0")
    irql_check_failed("a pass case did not compile cleanly.")
  endif()
  message(STATUS "ok: ${case_name} compiles (${compiler_name}, ${VARIANT})")
  return()
endif()

if(rc STREQUAL "0")
  irql_check_failed("a fail case compiled.")
endif()
if(NOT rc MATCHES "^[0-9]+$")
  irql_check_failed("the compiler did not run to completion.")
endif()

# The diagnostics proper: every line that reports an error. Expectations are matched against
# these lines only, never against notes or the expansion trace.
# Split by hand: CMake lists would mangle lines holding `;` or unbalanced brackets.
set(rest "${out}\n")
set(error_lines "")
set(error_count 0)
while(NOT rest STREQUAL "")
  string(FIND "${rest}" "\n" eol)
  string(SUBSTRING "${rest}" 0 ${eol} line)
  math(EXPR eol "${eol} + 1")
  string(SUBSTRING "${rest}" ${eol} -1 rest)
  string(FIND "${line}" "error:" at)
  if(NOT at EQUAL -1)
    string(APPEND error_lines "${line}\n")
    math(EXPR error_count "${error_count} + 1")
  endif()
endwhile()
if(NOT error_count EQUAL expected_errors)
  irql_check_failed("expected ${expected_errors} line(s) with `error:`, got ${error_count}: each violation must be one compiler error.")
endif()
set(missing)
foreach(expect IN LISTS expects)
  string(FIND "${error_lines}" "${expect}" at)
  if(at EQUAL -1)
    list(APPEND missing "'${expect}'")
  endif()
endforeach()
if(missing)
  list(JOIN missing ", " missing)
  irql_check_failed("the error does not say ${missing}.")
endif()
message(STATUS "ok: ${case_name} is rejected (${compiler_name}, ${VARIANT}):\n${error_lines}")
