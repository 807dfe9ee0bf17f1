# The Wireshark plugin under tshark (tests/plugin/test_plugin.py): its
# fields agree with `sipscope --json` on every capture of tests/pcaps and
# of the shared captures, its display filters select the right frames,
# hostile or corrupted captures raise no dissector bug, and its timer
# preferences give what the same timers give the command line.  Each
# skips (77) when tshark, the plugin (libwireshark-dev) or the captures
# are missing.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: plugin tests disabled")
  return()
endif()

if(DEFINED ENV{SIPSCOPE_SHARED_PCAPS})
  set(_plugin_shared "$ENV{SIPSCOPE_SHARED_PCAPS}")
else()
  set(_plugin_shared "${PROJECT_SOURCE_DIR}/../shared/pcaps")
endif()

set(_plugin_args "")
if(TARGET sipscope_wireshark)
  set(_plugin_args --plugin $<TARGET_FILE:sipscope_wireshark>
    --abi "${SIPSCOPE_WIRESHARK_ABI}")
  # A sanitizer build's plugin needs the sanitizer runtime loaded first:
  # tshark itself is not instrumented.
  if(SIPSCOPE_SANITIZE)
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
      OUTPUT_VARIABLE _plugin_asan OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(IS_ABSOLUTE "${_plugin_asan}")
      list(APPEND _plugin_args --preload "${_plugin_asan}")
    else()
      message(STATUS "libasan.so not found: plugin tests will not load the sanitizer build's plugin")
    endif()
  endif()
endif()

set(_plugin_test ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/plugin/test_plugin.py
  ${_plugin_args} --sipscope $<TARGET_FILE:sipscope>)
add_test(NAME plugin/local COMMAND ${_plugin_test} --local ${CMAKE_CURRENT_SOURCE_DIR}/pcaps)
add_test(NAME plugin/shared COMMAND ${_plugin_test} --shared ${_plugin_shared})
add_test(NAME plugin/hostile COMMAND ${_plugin_test} --hostile
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/malformed.pcap
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/tcp_split.pcap
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/tcp_coalesced.pcap
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/tcp_out_of_order_retrans.pcap
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/ws_call.pcap
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/ipv4_frag.pcap
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/sctp_call.pcap
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/icmp_unreachable.pcap
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/flows/retransmissions.pcap
  ${_plugin_shared}/ntop-nDPI/fuzz-2006-06-26-2594.pcap
  ${_plugin_shared}/zeek-zeek/invalid-content-length.pcap)
# The timer preferences (sipscope.t1, .t4, .timer_c) against sipscope's
# --t1, --t4 and --timer-c, on captures whose answers rest on the timers.
add_test(NAME plugin/timers COMMAND ${_plugin_test} --timers
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/flows/invite_timeout.pcap
  ${CMAKE_CURRENT_SOURCE_DIR}/pcaps/flows/forking.pcap)
set_tests_properties(plugin/local plugin/shared plugin/hostile plugin/timers PROPERTIES
  SKIP_RETURN_CODE 77
  TIMEOUT 1800
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
