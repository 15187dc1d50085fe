#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The runaway ladder per container: a container labelled
# pidguard.on-runaway=freeze, limited by its label pidguard.pids-limit to 2
# and running a fork loop, is frozen by a `pidguard run` whose own
# --on-runaway is none (the default); a container with the same loop and
# no such label is reported (action none) and left running. Flag mode: the forks themselves pass.
. "$(dirname "$0")/lib.sh"
pg_setup runaway_label

NAMES="runaway-label-freeze runaway-label-absent-untouched"
skip_all() {
	for _n in $NAMES; do skip "$_n" "docker: $1"; done
	exit 0
}
if ! command -v dockerd > /dev/null 2>&1 || ! command -v docker > /dev/null 2>&1; then
	skip_all "dockerd or docker is not installed"
fi
dk_setup "pgrl$$"
[ -r "$HARNESS" ] || skip_all "no $HARNESS"
if ! sh "$HARNESS" start > "$T/harness.out" 2>&1; then
	skip_all "the test dockerd cannot start here: $(tail -n 2 "$T/harness.out" | tr '\n' ' ')"
fi
DK_STARTED=1

# tini (--init) and the looping shell are 2 tasks: every fork goes past 2.
LOOP='while :; do /bin/true; done'
dk run -d --init --name "$PX-freeze" --label pidguard.pids-limit=2 \
	--label pidguard.on-runaway=freeze pgbusybox sh -c "$LOOP" > /dev/null &&
dk run -d --init --name "$PX-plain" --label pidguard.pids-limit=2 \
	pgbusybox sh -c "$LOOP" > /dev/null ||
	{ notok runaway-label "docker run failed"; exit 1; }

: > "$T/run.out"; : > "$T/run.err"
"$PG" run --json --mode flag --runaway-seconds 2 --docker-host "$DOCKER_HOST" \
	> "$T/run.out" 2> "$T/run.err" &
RUN_PID=$!
echo "$RUN_PID" >> "$T/run.pids"
if ! pg_wait_line "$T/run.err" 'pidguard: ready' 20000 "$RUN_PID"; then
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

name=runaway-label-freeze
pg_wait_line "$T/run.out" '"step" *: *"action"' 15000 "$RUN_PID"
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
# Thaw before cleanup: a frozen container cannot be removed quickly.
[ -n "$F" ] && "$PG" thaw "$F" > /dev/null 2>&1
pg_run_stop
exit 0
