#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The loader SIGKILLed mid-storm: the pinned programs keep enforcing (a bomb
# started after the crash is still held) and counting, and a new `run`
# adopts the pinned state and continues with exact counts.
. "$(dirname "$0")/lib.sh"
pg_setup crash

E=$(cg_make exact) && K=$(cg_make bomb) && U=$(cg_make u) || { notok crash "cannot create cgroups under $CG2"; exit 1; }
RE=$(cg_rel "$E"); RK=$(cg_rel "$K")
ARGS="--limit $RE=5000 --limit $RK=25 --events-per-sec 0 --json"
# shellcheck disable=SC2086
if ! pg_run $ARGS; then
	notok crash "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
pg_status >/dev/null 2>&1
MODE=$STATUS_MODE
note "mode: $MODE"

name=crash-enforcement-survives
pg_forker "$T/s1.out" --cgroup "$E" storm --ops 8000 --seed $$ --away "$U" --home "$E" --hold-ms 3000; S1=$BG_PID
pg_forker "$T/s2.out" --cgroup "$E" storm --ops 8000 --seed $(($$ + 7)) --hold-ms 3000; S2=$BG_PID
sleep 0.3
OLD=$RUN_PID
kill -9 "$OLD"
pg_finish "$OLD" 3000
RUN_PID=
note "loader SIGKILLed (exit $FINISH_RC) mid-storm"
good=1
[ -d "$PIN_DIR" ] || { notok "$name" "$PIN_DIR is gone after the loader was SIGKILLed"; good=0; }
if [ $good = 1 ]; then
	case "$MODE" in
	kill|deny)
		if pg_meter "$name" "$K" 400; then
			# shellcheck disable=SC2086
			pg_forker "$T/b.out" --cgroup "$K" $METER_JOIN bomb --duration-ms 1500 --hold-ms 300 --reap --max 20000; B=$BG_PID
			pg_finish "$B" 10000
			if [ -n "$METER_PEAK" ]; then peak=$(cat "$METER_PEAK"); bound=51; [ "$MODE" = deny ] && bound=25
				note "bomb with no loader: peak=$peak; $(grep -v '^phase' "$T/b.out" | tr '\n' ' ')"
				expect_eq "$name" "forks refused by the safety net" "$(pg_meter_maxhits)" 0 &&
				expect_le "$name" "bomb peak with no loader running" "$peak" "$bound" || good=0
			else
				pg_status >/dev/null 2>&1
				expect_le "$name" "pidguard peak of the bomb with no loader" "$(st "$RK" peak)" 51 || good=0
			fi
			[ $good = 1 ] && { expect_exact "$name" "$RK" "$K" 0 "after the bomb" || good=0; }
		else
			notok "$name" "no pids controller to measure the bomb with"; good=0
		fi ;;
	*)	# flag: enforcement means counting and flagging
		pg_forker "$T/b.out" --cgroup "$K" spawn 30 --hold-ms 200; B=$BG_PID
		pg_finish "$B" 5000
		pg_status >/dev/null 2>&1
		expect_eq "$name" "flagged with no loader running" "$(st "$RK" flagged)" 6 || good=0 ;;
	esac
fi
[ $good = 1 ] && ok "$name"

name=crash-new-run-exact
# shellcheck disable=SC2086
if ! pg_run $ARGS; then
	notok "$name" "a new run after the crash did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
good=1
if pg_wait_phase "$T/s1.out" ready 30000 "$S1" && pg_wait_phase "$T/s2.out" ready 30000 "$S2"; then
	expect_exact "$name" "$RE" "$E" 0 "storms at rest, new loader" || good=0
	pg_finish "$S1" 10000; pg_finish "$S2" 10000
	[ $good = 1 ] && { expect_exact "$name" "$RE" "$E" 0 "after the storms" && expect_eq "$name" "current" "$GOT_CUR" 0 || good=0; }
else
	notok "$name" "storms never ready: $(tail -n 2 "$T/s1.out" "$T/s2.out" | tr '\n' ' ')"; good=0
fi
[ $good = 1 ] && { expect_eq "$name" "storm fork failures" "$(kv "$T/s1.out" fail_fork)/$(kv "$T/s2.out" fail_fork)" 0/0 || good=0; }
[ $good = 1 ] && ok "$name"
