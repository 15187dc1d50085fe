#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Kill mode: a tight fork bomb in a cgroup limited to 25, reaping and not
# reaping, is held within 2 x limit + 1 at its peak (measured exactly by a
# pids controller's pids.peak around it, whose pids.max=400 is the safety net)
# and within the limit at rest; the killed counter and the events agree; a
# well-behaved parent that reaps its killed child survives (and is graced
# again once it has reaped); a parent that reaps each child and forks again
# at its limit never has a child killed for the dead one; a migration into
# a full cgroup is killed.
. "$(dirname "$0")/lib.sh"
pg_setup kill

LIMIT=25
PEAK_BOUND=$((2 * LIMIT + 1))	# + 1: the one graced parent's child
SAFETY=400
NAMES="kill-bomb-reaping kill-bomb-not-reaping kill-polite-parent-survives kill-serial-reaper-at-limit kill-migration-into-full"

KR=$(cg_make bomb-reap) && KN=$(cg_make bomb-noreap) && L=$(cg_make polite) && U=$(cg_make u) &&
	S=$(cg_make serial) ||
	{ notok kill "cannot create cgroups under $CG2"; exit 1; }
RKR=$(cg_rel "$KR"); RKN=$(cg_rel "$KN"); RL=$(cg_rel "$L"); RS=$(cg_rel "$S")

if ! pg_run --mode kill --limit "$RKR=$LIMIT" --limit "$RKN=$LIMIT" --limit "$RL=5" --limit "$RS=2" --events-per-sec 0 --json; then
	kv_major=$(uname -r | cut -d. -f1); kv_minor=$(uname -r | cut -d. -f2)
	if [ "$kv_major" -lt 6 ] || { [ "$kv_major" = 6 ] && [ "$kv_minor" -lt 13 ]; } ||
	   grep -qi -e 'not supported' -e 'unsupported' -e 'not available' -e 'send_signal' "$T/run.err"; then
		for n in $NAMES; do skip "$n" "kill mode not available on $(uname -r): $(pg_run_why)"; done
		exit 0
	fi
	notok kill "pidguard run --mode kill did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi

# killed_agree NAME REL: the killed counter equals the kills the events report
# (one per killed / migrated_killed event, plus one per parent_killed flag).
killed_agree() {
	pg_status >/dev/null 2>&1
	_k=$(st "$2" killed)
	_ek=$(ev_count "$2" killed); _ep=$(ev_count_flag "$2" killed parent_killed)
	_em=$(ev_count "$2" migrated_killed)
	_lost=$(stat_field events_lost)
	[ "$_k" = $((_ek + _ep + _em)) ] && return 0
	notok "$1" "killed counter is $_k but the events report $_ek killed + $_ep parent_killed + $_em migrated_killed (events_lost=${_lost:-?})"
	return 1
}

