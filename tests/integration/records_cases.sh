# SPDX-License-Identifier: GPL-2.0
# records_cases.sh: workloads that must count exactly wherever task records
# live, and the refusal of a bad capacity, sourced by test_task_records.sh
# (the table, then task storage) and test_task_slots.sh (slots, then the
# table). Each case calls ok or notok for NAME itself. The caller has run
# pg_setup (and pg_run, but for rc_env_refused), and set A and U (limited
# 5000, and not limited) and F (limited 10), with RA and RF their relative
# paths. rc_held may call a check the caller defines, named in
# RC_HELD_CHECK: it gets NAME, returns non-zero after notok. Variables here start with rc_: lib.sh's own start with _.

# rc_held NAME: 30 children, 30 threads and 20 zombies held in A (83
# tasks with their three forkers), counted exactly while held and after.
rc_held() {
	pg_forker "$T/f.out" --cgroup "$A" spawn 30 --hold-ms 1500; rc_p=$BG_PID
	pg_forker "$T/t.out" --cgroup "$A" threads 30 --hold-ms 1500; rc_q=$BG_PID
	pg_forker "$T/z.out" --cgroup "$A" zombies 20 --hold-ms 1500; rc_z=$BG_PID
	if pg_wait_phase "$T/f.out" ready 5000 "$rc_p" && pg_wait_phase "$T/t.out" ready 5000 "$rc_q" &&
	   pg_wait_phase "$T/z.out" ready 5000 "$rc_z"; then
		if expect_exact "$1" "$RA" "$A" 0 "held" && expect_eq "$1" "current" "$GOT_CUR" 83 &&
		   { [ -z "${RC_HELD_CHECK:-}" ] || "$RC_HELD_CHECK" "$1"; }; then
			pg_finish "$rc_p" 5000; pg_finish "$rc_q" 5000; pg_finish "$rc_z" 5000
			expect_exact "$1" "$RA" "$A" 0 "after exit" && expect_eq "$1" "current" "$GOT_CUR" 0 &&
				ok "$1"
		fi
	else
		notok "$1" "holders not ready: $(cat "$T/f.out" "$T/t.out" "$T/z.out" | tr '\n' ' ')"
	fi
	pg_finish "$rc_p" 5000; pg_finish "$rc_q" 5000; pg_finish "$rc_z" 5000
}

# rc_storms NAME: two storms of forks, threads, zombies and migrations
# between A and U, each migrating into the other's cgroup.
rc_storms() {
	pg_forker "$T/s1.out" --cgroup "$A" storm --ops 2000 --seed $$ --away "$U" --home "$A" --hold-ms 3000; rc_s1=$BG_PID
	pg_forker "$T/s2.out" --cgroup "$U" storm --ops 2000 --seed $(($$ + 1)) --away "$A" --home "$U" --hold-ms 3000; rc_s2=$BG_PID
	if pg_wait_phase "$T/s1.out" ready 30000 "$rc_s1" && pg_wait_phase "$T/s2.out" ready 30000 "$rc_s2"; then
		if expect_exact "$1" "$RA" "$A" 0 "storms at rest"; then
			pg_finish "$rc_s1" 10000; pg_finish "$rc_s2" 10000
			expect_exact "$1" "$RA" "$A" 0 "after the storms" && expect_eq "$1" "current" "$GOT_CUR" 0 &&
				ok "$1"
		fi
	else
		notok "$1" "storms never ready: $(tail -n 3 "$T/s1.out" "$T/s2.out" | tr '\n' ' ')"
	fi
	pg_finish "$rc_s1" 10000; pg_finish "$rc_s2" 10000
}

# rc_flagged NAME: enforcement does not care where a record lives: 20
# children in F (limit 10, flag mode), 11 of them flagged.
rc_flagged() {
	pg_forker "$T/fl.out" --cgroup "$F" spawn 20 --hold-ms 1000; rc_p=$BG_PID
	if pg_wait_phase "$T/fl.out" ready 5000 "$rc_p"; then
		rc_good=1
		expect_exact "$1" "$RF" "$F" 0 "21 tasks, limit 10" && expect_eq "$1" "current" "$GOT_CUR" 21 || rc_good=0
		[ $rc_good = 1 ] && { expect_eq "$1" "flagged counter" "$(st "$RF" flagged)" 11 || rc_good=0; }
		[ $rc_good = 1 ] && { expect_eq "$1" "over_limit events" "$(ev_count "$RF" over_limit)" 11 || rc_good=0; }
		[ $rc_good = 1 ] && ok "$1"
	else
		notok "$1" "spawn never ready: $(tr '\n' ' ' < "$T/fl.out")"
	fi
	pg_finish "$rc_p" 5000
}

