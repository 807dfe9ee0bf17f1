# Findings (issue 8): each capture of tests/pcaps/findings triggers the
# finding it is named after (tests/findings/test_findings.py, one ctest per
# capture, findings/NAME), nothing of severity warning or error fires on
# the clean captures of tests/pcaps and tests/pcaps/flows but those that
# fail on purpose (findings/clean), every finding code has a capture, and
# the committed captures are what tests/tools/make_finding_pcaps.py writes.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: finding tests disabled")
  return()
endif()

set(_findings_env
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

file(GLOB _finding_pcaps CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/findings/*.pcap)
foreach(_pcap ${_finding_pcaps})
  get_filename_component(_name ${_pcap} NAME_WE)
  string(REPLACE "-" "_" _method ${_name})
  add_test(NAME findings/${_name}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/findings/test_findings.py
      $<TARGET_FILE:sipscope> Findings.test_${_method})
  set_tests_properties(findings/${_name} PROPERTIES
    TIMEOUT 120 ENVIRONMENT "${_findings_env}")
endforeach()

add_test(NAME findings/every-code-has-a-capture
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/findings/test_findings.py
    $<TARGET_FILE:sipscope> Findings.test_every_code_has_a_capture)

add_test(NAME findings/clean
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/findings/test_findings.py
    $<TARGET_FILE:sipscope> Clean)
set_tests_properties(findings/clean PROPERTIES
  TIMEOUT 600 ENVIRONMENT "${_findings_env}")

add_test(NAME findings/pcaps-up-to-date
  COMMAND ${Python3_EXECUTABLE}
    ${CMAKE_CURRENT_SOURCE_DIR}/tools/make_finding_pcaps.py --verify
    --out ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/findings)
