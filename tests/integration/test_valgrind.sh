#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The loader under valgrind's memcheck over a run with container churn: a
# private dockerd (scripts/docker-harness.sh), containers created, limited
# by label, renamed, updated, exec'd into and removed while `pidguard run`
# follows them, then SIGINT. Passes when memcheck reports no error and no
# definite or indirect leak.
#
# tests/valgrind/bpf.supp suppresses valgrind's incomplete model of bpf(2)
# (parameter checks only; it says why). ASan binaries cannot run under
# valgrind: the ASan pass of the suite skips this test, the plain pass runs it.
. "$(dirname "$0")/lib.sh"
pg_setup valgrind

name=valgrind-loader-churn
ROUNDS=6
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SUPP="$ROOT/tests/valgrind/bpf.supp"
if ! command -v valgrind > /dev/null 2>&1; then
	skip "$name" "valgrind is not installed (scripts/install-deps.sh installs it)"
	exit 0
fi
if grep -q __asan_init "$PG" 2>/dev/null; then
	skip "$name" "$PG is built with ASan, which valgrind cannot run; the plain build's pass covers it"
	exit 0
fi
if ! command -v dockerd > /dev/null 2>&1 || ! command -v docker > /dev/null 2>&1; then
	skip "$name" "dockerd or docker is not installed: no container churn to run"
	exit 0
fi

dk_setup "pgvg$$"

if ! sh "$HARNESS" start > "$T/harness.out" 2>&1; then
	skip "$name" "the test dockerd cannot start here: $(tail -n 2 "$T/harness.out" | tr '\n' ' ')"
	exit 0
fi
DK_STARTED=1
dk run -d --init --name "$PX-before" --label pidguard.pids-limit=20 pgbusybox sleep 100000 > /dev/null ||
	{ notok "$name" "docker run failed"; exit 1; }

: > "$T/run.out"; : > "$T/run.err"
valgrind --suppressions="$SUPP" --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$T/vg.log" \
	"$PG" run --json --docker-host "$DOCKER_HOST" --default-limit 30 > "$T/run.out" 2> "$T/run.err" &
RUN_PID=$!
echo "$RUN_PID" >> "$T/run.pids"
# Valgrind runs the loader some 20 times slower: a minute to get ready.
if ! pg_wait_line "$T/run.err" 'pidguard: ready' 60000 "$RUN_PID"; then
	notok "$name" "pidguard run under valgrind did not get ready: $(pg_run_why) $(tail -n 3 "$T/vg.log" | tr '\n' ' ')"
	exit 1
fi

# Wait until status shows container NAME with limit LIMIT (or, with "-",
# no longer shows it at all).
ct_seen() {
	_end=$(( $(now_ms) + 20000 * PG_SCALE ))
	while [ "$(now_ms)" -lt "$_end" ]; do
		pg_status > /dev/null 2>&1
		_row=$(grep -e "\"container\":\"$1\"[,}]" "$T/status.cg" 2>/dev/null | head -n 1)
		if [ "$2" = - ]; then
			[ -z "$_row" ] && return 0
		else
			echo "$_row" | grep -q "\"limit\":$2[,}]" && return 0
		fi
		sleep 0.2
	done
	return 1
}

good=1
ct_seen "$PX-before" 20 || { notok "$name" "$PX-before never showed limit 20 in status"; good=0; }
i=0
while [ $good = 1 ] && [ $i -lt $ROUNDS ]; do
	i=$((i + 1))
	c="$PX-c$i"
	if ! dk run -d --init --name "$c" --label pidguard.pids-limit=$((10 + i)) pgbusybox sleep 100000 > /dev/null; then
		notok "$name" "round $i: docker run failed"; good=0; break
	fi
	ct_seen "$c" $((10 + i)) || { notok "$name" "round $i: $c never limited to $((10 + i))"; good=0; break; }
	dk exec "$c" true > /dev/null 2>&1
	dk rename "$c" "$c-r" || { notok "$name" "round $i: docker rename failed"; good=0; break; }
	ct_seen "$c-r" $((10 + i)) || { notok "$name" "round $i: the rename to $c-r was not followed"; good=0; break; }
	dk rm -f "$c-r" > /dev/null || { notok "$name" "round $i: docker rm failed"; good=0; break; }
	ct_seen "$c-r" - || { notok "$name" "round $i: $c-r still in status after removal"; good=0; break; }
done
[ $good = 1 ] || exit 1

# Not pg_run_stop: its 5 s do not cover valgrind's leak check at exit.
kill -INT "$RUN_PID"
pg_finish "$RUN_PID" 60000
STOP_RC=$FINISH_RC
RUN_PID=
if [ "$STOP_RC" = 124 ]; then
	notok "$name" "the loader did not exit within 60 s of SIGINT"
	exit 1
fi
errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$T/vg.log" | tail -n 1)
def=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$T/vg.log" | tail -n 1)
note "$name: $ROUNDS rounds of create/exec/rename/remove; rc $STOP_RC; $(grep -E 'total heap usage|ERROR SUMMARY' "$T/vg.log" | sed 's/^==[0-9]*== *//' | tr '\n' ' ')"
if [ -z "$errs" ]; then
	notok "$name" "no valgrind summary: $(tail -n 5 "$T/vg.log" | tr '\n' ' ')"
elif [ "$errs" != 0 ] || [ "$STOP_RC" != 0 ]; then
	notok "$name" "memcheck: $errs error(s), definitely lost ${def:-0} bytes, rc $STOP_RC: $(grep -v 'unhandled eBPF' "$T/vg.log" | grep -A8 -E 'lost in|Invalid|uninitialised|Syscall param' | head -n 12 | sed 's/^==[0-9]*== //' | tr '\n' ' ' | cut -c1-600)"
else
	ok "$name"
fi
exit 0
