#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Docker: `pidguard run` against a private dockerd (scripts/docker-harness.sh,
# its own socket and data, never the host's Docker) with real containers.
#
# - Without a daemon at --docker-host, run says so once and keeps enforcing.
# - Containers running before run and started after it are covered, with
#   their limit from the label pidguard.pids-limit, a --compose file or
#   HostConfig.PidsLimit, and the compensation case of each.
# - A container with no kernel limit but a label or compose limit of 25 that
#   tries to spawn 60 processes holds at most 25 tasks: every process that
#   ran user code was admitted under the limit.
# - docker update --pids-limit is followed; docker exec into a full
#   container is caught; names appear in events and in status.
# - --apply-pids-max writes a predating container's limit to pids.max.
# - The daemon restarts (into a mount namespace without the v1 pids
#   hierarchy: the incident where dockerd drops --pids-limit without a word)
#   and run reconnects, resynchronises and holds the compose limit.
#
# Skips (quickly) where dockerd is not installed or cannot start, e.g. in the
# busybox VM.
. "$(dirname "$0")/lib.sh"
pg_setup docker

NAMES="docker-no-daemon docker-startup docker-label-60 docker-compose-predates-60 docker-started-later docker-update docker-exec-full docker-names docker-stop-prompt docker-apply-pids-max docker-daemon-restart docker-incident-nopids docker-limit-by-name docker-exec-flag docker-default-limit docker-rename docker-default-dropped docker-stop-clears-names"

if ! command -v dockerd > /dev/null 2>&1 || ! command -v docker > /dev/null 2>&1; then
	dk_skip_all "dockerd or docker is not installed"
fi
dk_setup "pgt$$"		# container name prefix; the daemon, dk() and cleanup
[ -r "$HARNESS" ] || dk_skip_all "no $HARNESS"
LIMIT=25

