#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bpf-cost-ab.sh - the BPF run time per operation of two builds, side by side.
#
#   scripts/bpf-cost-ab.sh BUILD_A BUILD_B [ROUNDS]      (ROUNDS: default 5)
#
# For a change to the programs, wall-clock ratios (make bench) are too noisy
# to see tens of ns; the programs' own run time is not. Each round loads
# BUILD_A, then BUILD_B (`pidguard run --no-docker --mode flag`, one cgroup
# limited to 1,000,000), and for each measures, with kernel.bpf_stats_enabled
# on, the run time per call of fork_kill, task_exit and task_free (deltas
# of bpftool's run_time_ns / run_cnt, through the pinned links) over:
#
#   thread   pthread create+join, 1 worker, in the limited cgroup
#   fork     fork+exit+wait, 1 worker, in the limited cgroup
#   free     fork+exit+wait, 1 worker, in a cgroup with no limit (what every
#            other process on the host pays)
#
# and prints the median over rounds of each. Alternating the builds spreads
# the host's drift over both. A build is a directory that `make OUT=DIR`
# made (DIR/pidguard, DIR/bench/forkloop); to build an older commit:
#
#   git worktree add /tmp/old REV && make -C /tmp/old OUT=build
#
# Host etiquette, as scripts/bench.sh: nothing runs while another pidguard
# is loaded; our cgroups are removed and bpf_stats_enabled is restored on
# exit, failure or signal. Exit status: 0 figures printed, 1 setup failure.
set -u
# shellcheck source=scripts/bpf-stats.sh
. "$(dirname "$0")/bpf-stats.sh"

die() { echo "bpf-cost-ab: $*" >&2; exit 1; }

if [ $# -lt 2 ] || [ $# -gt 3 ]; then die "usage: bpf-cost-ab.sh BUILD_A BUILD_B [ROUNDS]"; fi
A=$1 B=$2 ROUNDS=${3:-5}
case $ROUNDS in '' | *[!0-9]*) die "ROUNDS: want a number, got '$ROUNDS'";; esac
[ "$ROUNDS" -ge 1 ] || die "ROUNDS: want at least 1"
[ "$(id -u)" -eq 0 ] || die "run as root (it loads BPF programs and makes cgroups)"
for b in "$A" "$B"; do
	for f in pidguard bench/forkloop; do
		[ -x "$b/$f" ] || die "$b/$f missing: make OUT=$b"
	done
done
command -v bpftool >/dev/null || die "bpftool is needed (bpf_stats through the pinned links)"
command -v jq >/dev/null || die "jq is needed"

bench_host pgab
STATS_WAS=$(cat /proc/sys/kernel/bpf_stats_enabled)

cleanup() {
	set +e
	trap - EXIT INT TERM
	unload_build
	echo "$STATS_WAS" > /proc/sys/kernel/bpf_stats_enabled
	rmdir "$TOP/lim" "$TOP/free" "$TOP" 2>/dev/null
	rm -rf "$RAW"
}
trap cleanup EXIT
trap 'echo "bpf-cost-ab: interrupted" >&2; exit 130' INT TERM

mkdir -p "$TOP/lim" "$TOP/free" || die "cannot create $TOP"

# measure BUILD WORKLOAD CGROUP OP: appends "BUILD WORKLOAD fork exit free total"
measure() {
	local before after
	echo 1 > /proc/sys/kernel/bpf_stats_enabled
	before=$(prog_stats "$PIN")
	"$1/bench/forkloop" --cgroup "$3" --op "$4" --workers 1 --duration-ms 1500 --warmup-ms 100 > /dev/null ||
		die "$1/bench/forkloop failed"
	after=$(prog_stats "$PIN")
	echo 0 > /proc/sys/kernel/bpf_stats_enabled
	join <(echo "$before") <(echo "$after") | awk -v b="$1" -v w="$2" '
		{ dt = $4 - $2; dc = $5 - $3; ns[$1] = dc > 0 ? dt / dc : 0 }
		END { f = ns["fork_kill"]; e = ns["task_exit"]; r = ns["task_free"]
		      printf "%s %s %.0f %.0f %.0f %.0f\n", b, w, f, e, r, f + e + r }' >> "$RAW/ab.txt"
}

for r in $(seq 1 "$ROUNDS"); do
	for b in "$A" "$B"; do
		load_build "$b"
		measure "$b" thread "$TOP/lim" thread
		measure "$b" fork "$TOP/lim" fork
		measure "$b" free "$TOP/free" fork
		unload_build
	done
	printf 'round %d/%d done\n' "$r" "$ROUNDS"
done

echo "BPF ns per operation, median of $ROUNDS rounds (bpf_stats; $(uname -r), $(nproc) CPUs)"
printf '%-28s %-7s %6s %6s %6s %7s\n' build workload fork exit free total
for b in "$A" "$B"; do
	for w in thread fork free; do
		awk -v b="$b" -v w="$w" '$1 == b && $2 == w' "$RAW/ab.txt" | awk -v b="$b" -v w="$w" '
			function med(c,   n, i, j, t, v) {
				n = 0; for (i = 1; i <= NR; i++) v[++n] = col[i, c]
				for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j] < v[j - 1]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
				return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
			{ for (c = 3; c <= 6; c++) col[NR, c] = $c }
			END { printf "%-28s %-7s %6.0f %6.0f %6.0f %7.0f\n", b, w, med(3), med(4), med(5), med(6) }'
	done
done
