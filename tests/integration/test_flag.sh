#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Flag mode: nothing is refused or killed; every fork past the limit is
# counted in `flagged` and reported as an over_limit event, and a migration
# into a full cgroup as a migrated event. A parent that reaps each child and
# forks again at its limit is never flagged for the dead one.
. "$(dirname "$0")/lib.sh"
pg_setup flag

F=$(cg_make f) && U=$(cg_make u) && S=$(cg_make serial) && H=$(cg_make high) ||
	{ notok flag "cannot create cgroups under $CG2"; exit 1; }
RF=$(cg_rel "$F"); RS=$(cg_rel "$S"); RH=$(cg_rel "$H")
if ! pg_run --mode flag --limit "$RF=10" --limit "$RS=2" --limit "$RH=1000" --events-per-sec 0 --json; then
	notok flag "pidguard run --mode flag did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi

name=flag-forks-allowed-and-flagged
pg_status >/dev/null 2>&1
expect_eq "$name" "status mode" "$STATUS_MODE" flag || exit 1
pg_forker "$T/s.out" --cgroup "$F" spawn 20 --hold-ms 3000; P=$BG_PID
if pg_wait_phase "$T/s.out" ready 5000 "$P"; then
	# 21 tasks with a limit of 10: the forks that made tasks 11..21 are flagged.
	good=1
	expect_eq "$name" "forks_ok" "$(kv "$T/s.out" forks_ok)" 20 || good=0
	[ $good = 1 ] && { expect_exact "$name" "$RF" "$F" 0 "21 tasks, limit 10" && expect_eq "$name" "current" "$GOT_CUR" 21 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "flagged counter" "$(st "$RF" flagged)" 11 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "killed counter" "$(st "$RF" killed)" 0 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "denied counter" "$(st "$RF" denied)" 0 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "over_limit events" "$(ev_count "$RF" over_limit)" 11 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "events_lost" "$(stat_field events_lost)" 0 || good=0; }
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "spawn never ready: $(tr '\n' ' ' < "$T/s.out")"
fi

name=flag-migration-into-full
pg_forker "$T/m.out" --cgroup "$U" spawn 1 --hold-ms 1500; M=$BG_PID
if pg_alive "$P" && pg_wait_phase "$T/m.out" ready 5000 "$M"; then
	kv "$T/m.out" child > "$F/cgroup.procs"
	good=1
	expect_exact "$name" "$RF" "$F" 0 "22 tasks" && expect_eq "$name" "current" "$GOT_CUR" 22 || good=0
	[ $good = 1 ] && { expect_eq "$name" "flagged counter" "$(st "$RF" flagged)" 12 || good=0; }
	# 2: the spawn parent joined f through cgroup.procs too (forker --cgroup).
	[ $good = 1 ] && { expect_eq "$name" "migrated_in counter" "$(st "$RF" migrated_in)" 2 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "migrated events" "$(ev_count "$RF" migrated)" 1 || good=0; }
	pg_finish "$M" 5000
	[ $good = 1 ] && { expect_eq "$name" "migrated child killed" "$(kv "$T/m.out" children_killed)" 0 || good=0; }
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "holders not ready: $(tr '\n' ' ' < "$T/m.out")"
fi
pg_finish "$P" 5000
name=flag-nothing-killed
expect_eq "$name" "children killed" "$(kv "$T/s.out" children_killed)" 0 &&
	expect_exact "$name" "$RF" "$F" 0 "after exit" && expect_eq "$name" "current" "$GOT_CUR" 0 && ok "$name"

# Limit 2: the parent and one child at a time, each reaped before the next
# fork: none is flagged for a dead child (see kill-serial-reaper-at-limit in
# test_kill.sh).
name=flag-serial-reaper-at-limit
pg_serial_unacted "$name" "$S" "$RS" flagged over_limit

# The same with waitid(), as systemd and Go reap.
name=flag-serial-waitid-reaper-at-limit
pg_serial_unacted "$name" "$S" "$RS" flagged over_limit waitid

# The same with the parent as pid 1 of its own pid namespace, as a
# container's init, then two levels deep with waitid: the check at the
# limit finds reaped zombies by their cgroup, whoever reaped them.
name=flag-serial-reaper-in-pidns
pg_serial_unacted "$name" "$S" "$RS" flagged over_limit wait4 1

name=flag-serial-waitid-reaper-in-nested-pidns
pg_serial_unacted "$name" "$S" "$RS" flagged over_limit waitid 2

# Far below its limit (1000), the same serial reaper: the peak is still 2,
# as pids.max's would be. Reaped zombies wait for their free (~13 ms)
# unless a count decides something: each new peak releases them first.
name=flag-serial-reaper-peak-far-below-limit
pg_serial_unacted "$name" "$H" "$RH" flagged over_limit
