#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A cgroup without a limit, and the root cgroup, are never touched: a storm
# and a bomb-sized spawn in an unlimited sibling of a full limited cgroup see
# zero failures and zero kills, and get no usage entry; a cgroup tracked with
# `limit X none` is counted exactly and never acted on.
. "$(dirname "$0")/lib.sh"
pg_setup unlimited

A=$(cg_make a) && U=$(cg_make u) && N=$(cg_make none) || { notok unlimited "cannot create cgroups under $CG2"; exit 1; }
RA=$(cg_rel "$A"); RU=$(cg_rel "$U"); RN=$(cg_rel "$N")
if ! pg_run --limit "$RA=3" --events-per-sec 0 --json; then
	notok unlimited "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
pg_status >/dev/null 2>&1
note "mode: $STATUS_MODE"

# Fill the limited cgroup past its limit so that enforcement is active.
pg_forker "$T/a.out" --cgroup "$A" spawn 5 --hold-ms 4000; PA=$BG_PID

name=unlimited-sibling-untouched
pg_forker "$T/us.out" --cgroup "$U" spawn 60 --hold-ms 1000; P1=$BG_PID
pg_forker "$T/ut.out" --cgroup "$U" threads 60 --hold-ms 1000; P2=$BG_PID
pg_forker "$T/st.out" --cgroup "$U" storm --ops 2000 --seed $$ --hold-ms 200; P3=$BG_PID
pg_finish "$P1" 10000; pg_finish "$P2" 10000; pg_finish "$P3" 20000
good=1
expect_eq "$name" "spawn forks_ok" "$(kv "$T/us.out" forks_ok)" 60 || good=0
[ $good = 1 ] && { expect_eq "$name" "spawn children killed" "$(kv "$T/us.out" children_killed)" 0 || good=0; }
[ $good = 1 ] && { expect_eq "$name" "threads_ok" "$(kv "$T/ut.out" threads_ok)" 60 || good=0; }
[ $good = 1 ] && { expect_eq "$name" "storm fork failures" "$(kv "$T/st.out" fail_fork)" 0 || good=0; }
[ $good = 1 ] && { expect_eq "$name" "storm thread failures" "$(kv "$T/st.out" fail_thread)" 0 || good=0; }
[ $good = 1 ] && { expect_eq "$name" "storm children killed" "$(kv "$T/st.out" held_killed)" 0 || good=0; }
if [ $good = 1 ]; then
	pg_status >/dev/null 2>&1
	if [ -n "$(st_obj "$RU")" ]; then
		notok "$name" "status has an entry for the unlimited $RU: $(st_obj "$RU")"
	elif [ "$(ev_count "$RU" killed)$(ev_count "$RU" denied)$(ev_count "$RU" over_limit)" != 000 ]; then
		notok "$name" "events name the unlimited $RU: $(grep -e "\"cgroup\":\"$RU\"" "$T/events" | head -n 2)"
	else
		ok "$name"
	fi
fi

name=unlimited-root-untouched
# The test shell's own cgroup (the root, or wherever the suite runs) forks
# freely, and no status entry or event names the root.
pg_forker "$T/r.out" spawn 40 --hold-ms 300; P=$BG_PID
pg_finish "$P" 5000
pg_status >/dev/null 2>&1
ev_norm
if [ "$(kv "$T/r.out" forks_ok)" != 40 ] || [ "$(kv "$T/r.out" children_killed)" != 0 ]; then
	notok "$name" "outside any limited cgroup: $(grep -v '^child=' "$T/r.out" | tr '\n' ' ')"
elif [ -n "$(st_obj /)" ]; then
	notok "$name" "status lists the root cgroup: $(st_obj /)"
elif grep -v -e "\"cgroup\":\"$RA\"" "$T/events" | grep -q .; then
	notok "$name" "events for cgroups other than $RA: $(grep -v -e "\"cgroup\":\"$RA\"" "$T/events" | head -n 2)"
else
	ok "$name"
fi

name=unlimited-tracked-none
if "$PG" limit "$N" none > "$T/limit.out" 2>&1; then
	pg_forker "$T/n.out" --cgroup "$N" spawn 30 --hold-ms 1000; P=$BG_PID
	if pg_wait_phase "$T/n.out" ready 5000 "$P"; then
		good=1
		expect_exact "$name" "$RN" "$N" 0 "31 tasks" && expect_eq "$name" "current" "$GOT_CUR" 31 || good=0
		[ $good = 1 ] && { expect_eq "$name" "limit" "$(st "$RN" limit)" null || good=0; }
		[ $good = 1 ] && { expect_eq "$name" "killed+denied+flagged" "$(st_sum "$RN" killed denied flagged)" 0 || good=0; }
		pg_finish "$P" 5000
		[ $good = 1 ] && { expect_eq "$name" "children killed" "$(kv "$T/n.out" children_killed)" 0 || good=0; }
		[ $good = 1 ] && ok "$name"
	else
		notok "$name" "spawn never ready: $(tr '\n' ' ' < "$T/n.out")"
	fi
else
	notok "$name" "pidguard limit $N none failed: $(tr '\n' ' ' < "$T/limit.out")"
fi
pg_finish "$PA" 6000
