# SPDX-License-Identifier: GPL-2.0
# lib.sh - helpers of the pidguard integration suite, sourced by test_*.sh.
#
# POSIX sh, busybox ash compatible (the suite also runs in a busybox
# initramfs VM): no arrays, no [[ ]], no local -n, no process substitution;
# busybox tools only (no jq, no python).
#
# Every test file: . lib.sh; pg_setup NAME; then cases that end in ok/notok/
# skip. pg_setup installs a trap that kills what the test started (through
# its own cgroups, never by name), stops its pidguard and removes its cgroups
# and pinned state, on success, failure or signal. Every wait is a bounded
# poll, so a broken binary cannot hang the suite.
#
# Results, one line each, counted by run.sh:
#   ok - NAME | not ok - NAME: WHY (numbers) | skipped: NAME: REASON
# Diagnostics start with '# '.

: "${PG_BUILD:?PG_BUILD must name the build directory (holding pidguard and tools/)}"
PG="$PG_BUILD/pidguard"
FORKER="$PG_BUILD/tools/forker"
# bpftool, for the tests that read or edit the pinned maps ("" if missing:
# those tests skip, saying so). /usr/sbin is not on every root's PATH.
BPFTOOL=$(command -v bpftool 2>/dev/null)
[ -z "$BPFTOOL" ] && [ -x /usr/sbin/bpftool ] && BPFTOOL=/usr/sbin/bpftool
# A private instance (PIDGUARD_PIN_DIR, lock /run/NAME.lock): the suite never
# touches a pidguard this host runs in production, and concurrent runs of the
# suite do not collide. run.sh sets one for all its tests.
: "${PIDGUARD_PIN_DIR:=/sys/fs/bpf/pgtest-$$}"
export PIDGUARD_PIN_DIR
PIN_DIR=$PIDGUARD_PIN_DIR
PG_FAILED=0
# PG_TIME_SCALE: how much slower this machine is than the build hosts (the
# VM harness passes 20 under TCG). Every bounded wait below is multiplied by
# it, and forker multiplies its hold times and divides storm sizes by it
# (it reads the same variable), so the tests themselves need not change.
PG_SCALE=${PG_TIME_SCALE:-1}
case "$PG_SCALE" in ''|*[!0-9]*|0) echo "lib.sh: PG_TIME_SCALE '$PG_SCALE' is not a positive integer" >&2; exit 2 ;; esac
export PG_TIME_SCALE=$PG_SCALE

# ---- results ----

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; PG_FAILED=1; }
skip() { echo "skipped: $1: $2"; }
note() { echo "# $*"; }

# check NAME CONDITION-TEXT: evaluates nothing, just a readable assert helper.
# expect_eq NAME WHAT GOT WANT: prints nothing on success, notok on failure;
# returns 1 on failure so callers can chain: expect_eq ... && expect_eq ...
expect_eq() {
	if [ "$3" = "$4" ]; then return 0; fi
	notok "$1" "$2 is ${3:-<empty>}, expected $4"
	return 1
}
# expect_le NAME WHAT GOT MAX
expect_le() {
	case "$3" in ''|*[!0-9-]*) notok "$1" "$2 is not a number: '${3}'"; return 1;; esac
	if [ "$3" -le "$4" ]; then return 0; fi
	notok "$1" "$2 is $3, expected <= $4"
	return 1
}
# expect_ge NAME WHAT GOT MIN
expect_ge() {
	case "$3" in ''|*[!0-9-]*) notok "$1" "$2 is not a number: '${3}'"; return 1;; esac
	if [ "$3" -ge "$4" ]; then return 0; fi
	notok "$1" "$2 is $3, expected >= $4"
	return 1
}

# ---- time ----

# Milliseconds since boot, from /proc/uptime (busybox has no date +%N).
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# ---- mounts (never hard-coded) ----

# The cgroup2 mount point and the v1 pids mount point (empty when absent).
pg_find_mounts() {
	CG2=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo)
	CG1PIDS=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup" && ("," $(i + 3) ",") ~ /,pids,/) { print $5; exit } break } }' /proc/self/mountinfo)
	if [ -z "$CG2" ]; then
		echo "lib.sh: no cgroup2 mount in /proc/self/mountinfo" >&2
		return 1
	fi
}

