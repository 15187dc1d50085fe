#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Task charge records: the preallocated table (task_records) and the task
# storage it falls back to when full. With a table of 8 entries and no
# slots (PIDGUARD_TASK_SLOTS=0, so that forks take the table too: the slots
# have their own test, test_task_slots.sh), most tasks of a limited cgroup
# get their record in task storage; counts stay exact
# through forks, threads, zombies, migrations and seeding, flag mode still
# flags every fork past the limit, stats.records_full says how often the
# table was full, and once every task is gone the table is empty again (no
# entry outlives its task, stale ones included). A bad PIDGUARD_TASK_RECORDS
# is refused with a clear error, before anything is loaded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/records_cases.sh"
pg_setup records

A=$(cg_make a) && U=$(cg_make u) && S=$(cg_make s) && F=$(cg_make f) ||
	{ notok records "cannot create cgroups under $CG2"; exit 1; }
RA=$(cg_rel "$A"); RS=$(cg_rel "$S"); RF=$(cg_rel "$F")

rc_env_refused records-bad-capacity-refused PIDGUARD_TASK_RECORDS "want a number of task records from 1 to 4194304" 0 -5 abc 4194305 12x

# Tasks there before the limit: 4, so that half the table is left for the rest.
pg_forker "$T/seed.out" --cgroup "$S" spawn 3 --hold-ms 30000; SEED=$BG_PID
pg_wait_phase "$T/seed.out" ready 5000 "$SEED" ||
	{ notok records "seed holders not ready: $(tr '\n' ' ' < "$T/seed.out")"; exit 1; }

export PIDGUARD_TASK_RECORDS=8 PIDGUARD_TASK_SLOTS=0
if ! pg_run --mode flag --limit "$RA=5000" --limit "$RS=5000" --limit "$RF=10" \
	--events-per-sec 0 --json; then
	notok records "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
unset PIDGUARD_TASK_RECORDS PIDGUARD_TASK_SLOTS

name=records-seeded-past-the-table
expect_exact "$name" "$RS" "$S" 0 "4 tasks before run, table of 8" &&
	expect_eq "$name" "current" "$GOT_CUR" 4 && ok "$name"

# 31 + 31 + 21 tasks: all but 4 of them in task storage.
records_in_storage() { expect_ge "$1" "records_full" "$(stat_field records_full)" 70; }
RC_HELD_CHECK=records_in_storage
rc_held records-forks-threads-zombies
rc_storms records-storm-exact
rc_flagged records-flagged-from-storage
# The free hook leaves the entries of tasks freed during a pass (released)
# to a takeover or the collector; once every task is gone (below), the
# collector (every second) must have deleted them all.
rc_churn records-passes-during-churn "$A"
# Threads, in a cgroup of their own, where the peak shows a thread counted
# twice: a pass that found it between its exit hook and its reap.
CT=$(cg_make ct) && "$PG" limit "$CT" 5000 > "$T/limit.out" 2>&1 ||
	notok records-thread-passes-during-churn "cannot limit ct: $(tr '\n' ' ' < "$T/limit.out")"
rc_churn records-thread-passes-during-churn "$CT" threads

name=records-table-empty-after
pg_finish "$SEED" 5000
# Every task that ever had a record: the storms parked some of theirs in u,
# which has no limit but keeps their (empty) records until they exit. End
# whatever is left there, so that "every task gone" holds.
for c in "$U" "$A" "$F" "$S" "$CT"; do
	[ -e "$c/cgroup.kill" ] && echo 1 > "$c/cgroup.kill" 2>/dev/null
done
tasks_left() { echo $(( $(cg_tasks "$U") + $(cg_tasks "$A") + $(cg_tasks "$F") + $(cg_tasks "$S") + $(cg_tasks "$CT") )); }
_end=$(( $(now_ms) + 5000 * PG_SCALE ))
while [ "$(tasks_left)" != 0 ] && [ "$(now_ms)" -lt "$_end" ]; do
	sleep 0.1
done
if [ -z "$BPFTOOL" ]; then
	skip "$name" "bpftool not installed (needed to dump task_records)"
elif [ ! -e "$PIN_DIR/task_records" ]; then
	notok "$name" "task_records is not pinned at $PIN_DIR: $(ls "$PIN_DIR" | tr '\n' ' ')"
elif [ "$(tasks_left)" != 0 ]; then
	notok "$name" "tasks still alive 5 s after cgroup.kill: u $(cg_tasks "$U"), a $(cg_tasks "$A"), f $(cg_tasks "$F"), s $(cg_tasks "$S")"
elif expect_exact "$name" "$RS" "$S" 0 "after the seeded holders exited"; then
	# A reaped task's record goes at its free hook, an RCU grace period
	# after the reap; lazy RCU (call_rcu batched for up to 10 s) stretches
	# that to seconds on a busy host: one CI run still had a reaped
	# leader's record (zombie 1, slots released) 5 s after the reap.
	_end=$(( $(now_ms) + 15000 * PG_SCALE ))
	while :; do
		left=$("$BPFTOOL" map dump pinned "$PIN_DIR/task_records" 2>/dev/null | grep -c '"key"')
		[ "$left" = 0 ] || [ "$(now_ms)" -ge "$_end" ] && break
		sleep 0.2
	done
	if [ "$left" = 0 ]; then
		ok "$name"
	else
		notok "$name" "$left task_records entries left 15 s after every task was gone: $("$BPFTOOL" map dump pinned "$PIN_DIR/task_records" 2>/dev/null | tr -d ' \n' | sed 's/"slots":\[\([0-9,]*\)\]/"slots":[\1]/g' | head -c 900)"
	fi
fi

pg_run_stop
