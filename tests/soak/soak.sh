#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# soak.sh - exactness under load, with faults (issue 8).
#
#   PG_BUILD=build sh tests/soak/soak.sh        (make soak)
#
# SOAK_CGROUPS limited cgroups (default 20) each run a forker storm of
# SOAK_OPS / SOAK_CGROUPS mixed operations (default 1,000,000 in all):
# fork+exit+wait, thread create+join, held threads, zombies reaped late,
# nested forks with orphans, held children, migrations out to an unlimited
# cgroup and back. Each storm runs in a sub-cgroup of its limited cgroup, and
# every other one has a limit of its own too (two levels). Meanwhile:
#  - sub-cgroups are created, limited with `pidguard limit`, given tasks and
#    removed, in a loop;
#  - the loader is SIGKILLed SOAK_KILLS times (default 10) at random moments
#    and restarted (it adopts the pinned state); while it is down, a canary
#    cgroup limited to 3 gets a spawn of 10, and pidguard must act on it:
#    enforcement lives in the kernel and must not lapse with the loader.
# At the end every count is compared with the kernel's own listing (tasks
# listed plus zombies): the drift must be 0 everywhere, once with every
# storm holding its state and once after all of it exited.
#
# Prints `soak: ...` figures and the usual ok / not ok lines; exit 1 on any
# drift. Limits are far above what the storms hold: this is about counting,
# the enforcement tests are elsewhere. Never run by `make test` (minutes).
HERE=$(cd "$(dirname "$0")" && pwd)
: "${PG_BUILD:?PG_BUILD must name the build directory}"
case "$PG_BUILD" in /*) ;; *) PG_BUILD="$(pwd)/$PG_BUILD";; esac
export PG_BUILD
: "${PIDGUARD_PIN_DIR:=/sys/fs/bpf/pgsoak-$$}"
export PIDGUARD_PIN_DIR
. "$HERE/../integration/lib.sh"
pg_setup soak

NCG=${SOAK_CGROUPS:-20}
OPS=${SOAK_OPS:-1000000}
KILLS=${SOAK_KILLS:-10}
PER=$((OPS / NCG))
[ "$PER" -le 1000000 ] || { echo "soak: at most 1,000,000 operations per cgroup" >&2; exit 2; }
BIG=100000
[ "$(id -u)" = 0 ] || { echo "soak: needs root" >&2; exit 1; }
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || mount -t bpf bpf /sys/fs/bpf

# ---- the cgroups ----
AWAY=$(cg_make away) || { notok soak "cannot create cgroups under $CG2"; exit 1; }
CANARY=$(cg_make canary) || exit 1
set -- --limit "$(cg_rel "$CANARY")=3"
i=1
while [ $i -le "$NCG" ]; do
	L=$(cg_make "l$i") && mkdir -p "$L/storm" || { notok soak "cannot create $L/storm"; exit 1; }
	set -- "$@" --limit "$(cg_rel "$L")=$BIG"
	[ $((i % 2)) = 0 ] && set -- "$@" --limit "$(cg_rel "$L")/storm=$BIG"
	i=$((i + 1))
done
LIMIT_ARGS_FILE="$T/limit-args"
printf '%s\n' "$@" > "$LIMIT_ARGS_FILE"

start_loader() {
	# shellcheck disable=SC2046 # one argument per line, none with spaces
	IFS='
'
	set -- $(cat "$LIMIT_ARGS_FILE")
	unset IFS
	pg_run --events-per-sec 0 --json "$@"
}
start_loader || { notok soak "pidguard run did not get ready: $(pg_run_why)"; exit 1; }
pg_status > /dev/null 2>&1
note "soak: mode $STATUS_MODE, $NCG cgroups x $PER operations, $KILLS loader kills, kernel $(uname -r), $(nproc) CPUs"

# ---- the storms ----
T0=$(now_ms)
i=1
: > "$T/storms"
while [ $i -le "$NCG" ]; do
	L="$CG2/$PFX-l$i"
	pg_forker "$T/storm$i.out" --cgroup "$L/storm" storm --ops "$PER" --seed "$i" \
		--away "$AWAY" --home "$L/storm" --hold-ms 600000
	echo "$BG_PID $i" >> "$T/storms"
	i=$((i + 1))
done

storms_running() {
	while read -r _p _i; do
		grep -q '^phase=ready$' "$T/storm$_i.out" 2>/dev/null && continue
		pg_alive "$_p" && return 0
	done < "$T/storms"
	return 1
}

# ---- cgroup churn, in the background until the storms are done ----
(
	k=0
	while [ ! -e "$T/churn.stop" ]; do
		k=$((k + 1))
		C="$CG2/$PFX-l$(( (k % NCG) + 1 ))/churn$k"
		mkdir "$C" 2>/dev/null || continue
		"$PG" limit "$(cg_rel "$C")" 50 > /dev/null 2>&1
		"$FORKER" --cgroup "$C" spawn 3 --hold-ms 5 > /dev/null 2>&1
		_end=$(( $(now_ms) + 2000 ))
		while ! rmdir "$C" 2>/dev/null && [ "$(now_ms)" -lt "$_end" ]; do sleep 0.01; done
		echo "$k" > "$T/churn.count"
	done
) &
CHURN_PID=$!
echo "$CHURN_PID" >> "$T/bg.pids"

# ---- loader kills, at random moments while the storms run ----
killed=0 outage_bad=0
seed=$$
while [ $killed -lt "$KILLS" ] && storms_running; do
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
	sleep "$(( seed % 3 )).$(( (seed / 7) % 10 ))"
	storms_running || break
	kill -9 "$RUN_PID" 2>/dev/null
	pg_wait_gone "$RUN_PID" 2000
	RUN_PID=
	killed=$((killed + 1))
	# The loader is down: does the kernel side still act?
	pg_status > /dev/null 2>&1
	before=$(st_sum "$(cg_rel "$CANARY")" killed denied flagged)
	"$FORKER" --cgroup "$CANARY" spawn 10 --hold-ms 50 > "$T/canary.out" 2>&1
	pg_status > /dev/null 2>&1
	after=$(st_sum "$(cg_rel "$CANARY")" killed denied flagged)
	if [ "$after" -le "$before" ]; then
		outage_bad=$((outage_bad + 1))
		note "soak: outage $killed: no action on the canary (before $before, after $after)"
	fi
	start_loader || { notok soak "the loader did not come back after kill $killed: $(pg_run_why)"; exit 1; }
done
while storms_running; do sleep 0.2; done
touch "$T/churn.stop"
pg_finish "$CHURN_PID" 10000
T1=$(now_ms)

# ---- the figures ----
total=0 fails=0
while read -r _p _i; do
	o=$(kv "$T/storm$_i.out" ops)
	[ -n "$o" ] || { notok soak "storm $_i ended without results: $(tail -n 2 "$T/storm$_i.out" | tr '\n' ' ')"; exit 1; }
	total=$((total + o))
	fails=$((fails + $(kv "$T/storm$_i.out" fail_fork) + $(kv "$T/storm$_i.out" fail_thread)))
done < "$T/storms"
churn=$(cat "$T/churn.count" 2>/dev/null || echo 0)
ms=$((T1 - T0))
note "soak: $total storm operations in $ms ms: $((total * 1000 / (ms > 0 ? ms : 1))) operations/s sustained; $churn sub-cgroups created, limited, used and removed; $fails failed forks or threads"

# drift_all WHEN: compare every limited cgroup (and each storm sub-cgroup
# that has a limit) with the kernel; prints the total absolute drift.
drift_all() {
	_drift=0
	_i=1
	while [ $_i -le "$NCG" ]; do
		_L="$CG2/$PFX-l$_i"
		for _d in "$_L" "$_L/storm"; do
			[ "$_d" = "$_L/storm" ] && [ $((_i % 2)) = 1 ] && continue
			pg_wait_exact "$(cg_rel "$_d")" "$_d" 0 10000
			_x=$((GOT_CUR - GOT_TASKS))
			[ "$_x" -lt 0 ] && _x=$((-_x))
			[ "$_x" != 0 ] && note "soak: $1: $(cg_rel "$_d"): pidguard $GOT_CUR, kernel $GOT_TASKS" >&2
			_drift=$((_drift + _x))
		done
		_i=$((_i + 1))
	done
	echo "$_drift"
}

d1=$(drift_all "storms holding")
pg_status > /dev/null 2>&1
note "soak: stats $(sed -n 's/.*"stats":{\([^}]*\)}.*/\1/p' "$T/status.norm")"
while read -r _p _i; do pg_finish "$_p" 60000; done < "$T/storms"
d2=$(drift_all "all exited")
note "soak: drift $d1 with the storms holding, $d2 after they exited; loader killed $killed times, $outage_bad outages without enforcement"

if [ "$d1" != 0 ] || [ "$d2" != 0 ]; then
	notok soak-exact "drift $d1 (holding) and $d2 (exited) over $NCG cgroups"
else
	ok soak-exact
fi
if [ "$killed" -lt "$KILLS" ]; then
	notok soak-loader-kills "the storms ended after $killed of $KILLS loader kills: raise SOAK_OPS"
elif [ "$outage_bad" != 0 ]; then
	notok soak-loader-kills "$outage_bad of $killed loader outages saw no enforcement on the canary"
else
	ok soak-loader-kills
fi
[ "$PG_FAILED" = 0 ]