# ---- processes ----

# pg_alive PID: the process exists and is not a zombie.
pg_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_st" ] && [ "$_st" != Z ] && [ "$_st" != X ]
}

# pg_wait_gone PID TIMEOUT_MS: 0 once PID is gone (or a zombie), 1 on timeout.
pg_wait_gone() {
	_end=$(( $(now_ms) + $2 * PG_SCALE ))
	while pg_alive "$1"; do
		[ "$(now_ms)" -ge "$_end" ] && return 1
		sleep 0.02
	done
	return 0
}

# pg_bg OUT CMD...: start CMD in the background, stdout+stderr to OUT;
# BG_PID is its pid, remembered for cleanup.
pg_bg() {
	_out=$1; shift
	"$@" > "$_out" 2>&1 &
	BG_PID=$!
	echo "$BG_PID" >> "$T/bg.pids"
}

# pg_forker OUT ARGS...: forker in the background (see pg_bg).
pg_forker() {
	_fout=$1; shift
	pg_bg "$_fout" "$FORKER" "$@"
	echo "$BG_PID $_fout" >> "$T/forker.map"
}

# pg_children PID: the direct children of PID.
pg_children() {
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk -v p="$1" '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); if (f[2] == p) print $1 }'
}

# pg_release PID: end the holds of a forker (SIGUSR1 to it and its direct
# children) once it printed phase=ready: its handler is installed by then,
# and the test has measured what it held the state for. Saves the holds,
# which PG_TIME_SCALE makes long, from being sat out.
pg_release() {
	_fo=$(awk -v p="$1" '$1 == p { print $2 }' "$T/forker.map" 2>/dev/null | tail -n 1)
	[ -n "$_fo" ] && grep -q '^phase=ready$' "$_fo" 2>/dev/null || return 0
	pg_alive "$1" || return 0
	for _c in $(pg_children "$1"); do kill -USR1 "$_c" 2>/dev/null; done
	kill -USR1 "$1" 2>/dev/null
	return 0
}

# pg_finish PID TIMEOUT_MS: end a background job's hold (pg_release) and
# wait for it; FINISH_RC is its exit status, or 124 when it had to be
# killed after the timeout.
pg_finish() {
	pg_release "$1"
	if pg_wait_gone "$1" "$2"; then
		wait "$1"; FINISH_RC=$?
	else
		kill -9 "$1" 2>/dev/null
		pg_wait_gone "$1" 2000
		wait "$1" 2>/dev/null
		FINISH_RC=124
	fi
	return 0
}

# pg_serial_reaper NAME DIR N [wait4|waitid [PIDNS_DEPTH]]: a parent in DIR
# forks N children one at a time, each exiting at once and reaped (with
# waitpid, or the call named) before the next fork (forker polite
# --hold-ms 0): the shell or supervisor at its limit. With PIDNS_DEPTH, the
# parent is pid 1 of a pid namespace that many levels deep, as a
# container's init. 0 when all N exited normally (none killed, none
# refused), with a fresh pg_status for the caller's own counters; notok
# and 1 otherwise.
pg_serial_reaper() {
	_ns=""
	for _l in $(seq 1 "${5:-0}"); do _ns="$_ns --new-pidns"; done
	# shellcheck disable=SC2086
	pg_forker "$T/serial.out" --cgroup "$2" $_ns polite --forks "$3" --hold-ms 0 ${4:+--reap-with "$4"}
	pg_finish "$BG_PID" 30000
	if expect_eq "$1" "children exited (polite exit status $FINISH_RC)" \
		"$(kv "$T/serial.out" child_exited)" "$3" &&
		expect_eq "$1" "forks failed" "$(kv "$T/serial.out" forks_failed)" 0; then
		pg_status >/dev/null 2>&1
		return 0
	fi
	note "serial: $(tr '\n' ' ' < "$T/serial.out")"
	return 1
}