# Status fields of the row of container NAME (last pg_status).
ct_obj() { grep -e "\"container\":\"$1\"[,}]" "$T/status.cg" 2>/dev/null | head -n 1; }
ct() { ct_obj "$1" | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" | tr -d '" '; }

# ct_wait NAME KEY VALUE TIMEOUT_MS: poll status until the field matches.
ct_wait() {
	_end=$(( $(now_ms) + $4 ))
	while :; do
		pg_status > /dev/null 2>&1
		GOT=$(ct "$1" "$2")
		[ "$GOT" = "$3" ] && return 0
		[ "$(now_ms)" -ge "$_end" ] && return 1
		sleep 0.1
	done
}

cid() { dk inspect -f '{{.Id}}' "$1" 2>/dev/null; }

# The spawner: waits for /trig/go-NAME, then starts 60 long sleeps without
# reaping anything. tini (--init) is PID 1 and reaps; the spawner is not its
# child, so killing the spawner does not stop the container.
SPAWN='while [ ! -e /trig/go ]; do sleep 0.1; done; i=0; while [ $i -lt 60 ]; do sleep 600 & i=$((i + 1)); done; wait'

# spawner_run NAME ARGS...: a detached spawner container.
spawner_run() {
	_n=$1; shift
	mkdir -p "$T/trig-$_n"
	dk run -d --init --name "$PX-$_n" -v "$T/trig-$_n:/trig" "$@" pgbusybox \
		sh -c "($SPAWN) & exec sleep 100000" > /dev/null
}

# check_60 TESTNAME CONTAINER: trigger the 60 spawns, let them settle, then
# the kernel lists at most LIMIT tasks in the container's cgroup, pidguard's
# count is exact, and the limit (not a lack of trying) stopped the spawner.
check_60() {
	_name=$1 _c=$2
	_id=$(cid "$PX-$_c")
	_dir="$CG2/docker/$_id"
	[ -n "$_id" ] && [ -d "$_dir" ] || { notok "$_name" "no cgroup for $PX-$_c at $_dir"; return 1; }
	touch "$T/trig-$_c/go"
	# Settle: the count stops changing (at most 10 s).
	_end=$(( $(now_ms) + 10000 )); _last=-1; _same=0
	while [ "$_same" -lt 10 ] && [ "$(now_ms)" -lt "$_end" ]; do
		_n=$(cg_listed "$_dir")
		if [ "$_n" = "$_last" ]; then _same=$((_same + 1)); else _same=0; _last=$_n; fi
		sleep 0.1
	done
	_listed=$(cg_listed "$_dir")
	_sleeps=0
	for _p in $(cg_procs "$_dir"); do
		[ "$(tr '\0' ' ' < "/proc/$_p/cmdline" 2>/dev/null)" = 'sleep 600 ' ] && _sleeps=$((_sleeps + 1))
	done
	pg_status > /dev/null 2>&1
	note "$_c: $_listed tasks at rest ($_sleeps of the 60 sleeps run), pidguard current $(ct "$PX-$_c" current) peak $(ct "$PX-$_c" peak) killed $(ct "$PX-$_c" killed) denied $(ct "$PX-$_c" denied) flagged $(ct "$PX-$_c" flagged)"
	expect_le "$_name" "tasks in $PX-$_c at rest" "$_listed" "$LIMIT" || return 1
	expect_ge "$_name" "sleeps started (the spawner must have tried)" "$_sleeps" 15 || return 1
	_stopped=$(( $(ct "$PX-$_c" killed) + $(ct "$PX-$_c" denied) ))
	expect_ge "$_name" "forks refused or killed" "$_stopped" 1 || return 1
	expect_exact "$_name" "$(cg_rel "$_dir")" "$_dir" 0 "after 60 spawns" || return 1
	return 0
}

# ---- no daemon: said once, enforcement goes on ----
name=docker-no-daemon
A=$(cg_make nodaemon) || { notok "$name" "cannot create a cgroup"; exit 1; }
if dk_run --docker-host "unix://$T/nothing.sock" --limit "$(cg_rel "$A")=7"; then
	sleep 1.5	# a few background retries
	n=$(grep -c 'Docker: not usable' "$T/run.err")
	if expect_eq "$name" "'Docker: not usable' lines" "$n" 1 &&
	   expect_eq "$name" "limit of the --limit cgroup" "$(pg_status > /dev/null 2>&1; st "$(cg_rel "$A")" limit)" 7; then
		ok "$name"
	fi
	pg_run_stop
	"$PG" stop > /dev/null 2>&1
else
	notok "$name" "run did not get ready without a daemon ($RUN_RC): $(pg_run_why)"
	pg_run_stop
fi

# ---- the private daemon ----
DK_STARTED=1
if ! sh "$HARNESS" start > "$T/harness.out" 2>&1; then
	note "$(tail -n 3 "$T/harness.out" | tr '\n' ' ')"
	DK_STARTED=
	for _n in $NAMES; do
		[ "$_n" = docker-no-daemon ] || skip "$_n" "docker: dockerd cannot start here"
	done
	exit 0
fi
note "$(tail -n 1 "$T/harness.out")"

cat > "$T/compose.yml" << EOF
name: $PX
services:
  old:
    image: pgbusybox
    pids_limit: $LIMIT
  nopids:
    image: pgbusybox
    pids_limit: $LIMIT
EOF

# Before run: a label limit and a container that predates its compose limit.
spawner_run label --label "pidguard.pids-limit=$LIMIT" &&
spawner_run old --label "com.docker.compose.project=$PX" --label com.docker.compose.service=old &&
dk run -d --init --name "$PX-free" pgbusybox sleep 100000 > /dev/null &&
dk run -d --init --name "$PX-cli" --label pidguard.pids-limit=25 pgbusybox sleep 100000 > /dev/null ||
	{ notok docker-startup "docker run failed"; exit 1; }

# --limit by name: one running (it beats the label), one not started yet.
if ! dk_run --docker-host "$DOCKER_HOST" --compose "$T/compose.yml" --limit "$PX-cli=6" \
	--limit "$PX-notyet=7"; then
	notok docker-startup "run did not get ready ($RUN_RC): $(pg_run_why)"
	exit 1
fi
pg_status > /dev/null 2>&1
MODE=$STATUS_MODE
note "mode $MODE"

# ---- startup: every running container, its limit and its case ----
name=docker-startup
good=1
expect_eq "$name" "limit of $PX-label" "$(ct "$PX-label" limit)" "$LIMIT" || good=0
expect_eq "$name" "source of $PX-label" "$(ct "$PX-label" limit_source)" label || good=0
expect_eq "$name" "compensation of $PX-label" "$(ct "$PX-label" compensation)" pidguard_only || good=0
expect_eq "$name" "limit of $PX-old" "$(ct "$PX-old" limit)" "$LIMIT" || good=0
expect_eq "$name" "compensation of $PX-old" "$(ct "$PX-old" compensation)" predates || good=0
expect_eq "$name" "compose project of $PX-old" "$(ct "$PX-old" compose_project)" "$PX" || good=0
expect_eq "$name" "limit of $PX-cli" "$(ct "$PX-cli" limit)" 6 || good=0
expect_eq "$name" "source of $PX-cli" "$(ct "$PX-cli" limit_source)" --limit || good=0
grep -q -e "--limit $PX-notyet: no running container" "$T/run.err" ||
	{ notok "$name" "no word about --limit $PX-notyet"; good=0; }
# No limit resolved: never touched, so not in the maps at all.
expect_eq "$name" "status row of $PX-free" "$(ct_obj "$PX-free")" "" || good=0
grep -q "\"unlimited_containers\":\[[^]]*\"$PX-free\"" "$T/status.norm" ||
	{ notok "$name" "$PX-free is not among status's unlimited_containers"; good=0; }
grep -q "container $PX-old .*predates" "$T/run.err" ||
	{ notok "$name" "no compensation report line for $PX-old in the log"; good=0; }
[ $good = 1 ] && ok "$name"

# ---- 60 spawns against 25: label, then compose ----
check_60 docker-label-60 label && ok docker-label-60
check_60 docker-compose-predates-60 old && ok docker-compose-predates-60

# ---- started after run: covered within about a second ----
name=docker-started-later
dk run -d --init --name "$PX-late" --label pidguard.pids-limit=10 pgbusybox sleep 100000 > /dev/null
t0=$(now_ms)
LREL="/docker/$(cid "$PX-late")"
got=
while [ "$(now_ms)" -lt $((t0 + 3000)) ]; do
	got=$(pg_status > /dev/null 2>&1; st "$LREL" limit)
	[ "$got" = 10 ] && break
	sleep 0.05
done
el=$(( $(now_ms) - t0 ))
if expect_eq "$name" "limit of $LREL within 3 s" "$got" 10; then
	note "$PX-late limited $el ms after docker run returned"
	expect_eq "$name" "its name in status" "$(ct "$PX-late" limit)" 10 &&
	dk run -d --init --name "$PX-notyet" pgbusybox sleep 100000 > /dev/null &&
	if ct_wait "$PX-notyet" limit 7 3000; then ok "$name"; else
		notok "$name" "--limit $PX-notyet=7 not applied when it started (limit '${GOT}')"; fi
fi

# ---- docker update --pids-limit is followed ----
name=docker-update
dk run -d --init --name "$PX-upd" --pids-limit 40 pgbusybox sleep 100000 > /dev/null
if ct_wait "$PX-upd" limit 40 3000; then
	good=1
	expect_eq "$name" "source" "$(ct "$PX-upd" limit_source)" HostConfig.PidsLimit || good=0
	expect_eq "$name" "compensation" "$(ct "$PX-upd" compensation)" enforced || good=0
	dk update --pids-limit 30 "$PX-upd" > /dev/null
	if [ $good = 1 ] && ct_wait "$PX-upd" limit 30 3000; then
		ok "$name"
	elif [ $good = 1 ]; then
		notok "$name" "limit after docker update is '${GOT}', expected 30"
	fi
else
	notok "$name" "$PX-upd not limited to 40 within 3 s (limit '${GOT}')"
fi

# ---- docker exec into a full container ----
name=docker-exec-full
# tini + three sleeps: exactly at its limit of 4 once started.
dk run -d --init --name "$PX-full" --label pidguard.pids-limit=4 pgbusybox \
	sh -c 'sleep 100000 & sleep 100000 & exec sleep 100000' > /dev/null
FID=$(cid "$PX-full"); FDIR="$CG2/docker/$FID"
if ct_wait "$PX-full" current 4 5000; then
	dk exec "$PX-full" sh -c 'echo inside' > "$T/exec.out" 2>&1
	erc=$?
	ev_settle
	if [ "$MODE" = flag ]; then
		want_kind=migrated
	else
		want_kind=migrated_killed
	fi
	n=$(ev_norm; grep -e "\"container\":\"$PX-full\"" "$T/events" | grep -c -e "\"kind\":\"$want_kind\"")
	good=1
	if [ "$MODE" != flag ]; then
		[ "$erc" != 0 ] || { notok "$name" "docker exec succeeded in a full container: $(cat "$T/exec.out")"; good=0; }
	fi
	[ $good = 1 ] && { expect_ge "$name" "$want_kind events naming $PX-full" "$n" 1 || good=0; }
	[ $good = 1 ] && expect_exact "$name" "$(cg_rel "$FDIR")" "$FDIR" 0 "after the exec" && ok "$name"
	note "docker exec exit $erc: $(head -c 200 "$T/exec.out" | tr '\n' ' ')"
else
	notok "$name" "$PX-full never reached 4 tasks in status (current '${GOT}')"
fi

# ---- names in events and in status ----
name=docker-names
ev_norm
good=1
n=$(grep -c -e "\"container\":\"$PX-label\"" "$T/events")
expect_ge "$name" "events naming $PX-label" "$n" 1 || good=0
n=$(grep -e "\"container\":\"$PX-old\"" "$T/events" | grep -c -e "\"compose_service\":\"old\"")
expect_ge "$name" "events naming $PX-old with its compose service" "$n" 1 || good=0
"$PG" status > "$T/status.txt" 2>&1
grep -q "^$PX-label " "$T/status.txt" || { notok "$name" "status table has no row $PX-label: $(tr '\n' '|' < "$T/status.txt" | cut -c1-300)"; good=0; }
grep -q "$PX-old (compose $PX/old) .*predates" "$T/status.txt" || { notok "$name" "status has no report line for $PX-old"; good=0; }
# status TARGET: by name and by short id, one row; an unknown name is an error.
for _t in "$PX-label" "$(cid "$PX-label" | cut -c1-12)"; do
	"$PG" status --json "$_t" > "$T/one.json" 2>&1
	_rows=$(grep -o '"cgroup_id"' "$T/one.json" | wc -l | tr -d ' ')
	if [ "$_rows" != 1 ] || ! grep -q "\"container\": *\"$PX-label\"" "$T/one.json"; then
		notok "$name" "status $_t: $(head -c 300 "$T/one.json")"; good=0
	fi
done
"$PG" status "$PX-nosuch" > "$T/one.txt" 2>&1
expect_eq "$name" "exit status of status $PX-nosuch" "$?" 2 || good=0
[ $good = 1 ] && ok "$name"

# ---- SIGINT stops the events thread promptly ----
name=docker-stop-prompt
t0=$(now_ms)
pg_run_stop INT
el=$(( $(now_ms) - t0 ))
expect_eq "$name" "exit status" "$STOP_RC" 0 && expect_le "$name" "ms to exit" "$el" 3000 && ok "$name"

# ---- --apply-pids-max: a predating container gets its pids.max ----
name=docker-apply-pids-max
OLD_ID=$(cid "$PX-old")
if [ -z "$CG1PIDS" ] && [ ! -e "$CG2/docker/$OLD_ID/pids.max" ]; then
	skip "$name" "no pids controller for containers here"
elif dk_run --docker-host "$DOCKER_HOST" --compose "$T/compose.yml" --apply-pids-max; then
	f="$CG1PIDS/docker/$OLD_ID/pids.max"
	[ -e "$CG2/docker/$OLD_ID/pids.max" ] && f="$CG2/docker/$OLD_ID/pids.max"
	good=1
	expect_eq "$name" "$f" "$(cat "$f" 2>/dev/null)" "$LIMIT" || good=0
	grep -q "apply-pids-max: .* is now $LIMIT (verified)" "$T/run.err" ||
		{ notok "$name" "no verified line in the log: $(pg_run_why)"; good=0; }
	[ $good = 1 ] && { ct_wait "$PX-old" compensation enforced 3000 ||
		{ notok "$name" "compensation is $GOT after apply"; good=0; }; }
	# Raised behind pidguard's back: put back within a few seconds.
	if [ $good = 1 ]; then
		echo max > "$f"
		_end=$(( $(now_ms) + 4000 ))
		while [ "$(cat "$f")" != "$LIMIT" ] && [ "$(now_ms)" -lt "$_end" ]; do sleep 0.1; done
		expect_eq "$name" "$f after echo max" "$(cat "$f")" "$LIMIT" && ok "$name"
	fi
else
	notok "$name" "run --apply-pids-max did not get ready ($RUN_RC): $(pg_run_why)"
fi

# ---- the daemon restarts; run follows it ----
name=docker-daemon-restart
HIDE=0
if [ -n "$CG1PIDS" ] && command -v unshare > /dev/null 2>&1; then
	HIDE=1
fi
if [ -z "${RUN_PID:-}" ]; then
	dk_run --docker-host "$DOCKER_HOST" --compose "$T/compose.yml" ||
		{ notok "$name" "run did not get ready ($RUN_RC): $(pg_run_why)"; exit 1; }
fi
sh "$HARNESS" stop > "$T/harness.out" 2>&1
if ! PG_DOCKER_HIDE_PIDS=$HIDE sh "$HARNESS" start > "$T/harness.out" 2>&1; then
	notok "$name" "the daemon did not start again: $(tail -n 3 "$T/harness.out" | tr '\n' ' ')"
	exit 1
fi
spawner_run nopids --pids-limit "$LIMIT" --label "com.docker.compose.project=$PX" \
	--label com.docker.compose.service=nopids 2> "$T/nopids.err"
if ct_wait "$PX-nopids" limit "$LIMIT" 8000 && pg_alive "$RUN_PID"; then
	grep -q 'Docker: connected' "$T/run.err" && ok "$name" ||
		notok "$name" "no reconnection line in the log: $(pg_run_why)"
else
	notok "$name" "after the restart, $PX-nopids not limited within 8 s (limit '${GOT}'): $(pg_run_why)"
fi

# ---- the incident: the daemon cannot see the pids controller ----
name=docker-incident-nopids
if [ "$HIDE" != 1 ]; then
	skip "$name" "needs a v1 pids hierarchy to hide and unshare (this host: ${CG1PIDS:-no v1 pids})"
elif ! grep -q 'PIDs limit discarded' "$T/nopids.err"; then
	skip "$name" "the daemon kept --pids-limit although the pids hierarchy was hidden: $(head -c 200 "$T/nopids.err")"
else
	good=1
	expect_eq "$name" "HostConfig.PidsLimit" "$(dk inspect -f '{{.HostConfig.PidsLimit}}' "$PX-nopids")" "<nil>" || good=0
	expect_eq "$name" "compensation" "$(ct "$PX-nopids" compensation)" no_controller || good=0
	[ $good = 1 ] && check_60 "$name" nopids && ok "$name"
fi

# ---- pidguard limit NAME N and SHORT-ID N ----
name=docker-limit-by-name
if [ -z "$(ct_obj "$PX-nopids")" ]; then
	skip "$name" "$PX-nopids is not in status"
elif "$PG" limit "$PX-nopids" 20 > "$T/limit.out" 2>&1 &&
     ct_wait "$PX-nopids" limit 20 2000 &&
     "$PG" limit "$(cid "$PX-nopids" | cut -c1-12)" 21 >> "$T/limit.out" 2>&1 &&
     ct_wait "$PX-nopids" limit 21 2000; then
	ok "$name"
else
	notok "$name" "limit is '${GOT}': $(tr '\n' ' ' < "$T/limit.out")"
fi

# ---- flag mode: docker exec into a full container is reported, not killed ----
name=docker-exec-flag
pg_run_stop INT
NDIR="$CG2/docker/$(cid "$PX-nopids")"
if [ ! -d "$NDIR" ]; then
	skip "$name" "$PX-nopids is not running"
elif dk_run --docker-host "$DOCKER_HOST" --compose "$T/compose.yml" --mode flag; then
	# Back at the compose limit; the container holds 25 tasks (zombies included).
	ct_wait "$PX-nopids" limit "$LIMIT" 3000
	pg_wait_exact "$(cg_rel "$NDIR")" "$NDIR"
	before=$GOT_CUR
	dk exec "$PX-nopids" sh -c 'sleep 2' > "$T/exec2.out" 2>&1 &
	EX=$!
	sleep 1
	n=$(ev_norm; grep -e "\"container\":\"$PX-nopids\"" "$T/events" | grep -c -e '"kind":"migrated"')
	good=1
	expect_ge "$name" "current before the exec" "$before" "$LIMIT" || good=0
	[ $good = 1 ] && { expect_ge "$name" "migrated events naming $PX-nopids" "$n" 1 || good=0; }
	[ $good = 1 ] && { expect_ge "$name" "current during the exec" "$(pg_cur "$(cg_rel "$NDIR")")" $((before + 1)) || good=0; }
	wait "$EX"; erc=$?
	[ $good = 1 ] && expect_eq "$name" "docker exec exit status" "$erc" 0 && ok "$name"
else
	notok "$name" "run --mode flag did not get ready ($RUN_RC): $(pg_run_why)"
fi

# ---- --default-limit, and a rename (same run, flag mode) ----
name=docker-default-limit
if [ -n "${RUN_PID:-}" ]; then
	pg_run_stop INT
fi
if dk_run --docker-host "$DOCKER_HOST" --compose "$T/compose.yml" --default-limit 50; then
	dk run -d --init --name "$PX-dflt" pgbusybox sleep 100000 > /dev/null
	if ct_wait "$PX-dflt" limit 50 3000; then
		expect_eq "$name" "source" "$(ct "$PX-dflt" limit_source)" --default-limit && ok "$name"
	else
		notok "$name" "$PX-dflt limit is '${GOT}', expected 50 from --default-limit"
	fi
	name=docker-rename
	dk rename "$PX-dflt" "$PX-renamed"
	if ct_wait "$PX-renamed" limit 50 3000; then
		ok "$name"
	else
		notok "$name" "no status row named $PX-renamed after docker rename"
	fi
	# Restarted without --default-limit: that limit is declared nowhere now.
	name=docker-default-dropped
	pg_run_stop INT
	if dk_run --docker-host "$DOCKER_HOST" --compose "$T/compose.yml"; then
		if ct_wait "$PX-renamed" limit null 3000; then
			expect_eq "$name" "limit of $PX-nopids (compose)" "$(ct "$PX-nopids" limit)" "$LIMIT" &&
				ok "$name"
		else
			notok "$name" "$PX-renamed limit is '${GOT}' after a run without --default-limit"
		fi
	else
		notok "$name" "run did not get ready ($RUN_RC): $(pg_run_why)"
	fi
else
	notok "$name" "run --default-limit did not get ready ($RUN_RC): $(pg_run_why)"
	skip docker-rename "no run"
	skip docker-default-dropped "no run"
fi

pg_run_stop INT

# ---- pidguard stop: the published container table goes with the limits ----
name=docker-stop-clears-names
NAMES_FILE="/run/$(basename "${PIDGUARD_PIN_DIR:-/sys/fs/bpf/pidguard}")/containers"
if [ -e "$NAMES_FILE" ]; then
	"$PG" stop > /dev/null 2>&1
	if [ -e "$NAMES_FILE" ]; then
		notok "$name" "$NAMES_FILE is still there after pidguard stop"
	else
		ok "$name"
	fi
else
	notok "$name" "run never published $NAMES_FILE"
fi
exit 0
