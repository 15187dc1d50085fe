#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Events are rate-limited per cgroup (--events-per-sec), and nothing is lost
# silently: every flagged fork is either an event or counted in
# events_suppressed, and the next event after a quiet second reports the
# number suppressed before it.
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
n1=$(grep -c -e "\"cgroup\":\"$RR\"" "$T/events" | tr -d ' ')
pg_status >/dev/null 2>&1
fl=$(st "$RR" flagged); sup=$(st "$RR" events_suppressed); wn=$(st "$RR" warnings)
good=1
expect_eq "$name" "flagged" "$fl" 99 || good=0
[ $good = 1 ] && { expect_le "$name" "events in the burst (limit 5/s)" "$n1" 6 || good=0; }
[ $good = 1 ] && { expect_ge "$name" "events in the burst" "$n1" 1 || good=0; }
[ $good = 1 ] && { expect_eq "$name" "events + events_suppressed ($n1 + $sup) vs flagged + warnings ($fl + $wn)" $((n1 + sup)) $((fl + wn)) || good=0; }
if [ $good = 1 ]; then
	# After a quiet second, one more fork past the limit: its event carries
	# the count suppressed before it.
	sleep 1.2
	pg_forker "$T/one.out" --cgroup "$R" spawn 1 --hold-ms 100; P1=$BG_PID
	pg_finish "$P1" 5000
	ev_norm
	last=$(grep -e "\"cgroup\":\"$RR\"" "$T/events" | tail -n 1)
	lastsup=$(echo "$last" | sed -n 's/.*"suppressed":\([0-9]*\).*/\1/p')
	total=$(ev_sum "$RR" suppressed)
	pg_status >/dev/null 2>&1
	expect_ge "$name" "suppressed in the first event after the burst" "$lastsup" 1 &&
	expect_eq "$name" "sum of suppressed over the events" "$total" "$(st "$RR" events_suppressed)" || good=0
	[ $good = 1 ] || note "last event: $last"
fi
[ $good = 1 ] && ok "$name"
pg_finish "$P" 5000
