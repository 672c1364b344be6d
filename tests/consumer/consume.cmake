# Builds and runs an outside project that uses irql by MODE = subdirectory | find_package
# (the latter after installing irql into a private prefix).
#   cmake -DMODE=… -DIRQL_SOURCE=<repo> -DWORK=<dir> -DGENERATOR=<gen> -P consume.cmake
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/project)
configure_file(${CMAKE_CURRENT_LIST_DIR}/CMakeLists.txt.in ${WORK}/project/CMakeLists.txt COPYONLY)
file(COPY ${CMAKE_CURRENT_LIST_DIR}/main.c DESTINATION ${WORK}/project)

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}")
  endif()
endfunction()

set(args -G ${GENERATOR} -DMODE=${MODE} -DIRQL_SOURCE=${IRQL_SOURCE})
if(MODE STREQUAL "find_package")
  step(${CMAKE_COMMAND} -S ${IRQL_SOURCE} -B ${WORK}/irql-build -G ${GENERATOR}
       -DIRQL_BUILD_TESTS=OFF -DIRQL_BUILD_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX=${WORK}/prefix)
  step(${CMAKE_COMMAND} --build ${WORK}/irql-build)
  step(${CMAKE_COMMAND} --install ${WORK}/irql-build)
  list(APPEND args -DCMAKE_PREFIX_PATH=${WORK}/prefix)
endif()
step(${CMAKE_COMMAND} -S ${WORK}/project -B ${WORK}/build ${args})
step(${CMAKE_COMMAND} --build ${WORK}/build)
step(${WORK}/build/consumer)
message(STATUS "outside project via ${MODE}: built and ran")