# pg_serial_exact NAME REL DIR: after pg_serial_reaper, pidguard's peak was
# 2 (the parent and one child: each reaped child released by the next
# fork's check, or at its reap, never left for its free), and the count is
# exact and 0 now that the parent exited.
pg_serial_exact() {
	expect_eq "$1" "pidguard's peak (parent + 1 child)" "$(st "$2" peak)" 2 &&
		expect_exact "$1" "$2" "$3" 0 "after the parent exited" &&
		expect_eq "$1" "current" "$GOT_CUR" 0
}

# pg_serial_unacted NAME DIR REL COUNTER EVENT [wait4|waitid [PIDNS_DEPTH]]:
# pg_serial_reaper with 300 children in DIR; ok when the cgroup's
# COUNTER stayed 0, no EVENT event was read, and pg_serial_exact holds.
pg_serial_unacted() {
	pg_serial_reaper "$1" "$2" 300 "${6:-}" "${7:-}" || return 1
	expect_eq "$1" "$4 counter" "$(st "$3" "$4")" 0 &&
		expect_eq "$1" "$5 events" "$(ev_count "$3" "$5")" 0 &&
		pg_serial_exact "$1" "$3" "$2" && ok "$1"
}

# kv FILE KEY: the last value of KEY=value in FILE.
kv() { sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -n 1; }

# pg_wait_line FILE PATTERN TIMEOUT_MS [PID]: 0 when a line of FILE matches
# the extended regular expression; 1 on timeout or when PID (if given) dies first.
pg_wait_line() {
	_end=$(( $(now_ms) + $3 * PG_SCALE ))
	while ! grep -E -q -e "$2" "$1" 2>/dev/null; do
		if [ -n "${4:-}" ] && ! pg_alive "$4"; then
			grep -E -q -e "$2" "$1" 2>/dev/null && return 0
			return 1
		fi
		[ "$(now_ms)" -ge "$_end" ] && return 1
		sleep 0.02
	done
	return 0
}

# pg_wait_count FILE ERE N MS: wait up to MS (scaled) until FILE has at
# least N lines matching ERE.
pg_wait_count() {
	_end=$(( $(now_ms) + $4 * PG_SCALE ))
	while [ "$(grep -E -c -e "$2" "$1" 2>/dev/null)" -lt "$3" ]; do
		[ "$(now_ms)" -ge "$_end" ] && return 1
		sleep 0.02
	done
	return 0
}

# pg_wait_phase FILE PHASE TIMEOUT_MS [PID]
pg_wait_phase() { pg_wait_line "$1" "^phase=$2\$" "$3" "${4:-}"; }

# ---- cgroups ----

# cg_make NAME: create $CG2/pgtest-$$-NAME (NAME may hold a /sub path) and
# register it for cleanup; prints the absolute path.
cg_make() {
	_d="$CG2/$PFX-$1"
	mkdir -p "$_d" || return 1
	echo "$_d" >> "$T/cgroups"
	echo "$_d"
}

# cg_rel ABS: the path relative to the v2 mount ("/pgtest-1-x").
cg_rel() { echo "${1#"$CG2"}"; }

# cg1_make NAME MAX: a v1 pids cgroup (hybrid hosts), registered; prints it.
cg1_make() {
	_d="$CG1PIDS/$PFX-$1"
	mkdir -p "$_d" || return 1
	echo "$_d" >> "$T/cgroups"
	[ -n "${2:-}" ] && echo "$2" > "$_d/pids.max"
	echo "$_d"
}

