#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Deny mode reserves a task's charge in lsm/task_alloc; when a later step of
# fork fails (here: the kernel's own pids controller refuses it in
# cgroup_can_fork, which runs after task_alloc), lsm/task_free must roll the
# reservation back. With pids.max=4 below pidguard's limit of 10, every fork
# past 4 fails in the kernel, pidguard denies none of them, and its count
# stays equal to the kernel's after every failed fork.
. "$(dirname "$0")/lib.sh"
pg_setup rollback

name=deny-rollback-after-task-alloc
D=$(cg_make d) || { notok "$name" "cannot create a cgroup under $CG2"; exit 1; }
RD=$(cg_rel "$D")
if ! pg_run --limit "$RD=10" --events-per-sec 0; then
	notok "$name" "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
pg_need_deny "$name" && exit 0
if ! pg_meter "$name" "$D" 4; then
	skip "$name" "no pids controller to fail forks after task_alloc with"
	exit 0
fi

# shellcheck disable=SC2086
pg_forker "$T/s.out" --cgroup "$D" $METER_JOIN spawn 12 --hold-ms 1500; P=$BG_PID
if pg_wait_phase "$T/s.out" ready $((5000 * ${PG_TIME_SCALE:-1})) "$P"; then
	good=1
	# The forker and 3 children fill pids.max=4; the other 9 forks fail.
	expect_eq "$name" "forks_ok" "$(kv "$T/s.out" forks_ok)" 3 || good=0
	[ $good = 1 ] && { expect_eq "$name" "fork errno" "$(kv "$T/s.out" fork_errno)" EAGAIN || good=0; }
	[ $good = 1 ] && { expect_ge "$name" "refusals by the kernel's pids.max" "$(pg_meter_maxhits)" 9 || good=0; }
	[ $good = 1 ] && { expect_exact "$name" "$RD" "$D" 0 "after 9 failed forks" && expect_eq "$name" "current" "$GOT_CUR" 4 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "denied by pidguard" "$(st "$RD" denied)" 0 || good=0; }
	[ $good = 1 ] && { expect_le "$name" "pidguard peak" "$(st "$RD" peak)" 4 || good=0; }
	pg_finish "$P" $((5000 * ${PG_TIME_SCALE:-1}))
	[ $good = 1 ] && { expect_exact "$name" "$RD" "$D" 0 "after the children left" && expect_eq "$name" "current" "$GOT_CUR" 0 || good=0; }
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "spawn never ready: $(tr '\n' ' ' < "$T/s.out")"
fi
pg_finish "$P" 5000
