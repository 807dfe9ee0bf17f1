# Live capture on the loopback interface (and a veth pair in a network
# namespace the test makes), -w output read back by tshark, SIGINT, -Z,
# the error lines, and HEP input from Kamailio's siptrace module
# (tests/live/test_live_capture.sh).  Skips (77) unless run as root with
# sipp and tshark installed (Debian: sip-tester, tshark; kamailio for the
# HEP part).  Uses UDP ports 15100-15112 and 15190 on 127.0.0.1, so it
# runs alone.
add_test(NAME live/capture
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/live/test_live_capture.sh
    $<TARGET_FILE:sipscope>)
set_tests_properties(live/capture PROPERTIES
  SKIP_RETURN_CODE 77
  TIMEOUT 150
  RUN_SERIAL TRUE
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

# -w, -C, --write-sip-only and -c on capture files: no privileges needed
# (tests/live/test_write_offline.sh; skips without tshark).
add_test(NAME write/offline
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/live/test_write_offline.sh
    $<TARGET_FILE:sipscope> ${CMAKE_CURRENT_SOURCE_DIR}/pcaps)
set_tests_properties(write/offline PROPERTIES
  SKIP_RETURN_CODE 77
  TIMEOUT 120
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
