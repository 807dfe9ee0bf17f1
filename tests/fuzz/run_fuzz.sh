#!/bin/sh
# Builds the libFuzzer harnesses with clang (ASan + UBSan), replays the
# saved regression inputs and the seed corpora, then fuzzes each harness
# for SECONDS (default 30), one after the other.  Fails on any crash, leak,
# timeout or out-of-memory and prints where the reproducer is.
#
#   tests/fuzz/run_fuzz.sh                 # 30 s per harness (ctest fuzz/all)
#   tests/fuzz/run_fuzz.sh 3600            # the long run: one hour each
#   tests/fuzz/run_fuzz.sh 600 fuzz_frame  # some harnesses only
#   tests/fuzz/run_fuzz.sh -B DIR ...      # build directory (default build-fuzz)
#   tests/fuzz/run_fuzz.sh -j N ...        # build jobs (default 2)
#   tests/fuzz/run_fuzz.sh 0               # build and replay only
#
# The committed corpora are never modified: new inputs go to a temporary
# working corpus that is deleted afterwards.  A reproducer is left in
# BUILD/artifacts/<harness>/; copy it into tests/fuzz/regressions/<harness>/
# once the bug is understood, so every later run replays it.
# Exit status: 0 clean, 1 a harness failed, 77 no usable clang (skipped).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/fuzz
build=$root/build-fuzz
jobs=2
while [ $# -gt 0 ]; do
	case $1 in
	-B) build=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	-h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
done
seconds=${1:-30}
[ $# -gt 0 ] && shift
all="fuzz_sip_parse fuzz_sdp fuzz_frame fuzz_model fuzz_capture fuzz_hep fuzz_ui_filter"
harnesses=${*:-$all}

case $seconds in
''|*[!0-9]*) echo "run_fuzz.sh: SECONDS must be a number, not '$seconds'" >&2; exit 2 ;;
esac
for h in $harnesses; do
	case " $all " in
	*" $h "*) ;;
	*) echo "run_fuzz.sh: no harness '$h' (harnesses: $all)" >&2; exit 2 ;;
	esac
done

# ---- a clang that can link libFuzzer -----------------------------------------
cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run_fuzz.sh: skipped: $cc not found (Debian: apt-get install clang libclang-rt-14-dev)"
	exit 77
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
	>"$probe/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" \
	>"$probe/log" 2>&1; then
	echo "run_fuzz.sh: skipped: $cc cannot link -fsanitize=fuzzer (Debian: libclang-rt-14-dev)"
	sed 's/^/  /' "$probe/log" | head -5
	exit 77
fi

# ---- build ---------------------------------------------------------------------
echo "== configure and build in $build"
CC=$cc cmake -S "$root" -B "$build" -DSIPSCOPE_FUZZ=ON -DSIPSCOPE_TESTS=OFF \
	-DSIPSCOPE_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$probe/cmake.log" 2>&1 ||
	{ cat "$probe/cmake.log"; exit 1; }
# shellcheck disable=SC2086
cmake --build "$build" -j "$jobs" --target $harnesses >"$probe/build.log" 2>&1 ||
	{ cat "$probe/build.log"; exit 1; }

# ---- run -------------------------------------------------------------------------
export G_SLICE=always-malloc
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=0:symbolize=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1"

max_len() {
	case $1 in
	fuzz_sdp) echo 4096 ;;
	fuzz_sip_parse) echo 16384 ;;
	fuzz_capture) echo 16384 ;;
	fuzz_frame) echo 16384 ;;
	fuzz_model) echo 16384 ;;
	fuzz_hep) echo 16384 ;;
	fuzz_ui_filter) echo 512 ;;
	esac
}

dict() {
	case $1 in
	fuzz_capture) echo "$here/capture.dict" ;;
	fuzz_hep) echo "$here/hep.dict" ;;
	fuzz_ui_filter) echo "$here/filter.dict" ;;
	*) echo "$here/sip.dict" ;;
	esac
}

# libFuzzer's own exit status for a crash is 77, which ctest would read as
# "skipped": ask for 1.
common="-timeout=10 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1"
failed=""
summary=""
logs=$build/fuzz-logs
mkdir -p "$logs"

for h in $harnesses; do
	bin=$build/tests/fuzz/$h
	art=$build/artifacts/$h
	mkdir -p "$art"
	log=$logs/$h.log
	: >"$log"

	# Replay every saved input once: the regressions first, then the seeds.
	find "$here/regressions/$h" "$here/corpus/$h" -type f ! -name '.*' ! -name '*.md' \
		2>/dev/null | sort >"$probe/inputs"
	n=$(wc -l <"$probe/inputs")
	echo "== $h: replaying $n saved inputs"
	if [ "$n" -gt 0 ]; then
		# shellcheck disable=SC2046,SC2086
		if ! "$bin" $common -artifact_prefix="$art/" $(cat "$probe/inputs") >>"$log" 2>&1; then
			tail -n 60 "$log"
			bad=$(grep '^Running: ' "$log" | tail -n 1 | sed 's/^Running: //')
			echo "FAIL $h: a saved input fails: $bad"
			failed="$failed $h"
			continue
		fi
	fi

	[ "$seconds" -eq 0 ] && continue
	echo "== $h: fuzzing for $seconds s"
	work=$(mktemp -d)
	dirs="$work $here/corpus/$h"
	[ -d "$here/regressions/$h" ] && dirs="$dirs $here/regressions/$h"
	rm -f "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-* "$art"/slow-unit-*
	# shellcheck disable=SC2086
	if "$bin" $common -max_total_time="$seconds" -max_len="$(max_len "$h")" \
		-dict="$(dict "$h")" -artifact_prefix="$art/" -print_final_stats=1 \
		$dirs >>"$log" 2>&1; then
		stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 |
			sed -E 's/^#([0-9]+)[[:space:]]+DONE[[:space:]]+(cov: [0-9]+ ft: [0-9]+).*/\2 runs: \1/')
		echo "ok   $h: $stats"
		summary="$summary$h: $stats
"
	else
		tail -n 80 "$log"
		echo "FAIL $h: reproducer(s):"
		repro=""
		for f in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
			[ -e "$f" ] || continue
			echo "  $f"
			[ -n "$repro" ] || repro=$f
		done
		if [ -n "$repro" ]; then
			echo "  replay: $bin $repro"
			echo "  keep it: cp $repro $here/regressions/$h/"
		fi
		failed="$failed $h"
	fi
	rm -rf "$work"
done

echo "== logs in $logs"
[ -n "$summary" ] && printf 'coverage at the end of each run:\n%s' "$summary"
if [ -n "$failed" ]; then
	echo "run_fuzz.sh: FAILED:$failed"
	exit 1
fi
echo "run_fuzz.sh: all clean"
