#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The runaway ladder per container: a container labelled
# pidguard.on-runaway=freeze, limited by its label pidguard.pids-limit to 2
# and running a fork loop, is frozen by a `pidguard run` whose own
# --on-runaway is none (the default); a container with the same loop and
# no such label is reported (action none) and left running; one labelled
# pidguard.on-runaway=restart is restarted through the daemon, once: its
# loop runs away again in its new cgroup, and that is held by the
# cool-down. Then a run whose --on-runaway is restart meets a runaway in a
# cgroup that is no container: the action fails, saying so, and run goes
# on. Flag mode: the forks themselves pass.
. "$(dirname "$0")/lib.sh"
pg_setup runaway_label

NAMES="runaway-label-freeze runaway-label-absent-untouched runaway-label-restart runaway-restart-not-a-container"
if ! command -v dockerd > /dev/null 2>&1 || ! command -v docker > /dev/null 2>&1; then
	dk_skip_all "dockerd or docker is not installed"
fi
dk_setup "pgrl$$"
[ -r "$HARNESS" ] || dk_skip_all "no $HARNESS"
if ! sh "$HARNESS" start > "$T/harness.out" 2>&1; then
	dk_skip_all "the test dockerd cannot start here: $(tail -n 2 "$T/harness.out" | tr '\n' ' ')"
fi
DK_STARTED=1

# tini (--init) and the looping shell are 2 tasks: every fork goes past 2.
LOOP='while :; do /bin/true; done'
dk run -d --init --name "$PX-freeze" --label pidguard.pids-limit=2 \
	--label pidguard.on-runaway=freeze pgbusybox sh -c "$LOOP" > /dev/null &&
dk run -d --init --name "$PX-plain" --label pidguard.pids-limit=2 \
	pgbusybox sh -c "$LOOP" > /dev/null &&
dk run -d --init --name "$PX-restart" --label pidguard.pids-limit=2 \
	--label pidguard.on-runaway=restart pgbusybox sh -c "$LOOP" > /dev/null ||
	{ notok runaway-label "docker run failed"; exit 1; }

# started NAME: "StartedAt Pid" of container NAME.
started() { dk inspect -f '{{.State.StartedAt}} {{.State.Pid}}' "$1" 2>/dev/null; }
BEFORE=$(started "$PX-restart")

if ! dk_run --mode flag --runaway-seconds 2 --docker-host "$DOCKER_HOST"; then
	notok runaway-label "run did not get ready: $(pg_run_why)"
	exit 1
fi

# cg_of NAME: the absolute cgroup of container NAME, from status -j.
cg_of() {
	pg_status > /dev/null 2>&1
	_rel=$(grep -e "\"container\":\"$1\"[,}]" "$T/status.cg" | head -n 1 |
	       sed -n 's/.*"path":"\([^"]*\)".*/\1/p')
	[ -n "$_rel" ] && echo "$CG2$_rel"
}

# Before its restart (a second or two away): the cgroup of $PX-restart.
for _i in 1 2 3 4 5; do
	R=$(cg_of "$PX-restart") && break
	sleep 0.2
done

name=runaway-label-freeze
pg_wait_line "$T/run.out" '"step" *: *"action".*"action" *: *"freeze"' 15000 "$RUN_PID"
F=$(cg_of "$PX-freeze")
if [ -z "$F" ]; then
	notok "$name" "$PX-freeze is not in status: $(pg_run_why)"
elif ! grep '"kind":"runaway"' "$T/run.out" | grep '"step":"action"' | grep -q '"action":"freeze"'; then
	notok "$name" "no freeze action within 15 s: $(grep -c '"runaway"' "$T/run.out") runaway lines; $(pg_run_why)"
elif [ "$(cat "$F/cgroup.freeze" 2>/dev/null)" != 1 ]; then
	notok "$name" "$F/cgroup.freeze is '$(cat "$F/cgroup.freeze" 2>/dev/null)', expected 1"
else
	ok "$name"
fi

name=runaway-label-absent-untouched
P=$(cg_of "$PX-plain")
# Its runaway is reported (step action, action none), never acted on.
acted=$(grep '"step":"action"' "$T/run.out" | grep -e "\"cgroup\":\"${P#"$CG2"}\"" |
	grep -c -v '"action":"none"')
[ -n "$P" ] && pg_wait_line "$T/run.out" "\"step\":\"action\",\"cgroup\":\"${P#"$CG2"}\"" 10000 "$RUN_PID"
seen=$(grep '"step":"action"' "$T/run.out" | grep -e "\"cgroup\":\"${P#"$CG2"}\"" | grep -c '"action":"none"')
if [ -z "$P" ]; then
	notok "$name" "$PX-plain is not in status"
