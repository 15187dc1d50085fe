# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# bpf-stats.sh - sourced by scripts/bench.sh and scripts/bpf-cost-ab.sh:
# where cgroup v2 is mounted, and the run time of the programs pidguard
# attached (kernel.bpf_stats_enabled must be on for it to count).

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

# prog_stats PIN_DIR: the same for each program behind the link_* pins in
# PIN_DIR.
prog_stats() {
	# shellcheck disable=SC2046
	prog_stats_ids $(for l in "$1"/link_*; do
		bpftool -j link show pinned "$l" 2>/dev/null | jq -r '.prog_id'
	done)
}
