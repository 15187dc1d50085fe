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
pg_setup slots

A=$(cg_make a) && U=$(cg_make u) && F=$(cg_make f) ||
	{ notok slots "cannot create cgroups under $CG2"; exit 1; }
RA=$(cg_rel "$A"); RF=$(cg_rel "$F")

name=slots-bad-capacity-refused
good=1
for v in 1 3 100 131072 -2 abc 8x; do
	PIDGUARD_TASK_SLOTS=$v "$PG" run --no-docker --limit "$RA=10" --duration 1 \
		> "$T/bad.out" 2> "$T/bad.err"
	rc=$?
	if [ "$rc" != 1 ] || ! grep -qF "PIDGUARD_TASK_SLOTS=$v: want 0 (no slots: every task record in task_records) or a power of two from 2 to 65536" "$T/bad.err"; then
		notok "$name" "PIDGUARD_TASK_SLOTS=$v: exit $rc, stderr: $(head -c 300 "$T/bad.err" | tr '\n' ' ')"
		good=0
		break
	fi
done
if [ $good = 1 ] && [ -e "$PIN_DIR/limits" ]; then
	notok "$name" "something was pinned by a refused run: $(ls "$PIN_DIR" | tr '\n' ' ')"
	good=0
fi
[ $good = 1 ] && ok "$name"

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

name=slots-forks-threads-zombies
pg_forker "$T/f.out" --cgroup "$A" spawn 30 --hold-ms 1500; P=$BG_PID
pg_forker "$T/t.out" --cgroup "$A" threads 30 --hold-ms 1500; Q=$BG_PID
pg_forker "$T/z.out" --cgroup "$A" zombies 20 --hold-ms 1500; Z=$BG_PID
if pg_wait_phase "$T/f.out" ready 5000 "$P" && pg_wait_phase "$T/t.out" ready 5000 "$Q" &&
   pg_wait_phase "$T/z.out" ready 5000 "$Z"; then
	# 31 + 31 + 21 tasks: the three forkers moved in (task_records), the
	# rest forked there (a slot, or task_records when it was taken).
	if expect_exact "$name" "$RA" "$A" 0 "held" && expect_eq "$name" "current" "$GOT_CUR" 83; then
		good=1
		if [ -z "$BPFTOOL" ]; then
			note "$name: no bpftool: where the records are is not checked"
		else
			su=$(slots_used); tu=$(table_used)
			note "$name: $su records in slots, $tu in task_records"
			expect_ge "$name" "records in slots" "$su" 1 &&
				expect_ge "$name" "records in task_records" "$tu" 3 || good=0
			# A seeding pass (a new limit) looks at every task: it
			# finds the records in slots, and makes no entry for them.
			X=$(cg_make x) && "$PG" limit "$X" 100 > "$T/x.out" 2>&1 ||
				{ notok "$name" "limit on x: $(tr '\n' ' ' < "$T/x.out")"; good=0; }
			[ $good = 1 ] && { expect_eq "$name" "task_records entries after a seeding pass" "$(table_used)" "$tu" || good=0; }
		fi
		pg_finish "$P" 5000; pg_finish "$Q" 5000; pg_finish "$Z" 5000
		[ $good = 1 ] && expect_exact "$name" "$RA" "$A" 0 "after exit" &&
			expect_eq "$name" "current" "$GOT_CUR" 0 && ok "$name"
	fi
else
	notok "$name" "holders not ready: $(cat "$T/f.out" "$T/t.out" "$T/z.out" | tr '\n' ' ')"
fi
pg_finish "$P" 5000; pg_finish "$Q" 5000; pg_finish "$Z" 5000

name=slots-storm-exact
pg_forker "$T/s1.out" --cgroup "$A" storm --ops 2000 --seed $$ --away "$U" --home "$A" --hold-ms 3000; S1=$BG_PID
pg_forker "$T/s2.out" --cgroup "$U" storm --ops 2000 --seed $(($$ + 1)) --away "$A" --home "$U" --hold-ms 3000; S2=$BG_PID
if pg_wait_phase "$T/s1.out" ready 30000 "$S1" && pg_wait_phase "$T/s2.out" ready 30000 "$S2"; then
	if expect_exact "$name" "$RA" "$A" 0 "storms at rest"; then
		pg_finish "$S1" 10000; pg_finish "$S2" 10000
		expect_exact "$name" "$RA" "$A" 0 "after the storms" && expect_eq "$name" "current" "$GOT_CUR" 0 &&
			ok "$name"
	fi
