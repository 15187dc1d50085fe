#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Events are rate-limited per cgroup (--events-per-sec), and nothing is lost
# silently: every flagged fork is either an event or counted in
# events_suppressed, and after a quiet second the number suppressed is
# reported (in the next event's "suppressed" field or a "suppressed" event).
. "$(dirname "$0")/lib.sh"
pg_setup ratelimit

R=$(cg_make r) || { notok ratelimit "cannot create cgroups under $CG2"; exit 1; }
RR=$(cg_rel "$R")
if ! pg_run --mode flag --limit "$RR=2" --warn 100 --events-per-sec 5 --json; then
	notok ratelimit "pidguard run --mode flag did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi

name=ratelimit-suppressed-reported
pg_forker "$T/s.out" --cgroup "$R" spawn 100 --hold-ms 3000; P=$BG_PID
pg_wait_phase "$T/s.out" ready 5000 "$P"
ev_norm
n1=$(grep -e "\"cgroup\":\"$RR\"" "$T/events" | grep -v -c '"kind":"suppressed"' | tr -d ' ')
pg_status >/dev/null 2>&1
fl=$(st "$RR" flagged); sup=$(st "$RR" events_suppressed); wn=$(st "$RR" warnings)
good=1
expect_eq "$name" "flagged" "$fl" 99 || good=0
# 6: one window of 5, plus one if the burst straddles a window. A slower
# machine (PG_TIME_SCALE, 20 under TCG) spreads the burst over more windows.
[ $good = 1 ] && { expect_le "$name" "events in the burst (limit 5/s)" "$n1" $((6 * PG_SCALE)) || good=0; }
[ $good = 1 ] && { expect_ge "$name" "events in the burst" "$n1" 1 || good=0; }
[ $good = 1 ] && { expect_eq "$name" "events + events_suppressed ($n1 + $sup) vs flagged + warnings ($fl + $wn)" $((n1 + sup)) $((fl + wn)) || good=0; }
if [ $good = 1 ]; then
	# After a quiet second the suppressed count is reported: either in the
	# "suppressed" field of the next event, or as an event of kind
	# "suppressed" whose count is the number dropped. One more fork past the
	# limit makes sure there is a next event.
	sleep 1.2
	pg_forker "$T/one.out" --cgroup "$R" spawn 1 --hold-ms 100; P1=$BG_PID
	pg_finish "$P1" 5000
	ev_norm
	infield=$(ev_sum "$RR" suppressed)
	inkind=$(grep -e "\"cgroup\":\"$RR\"" "$T/events" | grep '"kind":"suppressed"' |
		sed -n 's/.*"count":\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
	pg_status >/dev/null 2>&1
	note "suppressed reported: $infield in event fields + $inkind in suppressed events; events_suppressed=$(st "$RR" events_suppressed)"
	expect_ge "$name" "suppressed events reported after the burst" $((infield + inkind)) 1 &&
	expect_eq "$name" "suppressed reported in events ($infield in fields + $inkind in suppressed events)" $((infield + inkind)) "$(st "$RR" events_suppressed)" || good=0
	[ $good = 1 ] || note "events: $(grep -e "\"cgroup\":\"$RR\"" "$T/events" | tail -n 3 | tr '\n' ' ')"
fi
[ $good = 1 ] && ok "$name"
pg_finish "$P" 5000