# bomb_case NAME CGROUP REAP(--reap or "") REST_BOUND
bomb_case() {
	_n=$1 _cg=$2 _rel=$(cg_rel "$2") _reap=$3 _restmax=$4
	if ! pg_meter "$_n" "$_cg" "$SAFETY"; then
		notok "$_n" "no pids controller to measure the peak with (v1 pids or v2 pids in $(dirname "$_cg"))"
		return
	fi
	_sampler=
	if [ -z "$METER_PEAK" ]; then
		note "$_n: no pids.peak on this kernel: sampling $METER_DIR/pids.current (a lower bound of the peak)"
		pg_forker "$T/$_n.sample" sample "$METER_DIR/pids.current" --duration-ms 8000 --interval-us 0
		_sampler=$BG_PID
	fi
	# shellcheck disable=SC2086 # METER_JOIN is "--cgroup DIR" or empty
	pg_forker "$T/$_n.out" --cgroup "$_cg" $METER_JOIN bomb --duration-ms 2000 --hold-ms 1500 $_reap --max 20000
	_b=$BG_PID
	if ! pg_wait_phase "$T/$_n.out" rest 8000 "$_b"; then
		notok "$_n" "the bomb's controller never reached rest (killed?): $(tr '\n' ' ' < "$T/$_n.out")"
		pg_finish "$_b" 5000
		return
	fi
	# At rest: both counters cover the same tasks (zombies included): they
	# must agree; retry while an exit is in flight (RCU).
	_end=$(( $(now_ms) + 1000 ))
	while :; do
		_m=$(cat "$METER_DIR/pids.current"); _c=$(pg_cur "$_rel")
		[ "$_m" = "$_c" ] && break
		[ "$(now_ms)" -ge "$_end" ] && break
		sleep 0.05
	done
	_rest=$_m _rest_pg=$_c
	pg_wait_phase "$T/$_n.out" "done" 8000 "$_b"
	pg_finish "$_b" 5000
	if [ -n "$_sampler" ]; then
		kill -TERM "$_sampler" 2>/dev/null; pg_finish "$_sampler" 3000
		_peak=$(kv "$T/$_n.sample" peak)
	else
		_peak=$(cat "$METER_PEAK")
	fi
	_hits=$(pg_meter_maxhits)
	pg_status >/dev/null 2>&1
	_pgpeak=$(st "$_rel" peak); _killed=$(st "$_rel" killed)
	note "$_n: peak=$_peak (pidguard peak=$_pgpeak) rest=$_rest (pidguard current=$_rest_pg) killed=$_killed safety-net hits=${_hits:-?}; $(grep -v -e '^phase' -e bomb_pgid "$T/$_n.out" | tr '\n' ' ')"
	[ "$FINISH_RC" = 0 ] || { notok "$_n" "the bomb's controller exited with $FINISH_RC (it must survive and report): $(tail -n 3 "$T/$_n.out" | tr '\n' ' ')"; return; }
	expect_eq "$_n" "forks refused by the safety net pids.max=$SAFETY" "${_hits:-0}" 0 || return
	expect_le "$_n" "peak task count (pids.peak)" "$_peak" "$PEAK_BOUND" || return
	expect_le "$_n" "pidguard's peak" "$_pgpeak" "$PEAK_BOUND" || return
	expect_le "$_n" "task count at rest" "$_rest" "$_restmax" || return
	expect_eq "$_n" "pidguard current at rest (pids.current=$_rest)" "$_rest_pg" "$_rest" || return
	expect_eq "$_n" "forks failed with EAGAIN in kill mode" "$(kv "$T/$_n.out" forks_eagain)" 0 || return
	expect_ge "$_n" "killed counter" "$_killed" 1 || return
	# The bomb reached the limit: its processes plus the controller. (In kill
	# mode every runaway parent dies too, so the bomb may be wiped out.)
	expect_ge "$_n" "bomb processes + controller (the bomb reached the limit)" $(( $(kv "$T/$_n.out" procs_started) + 1 )) "$LIMIT" || return
	killed_agree "$_n" "$_rel" || return
	# What happened: every task pidguard killed was reaped before the
	# teardown, by its parent or (orphaned) by the controller, and counted
	# there as a death by SIGKILL; nothing else sends SIGKILL before then.
	expect_eq "$_n" "SIGKILL deaths the bomb reaped (by parents + by the controller)" \
		$(( $(kv "$T/$_n.out" reaped_killed) + $(kv "$T/$_n.out" orphans_killed) )) "$_killed" || return
	expect_exact "$_n" "$_rel" "$_cg" 0 "after the bomb" && expect_eq "$_n" "current after the bomb" "$GOT_CUR" 0 && ok "$_n"
}

bomb_case kill-bomb-reaping "$KR" --reap "$LIMIT"
# Not reaping: the one graced parent may hold its killed child unreaped
# until it exits, so at rest the count may be limit + 1.
bomb_case kill-bomb-not-reaping "$KN" "" $((LIMIT + 1))

