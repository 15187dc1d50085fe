#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The runaway escalation ladder, in flag mode: a shell that forks without
# end in a cgroup over its limit is a runaway; with --runaway-seconds 2,
# --on-runaway freeze freezes its cgroup (and `pidguard thaw` thaws it),
# trim kills its newest processes down to the limit and spares the oldest,
# a second runaway within the cool-down takes no second action, and kill
# empties the cgroup. Then --enforce-in-userspace holds a fork bomb near
# its limit of 25: each trim with the cgroup frozen, and the bomb's repeat
# forkers killed; a freeze left by a run killed mid-trim is thawed by the
# next run.
. "$(dirname "$0")/lib.sh"
pg_setup runaway

A=$(cg_make freeze) && B=$(cg_make trim) && D=$(cg_make enforce) ||
	{ notok runaway "cannot create cgroups under $CG2"; exit 1; }
RA=$(cg_rel "$A") RB=$(cg_rel "$B") RD=$(cg_rel "$D")

# loop DIR: a shell that joins DIR, then runs /bin/true without end; LOOP is its pid.
loop() {
	# shellcheck disable=SC2016 # $$ and $1 are the inner shell's
	pg_bg "$T/loop.$$.out" sh -c 'echo $$ > "$1/cgroup.procs" && exec sh -c "while :; do /bin/true; done"' _ "$1"
	LOOP=$BG_PID
}

# runaway_lines STEP: the runaway events of that step so far.
runaway_lines() {
	ev_norm
	grep '"kind":"runaway"' "$T/events" | grep -c "\"step\":\"$1\""
}

# wait_step STEP TIMEOUT_MS: 0 once a runaway event of STEP is out.
wait_step() { pg_wait_line "$T/run.out" "\"step\" *: *\"$1\"" "$2" "$RUN_PID"; }

if [ ! -e "$A/cgroup.freeze" ]; then
	skip runaway-freeze "no cgroup.freeze (Linux 5.2+)"
else
	name=runaway-freeze-and-thaw
	# The step is a metric too: scrape it where curl and a free port are.
	MPORT= METRICS=
	if command -v curl > /dev/null 2>&1 && command -v ss > /dev/null 2>&1; then
		_p=$((20000 + ($$ + 7) % 20000))
		for _i in 1 2 3 4 5 6 7 8 9 10; do
			ss -ltnH 2>/dev/null | awk '{ print $4 }' | grep -q -e ":$_p\$" || { MPORT=$_p; break; }
			_p=$((_p + 1))
		done
	fi
	[ -n "$MPORT" ] && METRICS="--metrics 127.0.0.1:$MPORT"
	# shellcheck disable=SC2086 # METRICS is empty or two words
	if ! pg_run --mode flag --limit "$RA=1" --on-runaway freeze --runaway-seconds 2 --json $METRICS; then
		notok "$name" "run did not get ready (rc=$RUN_RC): $(pg_run_why)"
		exit 1
	fi
	loop "$A"
	if wait_step action 10000; then
		good=1
		sleep 0.3
		expect_eq "$name" "cgroup.freeze" "$(cat "$A/cgroup.freeze")" 1 || good=0
		[ $good = 1 ] && { expect_eq "$name" "cgroup.events frozen" \
			"$(sed -n 's/^frozen //p' "$A/cgroup.events")" 1 || good=0; }
		[ $good = 1 ] && { expect_eq "$name" "runaway actions" "$(runaway_lines action)" 1 || good=0; }
		[ $good = 1 ] && { grep '"step":"action"' "$T/events" | grep -q '"action":"freeze".*"result":"ok"' ||
			{ notok "$name" "no freeze ok in: $(grep runaway "$T/events" | head -n 1)"; good=0; }; }
		if [ $good = 1 ] && [ -n "$MPORT" ]; then
			curl -s --max-time 5 "http://127.0.0.1:$MPORT/metrics" > "$T/metrics.txt" 2>&1
			expect_eq "$name" "pidguard_runaway_actions_total{action=\"freeze\"}" \
				"$(sed -n 's/^pidguard_runaway_actions_total{action="freeze"} //p' "$T/metrics.txt")" 1 || good=0
		elif [ -z "$MPORT" ]; then
			note "$name: no curl or free port: the metric is not checked"
		fi
		"$PG" thaw "$RA" 2> "$T/thaw.err"; rc=$?
		[ $good = 1 ] && { expect_eq "$name" "thaw exit status" "$rc" 0 || good=0; }
		_end=$(( $(now_ms) + 2000 ))
		while [ "$(sed -n 's/^frozen //p' "$A/cgroup.events")" != 0 ] && [ "$(now_ms)" -lt "$_end" ]; do
			sleep 0.05
		done
		[ $good = 1 ] && { expect_eq "$name" "frozen after thaw" \
			"$(sed -n 's/^frozen //p' "$A/cgroup.events")" 0 || good=0; }
		[ $good = 1 ] && ok "$name"
	else
		notok "$name" "no runaway action within 10 s: $(grep -c over_limit "$T/run.out") over_limit lines; $(pg_run_why)"
	fi
	cg_destroy "$A"
	pg_run_stop
