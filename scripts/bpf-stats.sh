# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# bpf-stats.sh - sourced by scripts/bench.sh, scripts/bpf-cost-ab.sh and
# scripts/bpf-hot.sh: where cgroup v2 is mounted, the run time of the
# programs pidguard attached (kernel.bpf_stats_enabled must be on for it to
# count), and loading a build of pidguard to measure it. The caller defines
# die().

# The cgroup v2 mount point ("" if none), from mountinfo: never hard-coded.
cg2_mount() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo
}

# prog_stats_ids ID...: "name run_time_ns run_cnt" of the programs of these
# ids, sorted by name (for join).
prog_stats_ids() {
	for id in "$@"; do
		bpftool -j prog show id "$id" 2>/dev/null |
			jq -r '"\(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"'
	done | sort
}

# link_prog_ids PIN_DIR: the id of the program behind each link_* pin in
# PIN_DIR, one per line.
link_prog_ids() {
	for l in "$1"/link_*; do
		bpftool -j link show pinned "$l" 2>/dev/null | jq -r '.prog_id'
	done
}

# prog_stats PIN_DIR: the same for each program behind the link_* pins in
# PIN_DIR.
prog_stats() {
	# shellcheck disable=SC2046
	prog_stats_ids $(link_prog_ids "$1")
}

# bench_host NAME: for a script that loads its own pidguard. Refuses to run
# over a loaded one; sets PIN, TOP ($CG2/NAME-$$: the caller makes lim/
# and free/ in it once its exit trap is set) and RAW (a fresh temporary
# directory). That trap removes them: unload_build; rmdir "$TOP/lim"
# "$TOP/free" "$TOP"; rm -rf "$RAW".
bench_host() {
	local cg2
	PIN=/sys/fs/bpf/pidguard
	[ -e "$PIN" ] && die "a pidguard is loaded ($PIN exists): not measuring over someone else's"
	cg2=$(cg2_mount)
	[ -n "$cg2" ] || die "no cgroup v2 mount in /proc/self/mountinfo"
	TOP=$cg2/$1-$$
	RAW=$(mktemp -d "/tmp/$1.XXXXXX") || die "cannot make a temporary directory"
	PGPID=
	PGB=
}

# wait_ready FILE PATTERN PID TENTHS: 0 once FILE has a line matching
# PATTERN (grep), 1 if PID ends first or TENTHS tenths of a second pass.
wait_ready() {
	for _ in $(seq 1 "$4"); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# load_build BUILD: run BUILD's pidguard in flag mode, $TOP/lim limited to
# 1,000,000 (PGPID, PGB), and wait until it is ready.
load_build() {
	PGB=$1
	"$PGB/pidguard" run --no-docker --mode flag --limit "$TOP/lim=1000000" \
		> "$RAW/run.out" 2> "$RAW/run.err" &
	PGPID=$!
	wait_ready "$RAW/run.err" ready "$PGPID" 300 ||
		die "$PGB/pidguard run did not get ready: $(tr '\n' ' ' < "$RAW/run.err")"
}

# unload_build: stop what load_build started, if anything. (Not pg_unload:
# bench.sh, which sources this file, has its own, for the instances it
# adopts and locks.)
unload_build() {
	[ -n "${PGPID:-}" ] || return 0
	kill -INT "$PGPID" 2>/dev/null
	wait "$PGPID" 2>/dev/null
	"$PGB/pidguard" stop > /dev/null 2>&1
	PGPID=
}
