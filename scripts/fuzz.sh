#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build and run the libFuzzer harnesses of tests/fuzz/ (see tests/fuzz/README).
#
#   scripts/fuzz.sh [--build-only|--coverage] [HARNESS...]  (default: every fuzz_*.c)
#
# OUT (default build-fuzz) receives the objects, the harness binaries, a
# scratch corpus per harness (new inputs land there, never in the committed
# tests/fuzz/corpus/, which is only read as seed), crash artifacts and logs.
# Each harness runs FUZZ_SECONDS (default 30), one after the other: a
# fuzzer uses a whole core. Exit status 1 when a harness crashed, leaked,
# hit undefined behaviour or a timeout: the artifact path is printed.
#
# --coverage builds each harness with clang's source-based coverage instead
# (no sanitizers, libFuzzer only as the driver), replays the committed and
# the scratch corpus once, and prints llvm-cov's line and branch coverage of
# the user files the harness links with.
#
# A harness lists the user/*.c files it links with on a "fuzz-sources:"
# line of its header comment. The user code is built with the fuzzer's
# coverage instrumentation and the same sanitizers as the harness.
set -eu

cd "$(dirname "$0")/.."
OUT=${OUT:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
CLANG=${CLANG:-clang}
build_only=0
coverage=0
case "${1:-}" in
--build-only) build_only=1; shift ;;
--coverage) coverage=1; shift ;;
esac

FLAGS="-g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all -std=gnu11 -D_GNU_SOURCE
	-Wall -Wextra -Werror -Iinclude -Iuser -Itests/fuzz"
LIBS="-lcurl -ljansson -lyaml"

if [ $# -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do
		f=${f##*/}
		set -- "$@" "${f%.c}"
	done
fi

mkdir -p "$OUT/obj" "$OUT/logs"
if ! printf "int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }\n" |
	"$CLANG" -fsanitize=fuzzer -x c - -o "$OUT/obj/probe" 2>/dev/null; then
	echo "fuzz: $CLANG cannot link -fsanitize=fuzzer (Debian: libclang-rt-14-dev;" \
	     "scripts/install-deps.sh installs it)" >&2
	exit 1
fi

# Coverage: one instrumented binary per harness, every user file compiled
# into it (no shared objects, so that each report counts only that harness).
if [ "$coverage" -eq 1 ]; then
	PROFDATA=${PROFDATA:-llvm-profdata}
	LLVMCOV=${LLVMCOV:-llvm-cov}
	COVFLAGS="-fprofile-instr-generate -fcoverage-mapping"
	mkdir -p "$OUT/cov"
	for h in "$@"; do
		src=tests/fuzz/$h.c
		users=$(sed -n 's/^ \* fuzz-sources://p' "$src")
		# shellcheck disable=SC2086
		"$CLANG" $FLAGS $COVFLAGS -fsanitize=fuzzer "$src" $users $LIBS -o "$OUT/cov/$h"
		mkdir -p "$OUT/corpus/$h"
		rm -f "$OUT/cov/$h".profraw*
		LLVM_PROFILE_FILE="$OUT/cov/$h.profraw" "$OUT/cov/$h" -runs=0 \
			"tests/fuzz/corpus/$h" "$OUT/corpus/$h" > "$OUT/logs/$h.cov.log" 2>&1
		"$PROFDATA" merge -sparse "$OUT/cov/$h.profraw" -o "$OUT/cov/$h.profdata"
		[ "$h" = fuzz_docker_stream ] && users="$users user/docker_client.c"
		echo "== $h"
		# shellcheck disable=SC2086
		"$LLVMCOV" report "$OUT/cov/$h" -instr-profile="$OUT/cov/$h.profdata" $users |
			awk '$1 ~ /\.c$/ || /^TOTAL/ { sub(".*/", "", $1)
				printf "   %-18s lines %5d of %5d  %7s   branches %7s\n", $1, $8 - $9, $8, $10, $13 }'
	done
	exit 0
fi

# Build: user objects (once per run of this script, shared between harnesses),
# then each harness.
built=" "
for h in "$@"; do
	src=tests/fuzz/$h.c
	[ -f "$src" ] || { echo "fuzz: no harness $src" >&2; exit 2; }
	objs=""
	# shellcheck disable=SC2013 # the list is words on one line
	for u in $(sed -n 's/^ \* fuzz-sources://p' "$src"); do
		o=$OUT/obj/$(basename "$u" .c).o
		case "$built" in
		*" $o "*) ;;
		*)
			echo "  CC-FUZZ  $o"
			# shellcheck disable=SC2086
			"$CLANG" $FLAGS -fsanitize=fuzzer-no-link,address,undefined -c "$u" -o "$o"
			built="$built$o "
			;;
		esac
		objs="$objs $o"
	done
	echo "  LD-FUZZ  $OUT/$h"
	# shellcheck disable=SC2086
	"$CLANG" $FLAGS -fsanitize=fuzzer,address,undefined "$src" $objs $LIBS -o "$OUT/$h"
done
[ "$build_only" -eq 1 ] && exit 0

# Run: the committed corpus seeds, the scratch directory collects.
failed=""
for h in "$@"; do
	seed=tests/fuzz/corpus/$h
	scratch=$OUT/corpus/$h
	art=$OUT/artifacts/$h
	mkdir -p "$seed" "$scratch" "$art"
	dict=""
	[ -f "tests/fuzz/$h.dict" ] && dict="-dict=tests/fuzz/$h.dict"
	echo "  FUZZ     $h for ${FUZZ_SECONDS}s (log: $OUT/logs/$h.log)"
	# shellcheck disable=SC2086
	if "$OUT/$h" -max_total_time="$FUZZ_SECONDS" -timeout=10 -max_len=16384 \
		-print_final_stats=1 -artifact_prefix="$art/" $dict \
		"$scratch" "$seed" >"$OUT/logs/$h.log" 2>&1; then
		grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec' \
			"$OUT/logs/$h.log" | tr '\n' ' ' | sed 's/^/           /'
		echo
	else
		echo "fuzz: $h FAILED: $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$OUT/logs/$h.log")"
		for a in "$art"/*; do [ -e "$a" ] && echo "           artifact: $a"; done
		failed="$failed $h"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed" >&2
	exit 1
fi
echo "fuzz: all harnesses ran ${FUZZ_SECONDS}s without a finding"