# cg_zombies DIR: zombie processes whose cgroup (the "0::" line of
# /proc/PID/cgroup, which a zombie keeps) is DIR or below it. Zombies are not
# listed in cgroup.threads, yet they hold their pid and count, and a lazy
# init (the build hosts' pid 1 reaps orphans every few seconds) can keep
# orphans of a storm around for a while.
cg_zombies() {
	_rel=$(cg_rel "$1"); _n=0
	for _p in $(cat /proc/[0-9]*/stat 2>/dev/null |
		    awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); if (f[1] == "Z") print $1 }'); do
		_cg=$(sed -n 's/^0:://p' "/proc/$_p/cgroup" 2>/dev/null)
		case "$_cg" in "$_rel"|"$_rel"/*) _n=$((_n + 1)) ;; esac
	done
	echo "$_n"
}

# cg_listed DIR: tasks (threads) the kernel lists in DIR and its descendants.
cg_listed() {
	find "$1" -name cgroup.threads 2>/dev/null | while read -r _f; do cat "$_f"; done | wc -l | tr -d ' '
}

# cg_tasks DIR: what pidguard must count for DIR: the tasks listed in DIR
# and below plus the zombies that belong there.
cg_tasks() { echo $(( $(cg_listed "$1") + $(cg_zombies "$1") )); }

# cg_procs DIR: process ids listed in DIR and its descendants.
cg_procs() {
	find "$1" -name cgroup.procs 2>/dev/null | while read -r _f; do cat "$_f"; done
}

# cg_destroy DIR: kill every task in DIR (and below), move survivors out,
# remove the directories bottom-up. Bounded; for our own cgroups only.
cg_destroy() {
	[ -d "$1" ] || return 0
	_root=$CG2
	case "$1" in "$CG2"/*) ;; *) _root=${CG1PIDS:-$CG2};; esac
	if [ -e "$1/cgroup.kill" ]; then
		echo 1 > "$1/cgroup.kill" 2>/dev/null
	fi
	for _p in $(cg_procs "$1"); do kill -9 "$_p" 2>/dev/null; done
	_end=$(( $(now_ms) + 3000 * PG_SCALE ))
	while [ -n "$(cg_procs "$1")" ] && [ "$(now_ms)" -lt "$_end" ]; do
		sleep 0.02
	done
	for _p in $(cg_procs "$1"); do echo "$_p" > "$_root/cgroup.procs" 2>/dev/null; done
	_end=$(( $(now_ms) + 3000 ))
	while [ -d "$1" ]; do
		find "$1" -depth -type d 2>/dev/null | while read -r _d; do rmdir "$_d" 2>/dev/null; done
		[ -d "$1" ] || break
		if [ "$(now_ms)" -ge "$_end" ]; then
			echo "# cleanup: could not remove $1" >&2
			return 1
		fi
		sleep 0.05
	done
}

# ---- peak meter: a pids controller around the limited cgroup ----

# pg_meter NAME V2DIR SAFETY_MAX: make a pids meter for the tasks of V2DIR.
# On a hybrid host: a v1 pids cgroup joined alongside (METER_JOIN is the
# extra --cgroup argument for forker). On pure v2: the pids controller of
# V2DIR itself (enabled in its parent's subtree_control). pids.max is the
# safety net; METER_PEAK is pids.peak, or empty when the kernel has none
# (then sample METER_DIR/pids.current with `forker sample`).
pg_meter() {
	METER_DIR="" METER_JOIN="" METER_PEAK=""
	if [ -n "$CG1PIDS" ]; then
		METER_DIR=$(cg1_make "$1" "$3") || return 1
		METER_JOIN="--cgroup $METER_DIR"
	else
		_parent=$(dirname "$2")
		if ! grep -qw pids "$_parent/cgroup.subtree_control" 2>/dev/null; then
			echo +pids > "$_parent/cgroup.subtree_control" 2>/dev/null || return 1
		fi
		[ -e "$2/pids.max" ] || return 1
		METER_DIR=$2
		echo "$3" > "$2/pids.max"
	fi
	[ -e "$METER_DIR/pids.peak" ] && METER_PEAK="$METER_DIR/pids.peak"
	return 0
}

# pg_meter_maxhits: how often the safety net refused a fork (pids.events).
pg_meter_maxhits() { sed -n 's/^max //p' "$METER_DIR/pids.events" 2>/dev/null | head -n 1; }

# ---- pidguard ----

# pg_run ARGS...: start `pidguard run ARGS` in the background, stdout (events)
# to $T/run.out, stderr to $T/run.err; wait for "pidguard: ready".
# Returns 0 when ready; 1 when it exited or timed out (RUN_RC says which).
pg_run() {
	: > "$T/run.out"; : > "$T/run.err"
	# --no-docker: the suite names cgroups itself and must not depend on a daemon.
	"$PG" run --no-docker "$@" > "$T/run.out" 2> "$T/run.err" &
	RUN_PID=$!
	echo "$RUN_PID" >> "$T/run.pids"
	RUN_RC=
	if pg_wait_line "$T/run.err" 'pidguard: ready' 20000 "$RUN_PID"; then
		return 0
	fi
	if pg_alive "$RUN_PID"; then
		kill -9 "$RUN_PID" 2>/dev/null
		pg_wait_gone "$RUN_PID" 2000
		RUN_RC=timeout
	else
		wait "$RUN_PID"; RUN_RC=$?
	fi
	RUN_PID=
	return 1
}

# pg_run_why: the loader's last stderr lines, on one line, for a failure message.
pg_run_why() { tail -n 3 "$T/run.err" 2>/dev/null | tr '\n' ' ' | cut -c1-300; }

# pg_run_stop [SIG]: stop the loader with SIGINT (default); STOP_RC is its exit
# status (124 if it had to be SIGKILLed after 5 s).
pg_run_stop() {
	STOP_RC=
	[ -n "${RUN_PID:-}" ] || return 0
	kill "-${1:-INT}" "$RUN_PID" 2>/dev/null
	pg_finish "$RUN_PID" 5000
	STOP_RC=$FINISH_RC
	RUN_PID=
}

# pg_status: `pidguard status --json` into $T/status.json, normalised into
# $T/status.norm (one line), $T/status.cg (one cgroup object per line) and
# STATUS_MODE; STATUS_RC is its exit status.
pg_status() {
	"$PG" status --json > "$T/status.json" 2> "$T/status.err"
	STATUS_RC=$?
	tr -d '\n\r' < "$T/status.json" | sed 's#\\/#/#g; s/"[[:space:]]*:[[:space:]]*/":/g' > "$T/status.norm"
	STATUS_MODE=$(sed 's/"cgroups":.*//' "$T/status.norm" | sed -n 's/.*"mode":"\([a-z]*\)".*/\1/p')
	sed -n 's/.*"cgroups":\[//p' "$T/status.norm" | tr '{' '\n' | grep '"path":' > "$T/status.cg"
	return $STATUS_RC
}

