# Golden-file tests of the text reports (tests/golden/cases.txt): one ctest
# test per case, golden/<case>, comparing the real binary's output byte for
# byte.  Refresh on purpose with
#   SIPSCOPE_GOLDEN_UPDATE=1 ctest --test-dir BUILD -R golden
# Also golden/json-records (the structure of the --json model records on
# every capture of tests/pcaps) and golden/modes (how the report options
# combine).
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: golden tests disabled")
  return()
endif()

set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/golden/cases.txt)
file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/golden/cases.txt _golden_lines)
set(_golden_env
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
foreach(_line IN LISTS _golden_lines)
  if(_line MATCHES "^([A-Za-z0-9_.-]+)[ \t]")
    set(_case ${CMAKE_MATCH_1})
    add_test(NAME golden/${_case}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/golden/run_golden.py
        --sipscope $<TARGET_FILE:sipscope> ${_case})
    set_tests_properties(golden/${_case} PROPERTIES ENVIRONMENT "${_golden_env}")
  endif()
endforeach()

add_test(NAME golden/json-records
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/golden/check_json.py
    --sipscope $<TARGET_FILE:sipscope>)
set_tests_properties(golden/json-records PROPERTIES ENVIRONMENT "${_golden_env}")

# How --json, --list, --stats and --ladder combine; retransmission marks and
# escaping in every output.
add_test(NAME golden/modes
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/golden/check_modes.py
    --sipscope $<TARGET_FILE:sipscope>)
set_tests_properties(golden/modes PROPERTIES ENVIRONMENT "${_golden_env}")
