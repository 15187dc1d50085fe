#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Task records in slots (task_slots, bpf/task_slot.bpf.h): a task forked in
# a limited cgroup gets its record in the slot its address maps to, unless
# that slot is taken; then, and for every record made by anything but the
# fork hook (migrations, seeding), an entry of task_records. With 64 slots
# for 80-odd tasks both places hold records at once. Counts stay exact
# through forks, threads, zombies, migrations both ways, and seeding passes
# racing forks (where one protocol keeps one record per task across the two
# places); flag mode flags every fork past the limit; and once every task is
# gone, every slot is free and the table is empty. A bad PIDGUARD_TASK_SLOTS
# is refused with a clear error, before anything is loaded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/records_cases.sh"
pg_setup slots

A=$(cg_make a) && U=$(cg_make u) && F=$(cg_make f) ||
	{ notok slots "cannot create cgroups under $CG2"; exit 1; }
RA=$(cg_rel "$A"); RF=$(cg_rel "$F")

rc_env_refused slots-bad-capacity-refused PIDGUARD_TASK_SLOTS "want 0 (no slots: every task record in task_records) or a power of two from 2 to 65536" 1 3 100 131072 -2 abc 8x

export PIDGUARD_TASK_SLOTS=64
if ! pg_run --mode flag --limit "$RA=5000" --limit "$RF=10" --events-per-sec 0 --json; then
	notok slots "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
unset PIDGUARD_TASK_SLOTS

# slots_used / table_used: records in slots (a word that is not 0) and
# entries in task_records, from bpftool.
slots_used() {
	"$BPFTOOL" -j map dump pinned "$PIN_DIR/task_slots" 2>/dev/null | tr -d ' \n' |
		grep -o '"word":[0-9]*' | grep -vc '"word":0$'
}
table_used() {
	"$BPFTOOL" map dump pinned "$PIN_DIR/task_records" 2>/dev/null | grep -c '"key"'
}
# Slots whose record still holds a charge: none may once every task is
# gone, since a record is retired (its charges released) before its slot
# is given back.
slots_charged() {
	"$BPFTOOL" -j map dump pinned "$PIN_DIR/task_slots" 2>/dev/null | tr -d ' \n' |
		grep -o '"slots":\[[0-9,]*\]' | grep -vc '^"slots":\[[0,]*\]$'
}
# The records still in slots or task_records, for a failure's message:
# up to 3 of each, fields by name (word: the task's address, owner: the
# start time of the task that made it).
records_left() {
	for m in task_slots task_records; do
		"$BPFTOOL" -j map dump pinned "$PIN_DIR/$m" 2>/dev/null | tr -d ' \n' |
			sed 's/},{"key":\[/}\n{"key":[/g' | sed -n 's/.*"formatted":\(.*\)}$/\1/p' |
			grep -v '"word":0,' | head -n 3 | sed "s/^/$m /" | cut -c1-400
	done | tr '\n' ';'
}
# Entries of task_records not released: a live task's. A free hook running
# during a seeding pass leaves a released entry even for a task that had
# none (test_task_records.sh), which the collector deletes a second later.
table_live() {
	"$BPFTOOL" -j map dump pinned "$PIN_DIR/task_records" 2>/dev/null | tr -d ' \n' |
		grep -o '"released":[0-9]*' | grep -c '"released":0$'
}

# 31 + 31 + 21 tasks: the three forkers moved in (task_records), the rest
# forked there (a slot, or task_records when it was taken).
records_in_both() {
	if [ -z "$BPFTOOL" ]; then
		note "$1: no bpftool: where the records are is not checked"
		return 0
	fi
	rib_su=$(slots_used); rib_tu=$(table_live)
	note "$1: $rib_su records in slots, $rib_tu in task_records"
	expect_ge "$1" "records in slots" "$rib_su" 1 &&
		expect_ge "$1" "records in task_records" "$rib_tu" 3 || return 1
	# A seeding pass (a new limit) looks at every task: it finds the
	# records in slots, and makes no entry for them.
	rib_x=$(cg_make x) && "$PG" limit "$rib_x" 100 > "$T/x.out" 2>&1 ||
		{ notok "$1" "limit on x: $(tr '\n' ' ' < "$T/x.out")"; return 1; }
	expect_eq "$1" "live task_records entries after a seeding pass" "$(table_live)" "$rib_tu"
}
RC_HELD_CHECK=records_in_both
rc_held slots-forks-threads-zombies
rc_storms slots-storm-exact
rc_flagged slots-flagged

# Seeding passes race the fork hook of every task being forked. The fork
# hook keeps a slot only if no other maker can have an entry for its task;
# a maker finding the slot claimed waits for the fork hook's record.
# Either way one record per task. Two records would count a task twice
# until its free hook released both: only the peak keeps that, and the
# polite forker never has more than itself and one child in c.
C=$(cg_make c) && "$PG" limit "$C" 5000 > "$T/limit.out" 2>&1 ||
	notok slots-passes-during-churn "cannot limit c: $(tr '\n' ' ' < "$T/limit.out")"
rc_churn slots-passes-during-churn "$C" processes 2
# The same with threads: a pass that finds a thread between its exit hook
# (which releases its record) and its reap must not charge it again.
CT=$(cg_make ct) && "$PG" limit "$CT" 5000 > "$T/limit.out" 2>&1 ||
	notok slots-thread-passes-during-churn "cannot limit ct: $(tr '\n' ' ' < "$T/limit.out")"
rc_churn slots-thread-passes-during-churn "$CT" threads

name=slots-free-after
for c in "$U" "$A" "$F" "$C" "$CT"; do
	[ -e "$c/cgroup.kill" ] && echo 1 > "$c/cgroup.kill" 2>/dev/null
done
tasks_left() { echo $(( $(cg_tasks "$U") + $(cg_tasks "$A") + $(cg_tasks "$F") + $(cg_tasks "$C") + $(cg_tasks "$CT") )); }
_end=$(( $(now_ms) + 5000 * PG_SCALE ))
while [ "$(tasks_left)" != 0 ] && [ "$(now_ms)" -lt "$_end" ]; do
	sleep 0.1
done
if [ -z "$BPFTOOL" ]; then
	skip "$name" "bpftool not installed (needed to dump task_slots)"
elif [ "$(tasks_left)" != 0 ]; then
	notok "$name" "tasks still alive 5 s after cgroup.kill: u $(cg_tasks "$U"), a $(cg_tasks "$A"), f $(cg_tasks "$F")"
else
	# As in test_task_records: a free hook can come seconds after the
	# reap under lazy RCU; and a slot the free hook had to leave takes
	# slot_gc three passes, 5 s apart.
	_end=$(( $(now_ms) + 25000 * PG_SCALE ))
	while :; do
		su=$(slots_used); tu=$(table_used)
		[ "$su" = 0 ] && [ "$tu" = 0 ] || [ "$(now_ms)" -ge "$_end" ] && break
		sleep 0.2
	done
	if [ "$su" = 0 ] && [ "$tu" = 0 ]; then
		expect_eq "$name" "slots whose record still holds a charge" "$(slots_charged)" 0 && ok "$name"
	else
		pg_status > /dev/null 2>&1
		notok "$name" "25 s after every task was gone: $su slots still hold a record, $tu task_records entries are left (records_collected $(stat_field records_collected), late_release $(stat_field late_release)): $(records_left)"
	fi
fi

pg_run_stop
