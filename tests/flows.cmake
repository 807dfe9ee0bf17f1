# Transactions, dialogs, calls and registrations rebuilt from the call-flow
# captures of tests/pcaps/flows (tests/flows/test_flows.py: one test per
# capture), the differential check of the transaction partition and dialog
# set against tshark's fields (tests/flows/txn_diff.py), and the check that
# the committed captures are what tests/tools/make_flow_pcaps.py writes.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: flow tests disabled")
  return()
endif()

set(_flows_env
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

file(GLOB _flow_pcaps CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/flows/*.pcap)
foreach(_pcap ${_flow_pcaps})
  get_filename_component(_name ${_pcap} NAME_WE)
  add_test(NAME flows/${_name}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/flows/test_flows.py
      $<TARGET_FILE:sipscope> Flows.test_${_name})
  set_tests_properties(flows/${_name} PROPERTIES
    TIMEOUT 300 ENVIRONMENT "${_flows_env}")
endforeach()

add_test(NAME flows/every-capture-has-a-test
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/flows/test_flows.py
    $<TARGET_FILE:sipscope> Flows.test_every_capture_has_a_test)

add_test(NAME flows/pcaps-up-to-date
  COMMAND ${Python3_EXECUTABLE}
    ${CMAKE_CURRENT_SOURCE_DIR}/tools/make_flow_pcaps.py --verify
    --out ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/flows)

if(DEFINED ENV{SIPSCOPE_SHARED_PCAPS})
  set(_flows_shared "$ENV{SIPSCOPE_SHARED_PCAPS}")
else()
  set(_flows_shared "${PROJECT_SOURCE_DIR}/../shared/pcaps")
endif()

# Both skip (77) when tshark is missing; the shared one also when the
# shared captures are absent.
add_test(NAME flows/txn-diff-local
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/flows/txn_diff.py
    --sipscope $<TARGET_FILE:sipscope> --local ${CMAKE_CURRENT_SOURCE_DIR}/pcaps)
add_test(NAME flows/txn-diff-shared
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/flows/txn_diff.py
    --sipscope $<TARGET_FILE:sipscope> --shared ${_flows_shared})
set_tests_properties(flows/txn-diff-local flows/txn-diff-shared PROPERTIES
  SKIP_RETURN_CODE 77
  TIMEOUT 1200
  ENVIRONMENT "${_flows_env}")