fi

# ---- trim, then the cool-down ----
name=runaway-trim-keeps-init
if ! pg_run --mode flag --limit "$RB=5" --on-runaway trim --runaway-seconds 2 --json; then
	notok "$name" "run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
pg_forker "$T/s.out" --cgroup "$B" spawn 8 --hold-ms 60000; P=$BG_PID
if ! pg_wait_phase "$T/s.out" ready 5000 "$P"; then
	notok "$name" "spawn never ready: $(tr '\n' ' ' < "$T/s.out")"
	exit 1
fi
before=$(cg_listed "$B")
loop "$B"; L1=$LOOP
if wait_step action 10000; then
	sleep 0.3
	good=1
	note "$name: $before tasks held + a fork loop, limit 5; $(grep '"step" *: *"action"' "$T/run.out" | head -n 1)"
	expect_le "$name" "tasks listed after trim" "$(cg_listed "$B")" 5 || good=0
	[ $good = 1 ] && { pg_alive "$P" || { notok "$name" "the oldest process (forker $P) was killed"; good=0; }; }
	[ $good = 1 ] && { expect_eq "$name" "kept_init (the oldest: forker)" \
		"$(sed -n 's/.*"step" *: *"action".*"kept_init" *: *\([0-9]*\).*/\1/p' "$T/run.out" | head -n 1)" "$P" || good=0; }
	[ $good = 1 ] && { ! pg_alive "$L1" || { notok "$name" "the fork loop (newest) survived"; good=0; }; }
	[ $good = 1 ] && { expect_eq "$name" "runaway actions" "$(runaway_lines action)" 1 || good=0; }
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "no runaway action within 10 s: $(pg_run_why)"
fi

# The episode ends after 2 quiet seconds; a second runaway within 60 s is held.
name=runaway-cooldown
if wait_step ended 6000; then
	loop "$B"; L2=$LOOP
	if wait_step cooldown 10000; then
		sleep 1
		good=1
		expect_eq "$name" "runaway actions" "$(runaway_lines action)" 1 || good=0
		[ $good = 1 ] && { pg_alive "$L2" || { notok "$name" "the second loop was killed within the cool-down"; good=0; }; }
		[ $good = 1 ] && ok "$name"
	else
		notok "$name" "no cooldown step within 10 s: $(grep runaway "$T/run.out" | tail -n 2 | tr '\n' ' ')"
	fi
	kill -9 "$L2" 2>/dev/null
else
	notok "$name" "the episode never ended: $(grep runaway "$T/run.out" | tail -n 2 | tr '\n' ' ')"
fi
pg_finish "$P" 5000
cg_destroy "$B"
pg_run_stop

# ---- kill: the whole cgroup ----
name=runaway-kill-empties-cgroup
K=$(cg_make kill) || { notok "$name" "cannot create a cgroup under $CG2"; exit 1; }
if ! pg_run --mode flag --limit "$(cg_rel "$K")=3" --on-runaway kill --runaway-seconds 2 --json; then
	notok "$name" "run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
pg_forker "$T/k.out" --cgroup "$K" spawn 2 --hold-ms 60000; KP=$BG_PID
loop "$K"; L3=$LOOP
if wait_step action 10000; then
	good=1
	_end=$(( $(now_ms) + 3000 ))
	while [ -n "$(cat "$K/cgroup.procs")" ] && [ "$(now_ms)" -lt "$_end" ]; do sleep 0.05; done
	grep '"step":"action"' "$T/run.out" | grep -q '"action":"kill".*"result":"ok"' ||
		{ notok "$name" "no kill ok in: $(grep '"step":"action"' "$T/run.out" | head -n 1)"; good=0; }
	[ $good = 1 ] && { expect_eq "$name" "processes left in the cgroup" "$(wc -l < "$K/cgroup.procs")" 0 || good=0; }
	[ $good = 1 ] && { ! pg_alive "$L3" || { notok "$name" "the fork loop survived"; good=0; }; }
	[ $good = 1 ] && { ! pg_alive "$KP" || { notok "$name" "the spawner survived"; good=0; }; }
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "no runaway action within 10 s: $(pg_run_why)"
fi
kill -9 "$L3" "$KP" 2>/dev/null
cg_destroy "$K"
pg_run_stop

# ---- userspace enforcement ----
name=runaway-enforce-in-userspace
LIMIT=25 SAFETY=400
if ! pg_meter "$name" "$D" "$SAFETY"; then
	skip "$name" "no pids controller to measure the peak with"
