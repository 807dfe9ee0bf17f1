# Real proxied traffic: Kamailio (stateful proxy, registrar, digest auth)
# and SIPp user agents on 127.0.0.1, captured with tcpdump on lo, read back
# by sipscope (tests/live/test_sipp_kamailio.sh).  Skips (77) unless run as
# root with sipp, kamailio and tcpdump installed (Debian: sip-tester,
# kamailio, tcpdump; scripts/install-deps installs them).  Uses UDP and TCP
# ports 15060-15090 on 127.0.0.1, so it runs alone.
add_test(NAME live/sipp-kamailio
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/live/test_sipp_kamailio.sh
    $<TARGET_FILE:sipscope>)
set_tests_properties(live/sipp-kamailio PROPERTIES
  SKIP_RETURN_CODE 77
  TIMEOUT 90
  RUN_SERIAL TRUE
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