# st_obj REL: the status object of cgroup REL (from the last pg_status).
st_obj() { grep -e "\"path\":\"$1\"[,}]" "$T/status.cg" 2>/dev/null | head -n 1; }

# st REL KEY: a field of cgroup REL from the last pg_status ("" if absent).
st() {
	st_obj "$1" | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" | tr -d '" '
}

# st_sum REL KEY...: the sum of numeric fields of REL (absent counts as 0,
# so that arithmetic never aborts the test; test_cli checks every key).
st_sum() {
	_r=$1; shift
	for _k in "$@"; do st "$_r" "$_k"; echo; done | awk '{ s += $1 } END { print s + 0 }'
}

# stat_field KEY: a field of "stats" from the last pg_status.
stat_field() {
	sed -n 's/.*"stats":{\([^}]*\)}.*/\1/p' "$T/status.norm" | tr ',' '\n' | sed -n "s/^\"$1\"://p"
}

# pg_cur REL: refresh status and print current of REL.
pg_cur() { pg_status >/dev/null 2>&1; st "$1" current; }

# pg_wait_exact REL DIR [EXTRA] [TIMEOUT_MS]: poll until pidguard's current
# for REL equals cg_tasks DIR (listed tasks + zombies) plus EXTRA. Counting converges ~50 ms after the last exit (RCU), so
# allow 2 s. Sets GOT_CUR and GOT_TASKS; 0 when equal.
pg_wait_exact() {
	_z=${3:-0}
	# 5 s: after a storm, reaped tasks are released by their free hook (one
	# RCU grace period, longer under heavy churn) or the loader's zombie
	# collection (every second), whichever comes first.
	_end=$(( $(now_ms) + ${4:-5000} * PG_SCALE ))
	while :; do
		GOT_CUR=$(pg_cur "$1")
		GOT_TASKS=$(( $(cg_tasks "$2") + _z ))
		[ "$GOT_CUR" = "$GOT_TASKS" ] && return 0
		[ "$(now_ms)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

# expect_exact NAME REL DIR [ZOMBIES] [WHEN]: notok with both numbers unless exact.
expect_exact() {
	pg_wait_exact "$2" "$3" "${4:-0}" && return 0
	notok "$1" "${5:+$5: }pidguard current=${GOT_CUR:-<none>} but the kernel has $GOT_TASKS task(s) in $(cg_rel "$3") ($(cg_listed "$3") listed + $(cg_zombies "$3") zombies now)"
	return 1
}

# ev_settle: events reach run.out asynchronously (ring buffer, then the
# loader's poll loop): wait until it has not grown for 150 ms (at most 2 s).
ev_settle() {
	_end=$(( $(now_ms) + 2000 * PG_SCALE )); _same=0; _last=-1
	while [ "$_same" -lt 3 ] && [ "$(now_ms)" -lt "$_end" ]; do
		_sz=$(wc -c < "$T/run.out" 2>/dev/null | tr -d ' ')
		if [ "$_sz" = "$_last" ]; then _same=$((_same + 1)); else _same=0; _last=$_sz; fi
		sleep 0.05
	done
}

# ev_norm: the events of the run (JSON lines), settled and normalised, into
# $T/events.
ev_norm() { ev_settle; sed 's#\\/#/#g; s/"[[:space:]]*:[[:space:]]*/":/g' "$T/run.out" > "$T/events" 2>/dev/null; }

# ev_count REL KIND: events of KIND for cgroup REL.
ev_count() {
	ev_norm
	grep -e "\"cgroup\":\"$1\"[,}]" "$T/events" | grep -c -e "\"kind\":\"$2\"" | tr -d ' '
}

# ev_count_flag REL KIND FIELD: events of KIND for REL with FIELD true or 1.
ev_count_flag() {
	ev_norm
	grep -e "\"cgroup\":\"$1\"[,}]" "$T/events" | grep -e "\"kind\":\"$2\"" |
		grep -E -c "\"$3\":(true|1)[,}]" | tr -d ' '
}

# ev_sum REL FIELD: sum of a numeric field over all events of REL.
ev_sum() {
	ev_norm
	grep -e "\"cgroup\":\"$1\"[,}]" "$T/events" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" |
		awk '{ s += $1 } END { print s + 0 }'
}

# pg_mode_skip NAME: skip NAME (returns 0) unless the loaded mode is deny.
pg_need_deny() {
	pg_status >/dev/null 2>&1
	[ "$STATUS_MODE" = deny ] && return 1
	skip "$1" "BPF LSM not available (auto chose ${STATUS_MODE:-unknown})"
	return 0
}

# pg_run_kill_or_skip NAME ARGS...: start the loader in kill mode, or print
# skipped (the kernel lacks bpf_send_signal_task) / not ok. 0 when running.
pg_run_kill_or_skip() {
	_n=$1; shift
	if pg_run --mode kill "$@"; then
		return 0
	fi
	if grep -qi -e 'not supported' -e 'unsupported' -e 'not available' -e '6\.13' -e 'send_signal' "$T/run.err"; then
		skip "$_n" "kill mode not available: $(pg_run_why)"
	else
		notok "$_n" "pidguard run --mode kill did not get ready (rc=$RUN_RC): $(pg_run_why)"
	fi
	return 1
}

# Every metric family `run --metrics` exports. test_metrics checks that the
# endpoint has these and no other (HELP and TYPE once each), test_install
# that the man page documents each: a new family goes here, and in both.
PG_METRIC_FAMILIES="pidguard_tasks pidguard_tasks_peak pidguard_limit
	pidguard_denied_total pidguard_killed_total pidguard_flagged_total
	pidguard_warnings_total pidguard_events_suppressed_total
	pidguard_events_lost_total pidguard_failures_total
	pidguard_zombies_collected_total pidguard_records_collected_total
	pidguard_task_records_full_total pidguard_limited_cgroups pidguard_mode
	pidguard_build_info pidguard_scrape_errors_total
	pidguard_runaway_actions_total pidguard_runaway_steps_total"

# ---- setup and cleanup ----

# pg_setup NAME: per-test state: PFX, T (temp dir), mounts, the trap.
pg_setup() {
	TEST=$1
	PFX="pgtest-$$-$1"
	pg_find_mounts || exit 1
	# A fixed name, so that run.sh can find run.pids after a timeout.
	T="/tmp/pgtest-$$-$1"
	rm -rf "$T"; mkdir -p "$T" || exit 1
	: > "$T/cgroups"; : > "$T/bg.pids"; : > "$T/run.pids"; : > "$T/forker.map"
	RUN_PID=
	trap 'pg_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ ! -x "$PG" ]; then
		notok "$TEST" "no pidguard binary at $PG"
		exit 1
	fi
	if [ ! -x "$FORKER" ]; then
		notok "$TEST" "no forker tool at $FORKER"
		exit 1
	fi
}

pg_cleanup() {
	_rc=$?
	trap - EXIT INT TERM
	# Our loaders first (SIGKILL: a hung one must not delay cleanup).
	for _p in $(cat "$T/run.pids" 2>/dev/null); do
		pg_alive "$_p" && kill -9 "$_p" 2>/dev/null
	done
	# Tasks we started: through our cgroups, deepest first (reverse order).
	for _d in $(sed '1!G;h;$!d' "$T/cgroups" 2>/dev/null); do
		cg_destroy "$_d"
	done
	# Background jobs that never joined a cgroup (joined none, or died early).
	for _p in $(cat "$T/bg.pids" 2>/dev/null); do
		pg_alive "$_p" && kill -9 "$_p" 2>/dev/null
	done
	# Remove the pinned state if this test loaded it.
	if [ -s "$T/run.pids" ] && [ -d "$PIN_DIR" ]; then
		"$PG" stop > /dev/null 2>&1 || rm -rf "$PIN_DIR" 2>/dev/null
	fi
	if [ -n "${PG_KEEP_TMP:-}" ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
	[ "$_rc" = 0 ] && [ "$PG_FAILED" != 0 ] && _rc=1
	exit "$_rc"
}

# ---- Docker: the private test daemon (scripts/docker-harness.sh) ----

# dk_setup PREFIX: the daemon's DOCKER_HOST (its own directory, never a
# daemon someone else uses), HARNESS, PX=PREFIX for container names, and an
# EXIT trap that removes the containers named PREFIX* and stops the daemon
# once a test started it (DK_STARTED=1), then runs pg_cleanup.
dk_setup() {
	HARNESS="$(cd "$(dirname "$0")/../.." && pwd)/scripts/docker-harness.sh"
	PG_DOCKER_DIR=${PG_TEST_DOCKER_DIR:-/tmp/pgtest-dockerd}
	export PG_DOCKER_DIR
	DOCKER_HOST="unix://$PG_DOCKER_DIR/docker.sock"
	export DOCKER_HOST
	PX=$1
	# shellcheck disable=SC2154 # _dkrc is set inside the trap itself
	trap '_dkrc=$?; dk_cleanup; (exit $_dkrc); pg_cleanup' EXIT
}

dk() { timeout 60 docker -H "$DOCKER_HOST" "$@"; }

# dk_skip_all REASON: skip every test named in $NAMES, "docker: REASON"; exit 0.
dk_skip_all() {
	for _n in $NAMES; do skip "$_n" "docker: $1"; done
	exit 0
}

# dk_run ARGS...: `pidguard run --json ARGS` with Docker (pg_run passes
# --no-docker); waits for "ready", as pg_run does. 1 when it did not get
# ready (RUN_RC says whether it exited or timed out).
dk_run() {
	: > "$T/run.out"; : > "$T/run.err"
	"$PG" run --json "$@" > "$T/run.out" 2> "$T/run.err" &
	RUN_PID=$!
	echo "$RUN_PID" >> "$T/run.pids"
	pg_wait_line "$T/run.err" 'pidguard: ready' 20000 "$RUN_PID" && return 0
	RUN_RC=$(pg_alive "$RUN_PID" && echo timeout || echo exited)
	return 1
}

dk_cleanup() {
	if [ -n "${DK_STARTED:-}" ]; then
		for _c in $(dk ps -aq --filter "name=$PX" 2>/dev/null); do
			dk rm -f "$_c" > /dev/null 2>&1
		done
		sh "$HARNESS" stop > /dev/null 2>&1
	fi
}
