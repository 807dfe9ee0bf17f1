# Golden-screen tests of the interactive UI (tests/ui/test_ui.py): the real
# binary driven in tmux, one ctest test per case, ui/<case>.  Skipped
# (exit 77) when tmux is missing.  Refresh on purpose with
#   SIPSCOPE_GOLDEN_UPDATE=1 ctest --test-dir BUILD -R '^ui/'
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: UI tests disabled")
  return()
endif()

set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/ui/test_ui.py)
execute_process(
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/ui/test_ui.py --list
  OUTPUT_VARIABLE _ui_cases OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE _ui_rc)
if(NOT _ui_rc EQUAL 0)
  message(WARNING "tests/ui/test_ui.py --list failed: UI tests disabled")
  return()
endif()
string(REPLACE "\n" ";" _ui_cases "${_ui_cases}")
foreach(_case IN LISTS _ui_cases)
  add_test(NAME ui/${_case}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/ui/test_ui.py
      --sipscope $<TARGET_FILE:sipscope> ${_case})
  set_tests_properties(ui/${_case} PROPERTIES
    SKIP_RETURN_CODE 77
    TIMEOUT 120
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endforeach()
