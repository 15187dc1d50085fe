#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Deny mode (BPF LSM task_alloc): a fork or pthread_create past the limit
# fails with EAGAIN, exactly as with pids.max; never one task over the limit,
# even with a reaping bomb forking on every CPU; and a parent that reaps each
# child and forks again at its limit is never refused for the dead one.
# Skipped where auto does not
# pick deny (no BPF LSM, e.g. the 6.18 build hosts).
. "$(dirname "$0")/lib.sh"
pg_setup deny

NAMES="deny-fork-eagain deny-threads-eagain deny-concurrent-never-over deny-serial-reaper-at-limit"
D=$(cg_make d) && DB=$(cg_make bomb) && DS=$(cg_make serial) || { notok deny "cannot create cgroups under $CG2"; exit 1; }
RD=$(cg_rel "$D"); RDB=$(cg_rel "$DB"); RDS=$(cg_rel "$DS")
if ! pg_run --limit "$RD=10" --limit "$RDB=25" --limit "$RDS=2" --events-per-sec 0 --json; then
	notok deny "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
pg_status >/dev/null 2>&1
if [ "$STATUS_MODE" != deny ]; then
	for n in $NAMES; do skip "$n" "BPF LSM not available (auto chose ${STATUS_MODE:-unknown})"; done
	exit 0
fi

name=deny-fork-eagain
pg_forker "$T/s.out" --cgroup "$D" spawn 20 --hold-ms 1500; P=$BG_PID
if pg_wait_phase "$T/s.out" ready 5000 "$P"; then
	good=1
	expect_eq "$name" "forks_ok" "$(kv "$T/s.out" forks_ok)" 9 || good=0
	[ $good = 1 ] && { expect_eq "$name" "forks_failed" "$(kv "$T/s.out" forks_failed)" 11 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "fork errno" "$(kv "$T/s.out" fork_errno)" EAGAIN || good=0; }
	[ $good = 1 ] && { expect_exact "$name" "$RD" "$D" 0 "at the limit" && expect_eq "$name" "current" "$GOT_CUR" 10 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "denied counter" "$(st "$RD" denied)" 11 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "denied events" "$(ev_count "$RD" denied)" 11 || good=0; }
	pg_finish "$P" 5000
	[ $good = 1 ] && { expect_eq "$name" "children killed" "$(kv "$T/s.out" children_killed)" 0 || good=0; }
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "spawn never ready: $(tr '\n' ' ' < "$T/s.out")"
fi
pg_finish "$P" 5000

name=deny-threads-eagain
pg_forker "$T/t.out" --cgroup "$D" threads 20 --hold-ms 1000; P=$BG_PID
if pg_wait_phase "$T/t.out" ready 5000 "$P"; then
	good=1
	expect_eq "$name" "threads_ok" "$(kv "$T/t.out" threads_ok)" 9 || good=0
	[ $good = 1 ] && { expect_eq "$name" "threads_eagain" "$(kv "$T/t.out" threads_eagain)" 11 || good=0; }
	[ $good = 1 ] && { expect_exact "$name" "$RD" "$D" 0 "at the limit" && expect_eq "$name" "current" "$GOT_CUR" 10 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "denied counter" "$(st "$RD" denied)" 22 || good=0; }
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "threads never ready: $(tr '\n' ' ' < "$T/t.out")"
fi
pg_finish "$P" 5000

name=deny-concurrent-never-over
if pg_meter "$name" "$DB" 400; then
	sampler=
	if [ -z "$METER_PEAK" ]; then
		note "no pids.peak on this kernel: sampling pids.current (a lower bound of the peak)"
		pg_forker "$T/sample.out" sample "$METER_DIR/pids.current" --duration-ms 8000 --interval-us 0
		sampler=$BG_PID
	fi
	# shellcheck disable=SC2086
	pg_forker "$T/b.out" --cgroup "$DB" $METER_JOIN bomb --duration-ms 2000 --hold-ms 500 --reap --max 50000; B=$BG_PID
	pg_wait_phase "$T/b.out" "done" 10000 "$B"
	pg_finish "$B" 5000
	if [ -n "$sampler" ]; then
		kill -TERM "$sampler"; pg_finish "$sampler" 3000; peak=$(kv "$T/sample.out" peak)
	else
		peak=$(cat "$METER_PEAK")
	fi
	pg_status >/dev/null 2>&1
	note "$name: peak=$peak pidguard peak=$(st "$RDB" peak) denied=$(st "$RDB" denied) $(grep -v '^phase' "$T/b.out" | tr '\n' ' ')"
	expect_eq "$name" "forks refused by the safety net" "$(pg_meter_maxhits)" 0 &&
	expect_le "$name" "peak task count (pids)" "$peak" 25 &&
	expect_le "$name" "pidguard's peak" "$(st "$RDB" peak)" 25 &&
	expect_ge "$name" "forks failed with EAGAIN" "$(kv "$T/b.out" forks_eagain)" 1 &&
	expect_eq "$name" "denied counter vs the bomb's EAGAIN count" "$(st "$RDB" denied)" "$(kv "$T/b.out" forks_eagain)" &&
	expect_exact "$name" "$RDB" "$DB" 0 "after the bomb" && ok "$name"
else
	notok "$name" "no pids controller to measure the peak with"
fi

# Limit 2: the parent and one child at a time, each reaped before the next
# fork. The reaped child must be released at its reap, not at its free hook
# (an RCU grace period later, seconds under load): the VM harness runs this
# on both reap paths (release_task, and with PIDGUARD_NO_RELEASE_HOOK=1
# the zombie index, whose check at the limit releases reaped zombies).
name=deny-serial-reaper-at-limit
if pg_serial_reaper "$name" "$DS" 300; then
	expect_eq "$name" "denied counter" "$(st "$RDS" denied)" 0 &&
		pg_serial_exact "$name" "$RDS" "$DS" && ok "$name"
fi
