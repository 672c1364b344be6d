# Run the fuzzer for a bounded time on a scratch copy of the seed corpus.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(GLOB seeds ${CORPUS}/*)
file(COPY ${seeds} DESTINATION ${WORK})
execute_process(COMMAND ${FUZZER} ${WORK} -max_total_time=${SECONDS} -runs=2000000
                        -max_len=512 -timeout=30 -print_final_stats=1
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "fuzz.registry found a problem (exit ${result}); see the crash-* file")
endif()
