# fuzz/all: every libFuzzer harness of tests/fuzz for 30 s, after replaying
# the saved regression inputs and the seed corpora (tests/fuzz/run_fuzz.sh).
# It configures and builds its own clang build in fuzz/ inside this build
# tree, so it never touches the build it runs from.  Skips (77) when clang
# or its libFuzzer runtime is missing (Debian: clang, libclang-rt-14-dev;
# scripts/install-deps installs them).  About 5 minutes on 2 cores (seven
# harnesses); fuzz_hep needs a UDP socket on 127.0.0.1.
add_test(NAME fuzz/all
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run_fuzz.sh -B ${CMAKE_BINARY_DIR}/fuzz 30)
set_tests_properties(fuzz/all PROPERTIES
  SKIP_RETURN_CODE 77
  TIMEOUT 1200)
