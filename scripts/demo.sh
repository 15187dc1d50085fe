#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# demo.sh - pidguard's main job on a built-in scenario, for a host with no
# Docker container to protect yet: a demo cgroup limited to 25 tasks, a
# bounded fork bomb started in it, the events as they happen, the final
# status, and everything cleaned up afterwards.
#
#   make demo            (builds first; PG_BUILD names the build folder)
#
# The demo never touches a pidguard that is already loaded on this host.
# Where a v1 pids hierarchy exists, the bomb also runs in a pids cgroup with
# pids.max=400: a safety net that only a broken enforcer would reach, and
# whose pids.peak shows the true peak independently of pidguard.
set -eu

B=${PG_BUILD:-build}
PG=$B/pidguard
FORKER=$B/tools/forker
LIMIT=25
BOMB_MS=${PG_DEMO_BOMB_MS:-3000}

say() { printf '\n== %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it loads BPF programs)" >&2; exit 1; }
[ -x "$PG" ] && [ -x "$FORKER" ] || { echo "demo: build first (make)" >&2; exit 1; }
if [ -d /sys/fs/bpf/pidguard ]; then
	echo "demo: pidguard is already loaded on this host; the demo leaves it alone." >&2
	echo "demo: see \`$PG status\`, or \`$PG stop\` to end it first." >&2
	exit 1
fi

CG2=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo)
PIDS1=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup" && ("," $(i + 3) ",") ~ /,pids,/) { print $5; exit } break } }' /proc/self/mountinfo)
[ -n "$CG2" ] || { echo "demo: no cgroup v2 mount found in /proc/self/mountinfo" >&2; exit 1; }

DEMO=$CG2/pidguard-demo
NET=
PGPID=
OUT=$(mktemp -d /tmp/pidguard-demo.XXXXXX)

# Kill every task left in a cgroup directory, then remove it.
cg_empty() {
	[ -d "$1" ] || return 0
	if [ -e "$1/cgroup.kill" ]; then
		echo 1 > "$1/cgroup.kill" 2>/dev/null || true
	else
		for p in $(cat "$1/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
	fi
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		rmdir "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "demo: could not remove $1" >&2
}

cleanup() {
	set +e
	[ -n "$PGPID" ] && kill -TERM "$PGPID" 2>/dev/null && wait "$PGPID" 2>/dev/null
	"$PG" stop >/dev/null 2>&1
	cg_empty "$DEMO"
	[ -n "$NET" ] && cg_empty "$NET"
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$DEMO"
JOIN="--cgroup $DEMO"
if [ -n "$PIDS1" ]; then
	NET=$PIDS1/pidguard-demo
	mkdir -p "$NET"
	echo 400 > "$NET/pids.max"
	JOIN="$JOIN --cgroup $NET"
fi

say "starting pidguard: limit $LIMIT tasks on $DEMO"
"$PG" run --no-docker --limit "$DEMO=$LIMIT" --events-per-sec 10 &
PGPID=$!
for _ in $(seq 1 100); do
	"$PG" status >/dev/null 2>&1 && break
	kill -0 "$PGPID" 2>/dev/null || { echo "demo: pidguard run failed (see above)" >&2; exit 1; }
	sleep 0.1
done
sleep 0.5

say "fork bomb in $DEMO: every process forks as fast as it can for $((BOMB_MS / 1000)) s (events below)"
# shellcheck disable=SC2086
"$FORKER" $JOIN bomb --duration-ms "$BOMB_MS" --hold-ms 1500 --max 200000 > "$OUT/bomb" 2>&1 &
BOMB=$!
sleep $((BOMB_MS / 1000 + 1))
say "the bomb has stopped forking; tasks still in the cgroup: pidguard status"
"$PG" status
wait "$BOMB" 2>/dev/null || true

say "what the fork bomb saw"
grep -E '^(forks_ok|forks_eagain|attempts|procs_started|reaped_killed|orphans_killed)=' "$OUT/bomb" | tr '\n' ' '
echo
if [ -n "$NET" ]; then
	peak=$(cat "$NET/pids.peak" 2>/dev/null || echo "?")
	echo "kernel's own count (v1 pids.peak of the safety net, limit 400): peak $peak tasks"
fi
say "final status"
"$PG" status
say "cleaning up: pidguard stop, demo cgroups removed"