# -- a well-behaved parent: forks at the limit, reaps its killed child, lives --
name=kill-polite-parent-survives
pg_forker "$T/hold.out" --cgroup "$L" spawn 3 --hold-ms 6000; H=$BG_PID	# 4 tasks
if pg_wait_phase "$T/hold.out" ready 5000 "$H"; then
	# The 5th task; each of its 3 forks (one at a time, reaped in between) is
	# the 6th: killed, and the parent graced each time since it reaped.
	pg_forker "$T/polite.out" --cgroup "$L" polite --forks 3 --hold-ms 300; P=$BG_PID
	pg_finish "$P" 10000
	good=1
	expect_eq "$name" "parent_alive (polite exit status $FINISH_RC)" "$(kv "$T/polite.out" parent_alive)" 1 || good=0
	[ $good = 1 ] && { expect_eq "$name" "children killed" "$(kv "$T/polite.out" child_killed)" 3 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "forks failed" "$(kv "$T/polite.out" forks_failed)" 0 || good=0; }
	if [ $good = 1 ]; then
		pg_status >/dev/null 2>&1
		expect_eq "$name" "killed counter" "$(st "$RL" killed)" 3 || good=0
	fi
	[ $good = 1 ] && { expect_eq "$name" "killed events marked graced" "$(ev_count_flag "$RL" killed graced)" 3 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "killed events with parent_killed" "$(ev_count_flag "$RL" killed parent_killed)" 0 || good=0; }
	[ $good = 1 ] && expect_exact "$name" "$RL" "$L" 0 "holder alone" && expect_eq "$name" "current" "$GOT_CUR" 4 && ok "$name"
	[ $good = 1 ] || note "polite: $(tr '\n' ' ' < "$T/polite.out")"
else
	notok "$name" "holder never ready: $(tr '\n' ' ' < "$T/hold.out")"
fi

# -- a parent at its limit that reaps each child and forks again at once --
# Limit 2: the parent and one child. Each child exits at once and is reaped
# before the next fork, so no fork ever passes the limit. The reaped child's
# free hook comes an RCU grace period later (seconds under load): only a
# release at the reap itself (release_task), or, on this host,
# the check at the limit that releases the cgroup's reaped zombies first,
# keeps the next child alive.
name=kill-serial-reaper-at-limit
pg_serial_unacted "$name" "$S" "$RS" killed killed

# The same as pid 1 of a pid namespace (a container's init): the check
# finds its reaped children by their cgroup, whatever pids it sees.
name=kill-serial-reaper-in-pidns
pg_serial_unacted "$name" "$S" "$RS" killed killed wait4 1

# -- a migration into a full cgroup is killed (docker exec into a full container) --
name=kill-migration-into-full
pg_forker "$T/mig.out" --cgroup "$U" spawn 2 --hold-ms 3000; M=$BG_PID
if pg_alive "$H" && pg_wait_phase "$T/mig.out" ready 5000 "$M"; then
	c1=$(sed -n 's/^child=//p' "$T/mig.out" | sed -n 1p)
	c2=$(sed -n 's/^child=//p' "$T/mig.out" | sed -n 2p)
	echo "$c1" > "$L/cgroup.procs"		# 5th task: fits
	echo "$c2" > "$L/cgroup.procs"		# 6th: past the limit
	pg_finish "$M" 6000
	good=1
	expect_eq "$name" "migrated children killed" "$(kv "$T/mig.out" children_killed)" 1 || good=0
	[ $good = 1 ] && { expect_eq "$name" "migrated_killed events" "$(ev_count "$RL" migrated_killed)" 1 || good=0; }
	[ $good = 1 ] && { killed_agree "$name" "$RL" || good=0; }
	[ $good = 1 ] && expect_exact "$name" "$RL" "$L" 0 && ok "$name"
else
	notok "$name" "holders not ready: $(tr '\n' ' ' < "$T/mig.out")"
fi
pg_finish "$H" 8000