elif [ "$seen" = 0 ]; then
	notok "$name" "its runaway was never reported (no action step with action none within 10 s)"
elif [ "$(cat "$P/cgroup.freeze" 2>/dev/null)" != 0 ] || [ "$acted" != 0 ]; then
	notok "$name" "the unlabelled container was acted on (freeze $(cat "$P/cgroup.freeze" 2>/dev/null), $acted actions)"
else
	ok "$name"
fi
name=runaway-label-restart
RR=${R#"$CG2"}
# restart_lines RESULT: action steps of $PX-restart's cgroup with RESULT (ERE).
restart_lines() {
	grep -E -c -e "\"step\":\"action\",\"cgroup\":\"$RR\",.*\"action\":\"restart\",.*\"result\":\"$1" \
		"$T/run.out"
}
if [ -z "$R" ]; then
	notok "$name" "$PX-restart is not in status: $(pg_run_why)"
elif ! pg_wait_line "$T/run.out" "\"cgroup\":\"$RR\",.*\"action\":\"restart\",.*\"result\":\"ok\"" \
	20000 "$RUN_PID"; then
	notok "$name" "no restart with result ok within 20 s: $(grep '"action":"restart"' "$T/run.out" |
		head -n 1) $(pg_run_why)"
else
	AFTER=$(started "$PX-restart")
	RUNNING=$(dk inspect -f '{{.State.Running}}' "$PX-restart" 2>/dev/null)
	if [ -z "$AFTER" ] || [ "${AFTER%% *}" = "${BEFORE%% *}" ] || [ "${AFTER##* }" = "${BEFORE##* }" ]; then
		notok "$name" "not restarted: StartedAt and Pid '$BEFORE' before, '$AFTER' after"
	elif [ "$RUNNING" != true ]; then
		notok "$name" "not running after its restart (Running '$RUNNING')"
	elif ! grep -q "docker: container $PX-restart (.*) restarted" "$T/run.err"; then
		notok "$name" "no 'restarted' log line: $(pg_run_why)"
	# Its loop runs away again in the new cgroup: held (a cooldown step), not restarted again.
	elif ! pg_wait_line "$T/run.out" "\"step\":\"cooldown\",.*\"action\":\"restart\",.*\"result\":\"held: container $PX-restart was restarted" \
		20000 "$RUN_PID"; then
		notok "$name" "no held second restart within 20 s: $(grep '"action":"restart"' "$T/run.out" |
			tail -n 1 | cut -c1-300)"
	elif [ "$(started "$PX-restart")" != "$AFTER" ] || [ "$(restart_lines ok)" != 1 ]; then
		notok "$name" "restarted more than once ($(restart_lines ok) ok results; '$AFTER', then '$(started "$PX-restart")')"
	else
		ok "$name"
	fi
fi
# Thaw before cleanup: a frozen container cannot be removed quickly.
[ -n "$F" ] && "$PG" thaw "$F" > /dev/null 2>&1
pg_run_stop
# No looping containers in the next run's way; this run's files kept aside.
dk rm -f "$PX-freeze" "$PX-plain" "$PX-restart" > /dev/null 2>&1
mv "$T/run.out" "$T/run-labels.out"; mv "$T/run.err" "$T/run-labels.err"

name=runaway-restart-not-a-container
C=$(cg_make plain) || { notok "$name" "cannot create a cgroup under $CG2"; exit 1; }
RC=$(cg_rel "$C")
if ! dk_run --mode flag --limit "$RC=1" --on-runaway restart --runaway-seconds 2 \
	--docker-host "$DOCKER_HOST"; then
	notok "$name" "run did not get ready: $(pg_run_why)"
	exit 1
fi
# shellcheck disable=SC2016 # $1 is the inner shell's
pg_bg "$T/loop.out" sh -c 'echo $$ > "$1/cgroup.procs" && exec sh -c "while :; do /bin/true; done"' _ "$C"
if ! pg_wait_line "$T/run.out" "\"step\":\"action\",\"cgroup\":\"$RC\",.*\"action\":\"restart\"" 15000 "$RUN_PID"; then
	notok "$name" "no restart action within 15 s: $(pg_run_why)"
elif ! grep "\"cgroup\":\"$RC\"" "$T/run.out" | grep -q '"result":"not a Docker container'; then
	notok "$name" "result is not 'not a Docker container': $(grep '"action":"restart"' "$T/run.out" | head -n 1)"
elif ! grep -q "runaway in $RC: restart failed: not a Docker container" "$T/run.err"; then
	notok "$name" "no warning in the log: $(pg_run_why)"
elif ! pg_alive "$RUN_PID"; then
	notok "$name" "run died: $(pg_run_why)"
else
	ok "$name"
fi
pg_run_stop
exit 0
