#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# --warn PCT: one warn event per upward crossing of PCT% of the limit, none
# while the count stays above, and another after it fell below and rose again;
# none for a parent that reaps each child before the next fork below it.
. "$(dirname "$0")/lib.sh"
pg_setup warn

W=$(cg_make w) && S=$(cg_make serial) || { notok warn "cannot create cgroups under $CG2"; exit 1; }
RW=$(cg_rel "$W"); RS=$(cg_rel "$S")
if ! pg_run --limit "$RW=10" --limit "$RS=6" --warn 50 --events-per-sec 0 --json; then
	notok warn "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi

name=warn-once-per-crossing
# 7 tasks: crosses 5 (50% of 10) once; 2 more while above: no new warning.
pg_forker "$T/a.out" --cgroup "$W" spawn 6 --hold-ms 1500; P1=$BG_PID
pg_wait_phase "$T/a.out" ready 5000 "$P1"
pg_forker "$T/b.out" --cgroup "$W" spawn 1 --hold-ms 1000; P2=$BG_PID
pg_wait_phase "$T/b.out" ready 5000 "$P2"
expect_exact "$name" "$RW" "$W" 0 "9 tasks"
w1=$(ev_count "$RW" warn)
pg_finish "$P1" 5000; pg_finish "$P2" 5000
pg_wait_exact "$RW" "$W"
# Cross again.
pg_forker "$T/c.out" --cgroup "$W" spawn 6 --hold-ms 500; P3=$BG_PID
pg_wait_phase "$T/c.out" ready 5000 "$P3"
sleep 0.2
w2=$(ev_count "$RW" warn)
pg_finish "$P3" 5000
pg_status >/dev/null 2>&1
expect_eq "$name" "warn events after the first crossing" "$w1" 1 &&
expect_eq "$name" "warn events after the second crossing" "$w2" 2 &&
expect_eq "$name" "warnings counter" "$(st "$RW" warnings)" 2 &&
expect_eq "$name" "over-limit actions (none expected below the limit)" "$(st_sum "$RW" killed denied flagged)" 0 &&
ok "$name"

# Limit 6, warned at 3: the parent and one child at a time (2 tasks) never
# reach it, as long as each reaped child is released before the count
# decides (at its reap, or by the check at the threshold), rather than at
# its free hook (an RCU grace period later).
name=warn-serial-reaper-below
pg_serial_unacted "$name" "$S" "$RS" warnings warn
