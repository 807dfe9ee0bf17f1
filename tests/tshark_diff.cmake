# Differential tests against tshark (tests/diff/tshark_diff.py): the SIP
# messages sipscope finds in every capture of tests/pcaps, and in the shared
# real-world captures, must match tshark's frame by frame except for the
# differences listed in tests/diff/known-differences.tsv.  Both skip (77)
# when tshark is missing; the shared one also when the captures are absent.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: tshark differential tests disabled")
  return()
endif()

if(DEFINED ENV{SIPSCOPE_SHARED_PCAPS})
  set(SIPSCOPE_SHARED_PCAPS "$ENV{SIPSCOPE_SHARED_PCAPS}")
else()
  set(SIPSCOPE_SHARED_PCAPS "${PROJECT_SOURCE_DIR}/../shared/pcaps")
endif()

set(_tshark_diff_env
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

add_test(NAME diff/tshark-local
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/diff/tshark_diff.py
    --sipscope $<TARGET_FILE:sipscope> --all-local)
add_test(NAME diff/tshark-shared
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/diff/tshark_diff.py
    --sipscope $<TARGET_FILE:sipscope> --all-shared ${SIPSCOPE_SHARED_PCAPS})
set_tests_properties(diff/tshark-local diff/tshark-shared PROPERTIES
  SKIP_RETURN_CODE 77
  TIMEOUT 1200
  ENVIRONMENT "${_tshark_diff_env}")

# The committed captures must be exactly what the generator writes.
add_test(NAME diff/test-pcaps-up-to-date
  COMMAND ${Python3_EXECUTABLE}
    ${CMAKE_CURRENT_SOURCE_DIR}/tools/make_test_pcaps.py --verify
    --out ${CMAKE_CURRENT_SOURCE_DIR}/pcaps)