else
	if ! pg_run --mode flag --enforce-in-userspace --limit "$RD=$LIMIT" --json; then
		notok "$name" "run did not get ready (rc=$RUN_RC): $(pg_run_why)"
		exit 1
	fi
	# shellcheck disable=SC2086 # METER_JOIN is "--cgroup DIR" or empty
	pg_forker "$T/b.out" --cgroup "$D" $METER_JOIN bomb --duration-ms 2000 --hold-ms 1500 --reap --max 20000
	Bp=$BG_PID
	if pg_wait_phase "$T/b.out" rest 10000 "$Bp"; then
		sleep 0.2
		rest=$(cg_listed "$D")
		pg_wait_phase "$T/b.out" "done" 8000 "$Bp"
		pg_finish "$Bp" 5000
		peak=$(cat "$METER_PEAK" 2>/dev/null || echo "?")
		ev_norm
		n=$(grep '"kind":"runaway"' "$T/events" | grep -c '"step":"enforce"')
		react=$(grep '"step":"enforce"' "$T/events" | sed -n 's/.*"reaction_us":\([0-9]*\).*/\1/p' |
			sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "min %d us, median %d us, max %d us", v[1], v[int((NR + 1) / 2)], v[NR] }')
		seen=$(grep '"step":"enforce"' "$T/events" | sed -n 's/.*"tasks_before":\([0-9]*\).*/\1/p' | sort -n | tail -n 1)
		parents=$(grep '"step":"enforce"' "$T/events" | sed -n 's/.*"killed_parents":\([0-9]*\).*/\1/p' |
			awk '{ t += $1 } END { print t + 0 }')
		unheld=$(grep '"step":"enforce"' "$T/events" | grep -c '"held":false')
		# The peak counts zombies not reaped yet; a trim sees live tasks only.
		note "$name: limit $LIMIT, peak $peak (pids.peak, safety net $SAFETY; zombies included), most live tasks a trim found ${seen:-?}, at rest $rest; $n enforce events, $parents repeat forkers killed; reaction (event to last kill) $react; safety-net hits $(pg_meter_maxhits)"
		good=1
		expect_ge "$name" "enforce events" "$n" 1 || good=0
		# A bomb's forkers survive a trim of the newest and fork again: killed on the repeat.
		[ $good = 1 ] && { expect_ge "$name" "repeat forkers killed" "$parents" 1 || good=0; }
		# Where cgroup.freeze exists, each trim ran with the cgroup frozen.
		[ $good = 1 ] && [ -e "$D/cgroup.freeze" ] &&
			{ expect_eq "$name" "enforce trims not held frozen" "$unheld" 0 || good=0; }
		[ $good = 1 ] && { expect_le "$name" "tasks at rest (bomb still forking until its deadline)" "$rest" "$LIMIT" || good=0; }
		[ $good = 1 ] && ok "$name"
	else
		notok "$name" "the bomb's controller never reached rest (killed by the trim?): $(tr '\n' ' ' < "$T/b.out")"
		pg_finish "$Bp" 5000
	fi
	pg_run_stop
fi

# ---- a freeze that outlived its trim ----
# A run killed while it held a cgroup frozen for a trim leaves the marker
# /run/NAME.held naming it; the next run thaws that cgroup first.
name=runaway-held-marker-thawed-at-start
E=$(cg_make held) || { notok "$name" "cannot create a cgroup under $CG2"; exit 1; }
MARK="/run/$(basename "$PIN_DIR").held"
if [ ! -e "$E/cgroup.freeze" ]; then
	skip "$name" "no cgroup.freeze (Linux 5.2+)"
else
	# shellcheck disable=SC2016 # $$ and $1 are the inner shell's
	pg_bg "$T/held.out" sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 60' _ "$E"
	Hp=$BG_PID
	echo 1 > "$E/cgroup.freeze"
	printf '%s' "$E" > "$MARK"
	if pg_run --mode flag; then
		good=1
		expect_eq "$name" "cgroup.freeze after the run's start" "$(cat "$E/cgroup.freeze")" 0 || good=0
		[ $good = 1 ] && [ -e "$MARK" ] && { notok "$name" "$MARK is still there"; good=0; }
		[ $good = 1 ] && { grep -q "thawed $E: the last run ended while holding it frozen" "$T/run.err" ||
			{ notok "$name" "no thaw warning in: $(tr '\n' ' ' < "$T/run.err")"; good=0; }; }
		[ $good = 1 ] && ok "$name"
	else
		notok "$name" "run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	fi
	rm -f "$MARK"
	kill -9 "$Hp" 2>/dev/null
	pg_run_stop
fi
cg_destroy "$E"