# rc_hook_misses: NAME=N for each pinned program, N the runs the kernel
# skipped (bpftool's recursion_misses). A skipped reap or free hook leaves
# a charge that a later take-over releases as late: not the double count
# rc_churn looks for, and this tells the two apart when it fails.
rc_hook_misses() {
	[ -n "$BPFTOOL" ] || { echo "(no bpftool)"; return; }
	for l in "$PIN_DIR"/link_*; do
		id=$("$BPFTOOL" link show pinned "$l" 2>/dev/null | sed -n 's/.* prog \([0-9][0-9]*\).*/\1/p' | head -1)
		[ -n "$id" ] && "$BPFTOOL" prog show id "$id" 2>/dev/null |
			awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "name") n = $(i + 1) }
			     { for (i = 1; i < NF; i++) if ($i == "recursion_misses") m = $(i + 1) }
			     END { printf "%s=%d ", n, m }'
	done
}

# rc_churn NAME DIR [KIND [PEAK]]: 10 rounds of a forker in DIR (limited)
# while up to 200 new limits each run a seeding pass over every task on
# the host: exact after. KIND: processes (default: 1000 polite forks, each
# child reaped before the next) or threads (about 10,000 thread
# create+join, a storm of that one kind).
#
# A pass that charged a task its exit or reap had released already would
# count it until its free hook, which then releases it as late: no task
# may be released late meanwhile (stats.late_release). With PEAK (2, for
# processes in a DIR that held nothing before), DIR's peak must be at
# most that: the polite forker reaps each child before the next fork. Not
# for threads: pthread_join returns at the thread's exit_mm, well before
# its reap, and the kernel's pids controller counts it until then too (the
# VM's slow CPUs saw 4 with no pass at all).
rc_churn() {
	case ${3:-processes} in
	processes) rc_work='polite --forks 1000 --hold-ms 0'; rc_done='^child_exited=1000$' ;;
	threads) rc_work='storm --only jointhread --ops 50000 --hold-ms 0'; rc_done='^phase=done$' ;;
	*) notok "$1" "rc_churn: unknown kind '$3'"; return ;;
	esac
	pg_status > /dev/null 2>&1
	rc_late=$(stat_field late_release)
	rc_rcol=$(stat_field records_collected); rc_zcol=$(stat_field zombies_collected)
	rc_miss=$(rc_hook_misses)
	pg_bg "$T/churn.out" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do "$1" --cgroup "$2" $3 || exit 1; done' churn "$FORKER" "$2" "$rc_work"
	rc_ch=$BG_PID
	rc_i=0
	while pg_alive "$rc_ch" && [ $rc_i -lt 200 ]; do
		rc_i=$((rc_i + 1))
		rc_l=$(cg_make "l$1$rc_i") && "$PG" limit "$rc_l" 5000 > "$T/limit.out" 2>&1 ||
			{ notok "$1" "pidguard limit l$1$rc_i 5000 failed: $(tr '\n' ' ' < "$T/limit.out")"; break; }
	done
	pg_finish "$rc_ch" 60000
	note "$1: $rc_i seeding passes during $(grep -c "$rc_done" "$T/churn.out") of 10 rounds of ${3:-processes}"
	expect_exact "$1" "$(cg_rel "$2")" "$2" 0 "after the churn" && expect_eq "$1" "current" "$GOT_CUR" 0 &&
		{ [ -z "${4:-}" ] || expect_le "$1" "peak" "$(st "$(cg_rel "$2")" peak)" "$4"; } &&
		{ pg_status > /dev/null 2>&1 || { notok "$1" "pidguard status failed after the churn"; false; }; } ||
		return
	if expect_eq "$1" "tasks released late during the churn (charged after their exit)" \
		"$(( $(stat_field late_release) - ${rc_late:-0} ))" 0; then
		ok "$1"
	else
		note "$1: meanwhile records_collected +$(( $(stat_field records_collected) - ${rc_rcol:-0} )), zombies_collected +$(( $(stat_field zombies_collected) - ${rc_zcol:-0} )); runs the kernel skipped (recursion_misses), before: $rc_miss; after: $(rc_hook_misses)"
	fi
}

# rc_env_refused NAME VAR WANT VALUE...: `run` with VAR set to each VALUE
# exits 1 saying "VAR=VALUE: WANT", and pins nothing.
rc_env_refused() {
	rc_name=$1 rc_var=$2 rc_want=$3
	shift 3
	for rc_v in "$@"; do
		env "$rc_var=$rc_v" "$PG" run --no-docker --limit "$RA=10" --duration 1 \
			> "$T/bad.out" 2> "$T/bad.err"
		rc_rc=$?
		if [ "$rc_rc" != 1 ] || ! grep -q -F "$rc_var=$rc_v: $rc_want" "$T/bad.err"; then
			notok "$rc_name" "$rc_var=$rc_v: exit $rc_rc, stderr: $(head -c 300 "$T/bad.err" | tr '\n' ' ')"
			return
		fi
	done
	if [ -e "$PIN_DIR/limits" ]; then
		notok "$rc_name" "something was pinned by a refused run: $(ls "$PIN_DIR" | tr '\n' ' ')"
	else
		ok "$rc_name"
	fi
}
