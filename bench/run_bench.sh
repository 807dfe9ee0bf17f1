#!/bin/sh
# The benchmark: sipscope against sngrep, tshark and the libpcap floor.
# See bench/run_bench.py --help, and the README's Benchmark section.
exec python3 "$(dirname "$0")/run_bench.py" "$@"