else
	notok "$name" "storms never ready: $(tail -n 3 "$T/s1.out" "$T/s2.out" | tr '\n' ' ')"
fi
pg_finish "$S1" 10000; pg_finish "$S2" 10000

# Enforcement does not care where a record lives: limit 10, 20 children.
name=slots-flagged
pg_forker "$T/fl.out" --cgroup "$F" spawn 20 --hold-ms 1000; P=$BG_PID
if pg_wait_phase "$T/fl.out" ready 5000 "$P"; then
	good=1
	expect_exact "$name" "$RF" "$F" 0 "21 tasks, limit 10" && expect_eq "$name" "current" "$GOT_CUR" 21 || good=0
	[ $good = 1 ] && { expect_eq "$name" "flagged counter" "$(st "$RF" flagged)" 11 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "over_limit events" "$(ev_count "$RF" over_limit)" 11 || good=0; }
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "spawn never ready: $(tr '\n' ' ' < "$T/fl.out")"
fi
pg_finish "$P" 5000

# Seeding passes during churn: each new limit is a pass over every task on
# the host, whose makers race the fork hook of every task being forked.
# The fork hook keeps a slot only if no other maker can have an entry for
# its task; a maker finding the slot claimed waits for the fork hook's
# record. Either way one record per task. Two records would count a task
# twice until its free hook released both: only the peak keeps that, and
# the polite forker never has more than itself and one child in c.
name=slots-passes-during-churn
C=$(cg_make c) && "$PG" limit "$C" 5000 > "$T/limit.out" 2>&1 ||
	{ notok "$name" "cannot limit $(cg_rel "$C"): $(tr '\n' ' ' < "$T/limit.out")"; }
RC=$(cg_rel "$C")
pg_bg "$T/churn.out" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do "$1" --cgroup "$2" polite --forks 1000 --hold-ms 0 || exit 1; done' churn "$FORKER" "$C"
CH=$BG_PID
i=0
while pg_alive "$CH" && [ $i -lt 200 ]; do
	i=$((i + 1))
	L=$(cg_make "l$i") && "$PG" limit "$L" 5000 > "$T/limit.out" 2>&1 ||
		{ notok "$name" "pidguard limit l$i 5000 failed: $(tr '\n' ' ' < "$T/limit.out")"; break; }
done
pg_finish "$CH" 60000
note "$name: $i seeding passes during $(grep -c '^child_exited=1000$' "$T/churn.out") x 1000 forks"
expect_exact "$name" "$RC" "$C" 0 "after the churn" && expect_eq "$name" "current" "$GOT_CUR" 0 &&
	expect_le "$name" "peak" "$(st "$RC" peak)" 2 && ok "$name"

name=slots-free-after
for c in "$U" "$A" "$F" "$C"; do
	[ -e "$c/cgroup.kill" ] && echo 1 > "$c/cgroup.kill" 2>/dev/null
done
tasks_left() { echo $(( $(cg_tasks "$U") + $(cg_tasks "$A") + $(cg_tasks "$F") + $(cg_tasks "$C") )); }
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
	# reap under lazy RCU, and the collector takes two passes.
	_end=$(( $(now_ms) + 15000 * PG_SCALE ))
	while :; do
		su=$(slots_used); tu=$(table_used)
		[ "$su" = 0 ] && [ "$tu" = 0 ] || [ "$(now_ms)" -ge "$_end" ] && break
		sleep 0.2
	done
	if [ "$su" = 0 ] && [ "$tu" = 0 ]; then
		ok "$name"
	else
		notok "$name" "15 s after every task was gone: $su slots still hold a record, $tu task_records entries are left"
	fi
fi

pg_run_stop
