#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run.sh - the pidguard integration suite against the real kernel.
#
#   PG_BUILD=build sh tests/integration/run.sh [test_NAME.sh ...]
#
# Runs each tests/integration/test_*.sh (or those named) in its own shell,
# each bounded by PG_TEST_TIMEOUT seconds (default 150: TERM, which runs the
# test's cleanup trap, then KILL and a sweep of its cgroups), and counts the
# result lines. Ends with `integration: N passed, N failed, N skipped` and
# exits non-zero if anything failed. POSIX sh, busybox ash compatible.
#
# Environment: PG_BUILD (required), PG_MODE_EXPECT (optional: the mode `auto`
# must choose here, checked by test_cli.sh), PG_TAKEOVER=1 to replace a
# pidguard already pinned at /sys/fs/bpf/pidguard (refused otherwise: it may
# be someone's live enforcement), PG_KEEP_TMP=1 to keep each test's files,
# PG_SH to run the tests with another shell (e.g. "busybox sh").

HERE=$(cd "$(dirname "$0")" && pwd)
: "${PG_BUILD:?PG_BUILD must name the build directory (holding pidguard and tools/)}"
case "$PG_BUILD" in /*) ;; *) PG_BUILD="$(pwd)/$PG_BUILD";; esac
export PG_BUILD
TIMEOUT=${PG_TEST_TIMEOUT:-150}
# Every test of this run shares one private instance (see lib.sh).
: "${PIDGUARD_PIN_DIR:=/sys/fs/bpf/pgtest-$$}"
export PIDGUARD_PIN_DIR
PIN_DIR=$PIDGUARD_PIN_DIR

. "$HERE/lib.sh"
pg_find_mounts || exit 1

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: the integration suite needs root" >&2
	exit 1
fi
if ! grep -q ' /sys/fs/bpf bpf ' /proc/mounts; then
	mount -t bpf bpf /sys/fs/bpf || { echo "run.sh: cannot mount bpffs at /sys/fs/bpf" >&2; exit 1; }
fi
if [ -d "$PIN_DIR" ]; then
	if [ "${PG_TAKEOVER:-0}" = 1 ]; then
		echo "# removing the pidguard already pinned at $PIN_DIR (PG_TAKEOVER=1)"
		"$PG_BUILD/pidguard" stop > /dev/null 2>&1 || rm -rf "$PIN_DIR"
	else
		echo "run.sh: pidguard is already loaded ($PIN_DIR exists); stop it first, or set PG_TAKEOVER=1" >&2
		exit 1
	fi
fi
echo "# kernel $(uname -r); cgroup2 at $CG2; v1 pids at ${CG1PIDS:-<none>}; build $PG_BUILD; time scale $PG_SCALE"

if [ $# -gt 0 ]; then
	TESTS=
	for t in "$@"; do TESTS="$TESTS $HERE/$(basename "$t")"; done
else
	TESTS=$(ls "$HERE"/test_*.sh)
fi

PASS=0 FAIL=0 SKIP=0
OUTF=$(mktemp /tmp/pgtest-run.XXXXXX)
FAILED_LINES=$(mktemp /tmp/pgtest-failed.XXXXXX)
pid=
# Interrupted: let the running test clean up (its own trap), then go.
on_signal() {
	trap - INT TERM
	if [ -n "$pid" ] && pg_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		pg_wait_gone "$pid" 10000 || kill -9 "$pid" 2>/dev/null
	fi
	rm -f "$OUTF" "$FAILED_LINES"
	echo "integration: interrupted"
	exit 130
}
trap on_signal INT TERM
for t in $TESTS; do
	name=$(basename "$t" .sh)
	echo "# $name"
	: > "$OUTF"
	# shellcheck disable=SC2086 # PG_SH may be "busybox sh"
	${PG_SH:-sh} "$t" > "$OUTF" 2>&1 &
	pid=$!
	end=$(( $(now_ms) + TIMEOUT * 1000 * PG_SCALE ))
	shown=0
	while pg_alive "$pid"; do
		# stream the test's output as it comes
		n=$(wc -l < "$OUTF" | tr -d ' ')
		if [ "$n" -gt "$shown" ]; then
			sed -n "$((shown + 1)),${n}p" "$OUTF"
			shown=$n
		fi
		if [ "$(now_ms)" -ge "$end" ]; then
			echo "not ok - $name: timed out after $((TIMEOUT * PG_SCALE))s" >> "$OUTF"
			kill -TERM "$pid" 2>/dev/null
			pg_wait_gone "$pid" 10000 || kill -9 "$pid" 2>/dev/null
			pg_wait_gone "$pid" 2000
			break
		fi
		sleep 0.1
	done
	wait "$pid"; rc=$?
	n=$(wc -l < "$OUTF" | tr -d ' ')
	[ "$n" -gt "$shown" ] && sed -n "$((shown + 1)),${n}p" "$OUTF"
	p=$(grep -c '^ok - ' "$OUTF"); f=$(grep -c '^not ok - ' "$OUTF"); s=$(grep -c '^skipped: ' "$OUTF")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $name: exited with status $rc" | tee -a "$OUTF"
		f=1
	elif [ $((p + f + s)) = 0 ]; then
		echo "not ok - $name: printed no result" | tee -a "$OUTF"
		f=1
	fi
	grep '^not ok - ' "$OUTF" >> "$FAILED_LINES"
	PASS=$((PASS + p)); FAIL=$((FAIL + f)); SKIP=$((SKIP + s))
	# Sweep what a killed test could not clean: its loaders (by the pids it
	# recorded, still running our binary), cgroups and pinned state.
	for rp in $(cat /tmp/pgtest-"$pid"-*/run.pids 2>/dev/null); do
		if pg_alive "$rp" && grep -q pidguard "/proc/$rp/cmdline" 2>/dev/null; then
			kill -9 "$rp" 2>/dev/null
		fi
	done
	[ -z "${PG_KEEP_TMP:-}" ] && rm -rf /tmp/pgtest-"$pid"-*
	for d in "$CG2"/pgtest-"$pid"-* ${CG1PIDS:+"$CG1PIDS"/pgtest-"$pid"-*}; do
		[ -d "$d" ] || continue
		echo "# sweeping $d"
		T=/tmp cg_destroy "$d"
	done
	if [ -d "$PIN_DIR" ]; then
		echo "# $name left $PIN_DIR behind; stopping it"
		"$PG_BUILD/pidguard" stop > /dev/null 2>&1 || rm -rf "$PIN_DIR"
	fi
done
# The private instance's lock and published container table (/run/NAME).
rm -rf "$OUTF" "/run/$(basename "$PIN_DIR").lock" "/run/$(basename "$PIN_DIR")"
# The failures again, last: a CI log is often read from its tail.
if [ -s "$FAILED_LINES" ]; then
	echo "# failed:"
	sed 's/^/#   /' "$FAILED_LINES"
fi
rm -f "$FAILED_LINES"
echo "integration: $PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
