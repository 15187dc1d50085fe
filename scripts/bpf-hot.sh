#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bpf-hot.sh - where pidguard's programs spend their time, instruction by
# instruction.
#
#   scripts/bpf-hot.sh [BUILD [WORKLOAD [SECONDS]]]
#       BUILD     a directory `make OUT=BUILD` made (default: build)
#       WORKLOAD  thread | fork | free (as scripts/bpf-cost-ab.sh; default
#                 thread)
#       SECONDS   how long perf samples (default 8)
#   PG_HOT_CONTEXT=N  also print the N-1 instructions before each hot one
#                     (which helper a call was, what a load reads)
#   PG_HOT_CPUS=LIST  run the workload on these CPUs only (taskset -c LIST):
#                     0 puts a fork and its child's exit on one CPU, which
#                     tells a line that moved between CPUs from a cold one
#
# bpf_stats says how long each program runs, not where. This loads BUILD
# (`pidguard run --no-docker --mode flag`, one cgroup limited to 1,000,000),
# runs the workload under `perf record -a` (cpu-clock: a VM has no hardware
# counters), dumps each attached program's machine code (build/bench/
# jitdump, objdump) and prints, for every program and bpf_loop callback,
# its samples, then the addresses in it that took at least 2 % of the
# program's own samples, each with the instruction just before it. A timer
# interrupt is taken once the instruction it waited on retires: that one
# is the instruction that stalled (a cache miss, a locked operation
# draining the store buffer), the sample falls on the next one.
#
# Compare shares within a program across builds, not sample counts: how
# many samples a run gets varies by several times from run to run here
# (the loop's rate, the host). For how long the programs run, per call,
# side by side: scripts/bpf-cost-ab.sh.
#
# Needs perf (apt-get install linux-perf), objdump (binutils), bpftool, jq.
# Host etiquette as scripts/bpf-cost-ab.sh: refuses to run over a loaded
# pidguard; our cgroups and the perf data are removed on exit, failure or
# signal. Exit status: 0 profile printed, 1 setup failure.
set -u
# shellcheck source=scripts/bpf-stats.sh
. "$(dirname "$0")/bpf-stats.sh"

die() { echo "bpf-hot: $*" >&2; exit 1; }

[ $# -le 3 ] || die "usage: bpf-hot.sh [BUILD [thread|fork|free [SECONDS]]]"
B=${1:-build} W=${2:-thread} SECS=${3:-8} CONTEXT=${PG_HOT_CONTEXT:-1}
case $CONTEXT in '' | *[!0-9]*) die "PG_HOT_CONTEXT: want a number of instructions, got '$CONTEXT'";; esac
case $W in thread | fork | free) ;; *) die "WORKLOAD: want thread, fork or free, got '$W'";; esac
case $SECS in '' | *[!0-9]*) die "SECONDS: want a number, got '$SECS'";; esac
[ "$SECS" -ge 1 ] || die "SECONDS: want at least 1"
[ "$(id -u)" -eq 0 ] || die "run as root (it loads BPF programs, makes cgroups, samples the kernel)"
for f in pidguard bench/forkloop bench/jitdump; do
	[ -x "$B/$f" ] || die "$B/$f missing: make OUT=$B"
done
for c in perf objdump bpftool jq; do
	command -v "$c" > /dev/null || die "$c is needed (perf: apt-get install linux-perf; objdump: binutils)"
done

bench_host pghot

cleanup() {
	set +e
	trap - EXIT INT TERM
	unload_build
	rmdir "$TOP/lim" "$TOP/free" "$TOP" 2> /dev/null
	rm -rf "$RAW"
}
trap cleanup EXIT
trap 'echo "bpf-hot: interrupted" >&2; exit 130' INT TERM

mkdir -p "$TOP/lim" "$TOP/free" || die "cannot create $TOP"
load_build "$B"

CG=$TOP/lim OP=$W
[ "$W" = free ] && CG=$TOP/free OP=fork
${PG_HOT_CPUS:+taskset -c "$PG_HOT_CPUS"} "$B/bench/forkloop" --cgroup "$CG" --op "$OP" --workers 1 --duration-ms $(((SECS + 2) * 1000)) \
	--warmup-ms 100 > /dev/null &
LOOP=$!
sleep 1
perf record -q -a -e cpu-clock -F 20000 -o "$RAW/perf.data" -- sleep "$SECS" > /dev/null 2>&1 ||
	die "perf record failed (perf_event_paranoid? a kernel without perf events?)"
wait "$LOOP" || die "$B/bench/forkloop failed"

# Each attached program's functions, "addr len" (perf names a sample's
# function bpf_prog_<tag>_<func>; its address is what matters here), and
# the code of each in an objdump listing of its own, $RAW/<addr>.s.
link_prog_ids "$PIN" | sort -u > "$RAW/ids"
[ -s "$RAW/ids" ] || die "no programs behind $PIN/link_*"
while read -r id; do
	"$B/bench/jitdump" "$id" "$RAW/$id.bin" > "$RAW/$id.funcs" || die "jitdump $id failed"
	while read -r _ i _ addr _ len _ off; do
		dd if="$RAW/$id.bin" of="$RAW/$id.$i.bin" bs=1 skip="$off" count="$len" status=none
		objdump -D -b binary -m i386:x86-64 --adjust-vma=0x"$addr" "$RAW/$id.$i.bin" |
			awk '/^ *[0-9a-f]+:/ { sub(/^ */, ""); print }' > "$RAW/$addr.s"
		echo "$addr $len"
	done < "$RAW/$id.funcs"
done < "$RAW/ids" > "$RAW/funcs"

perf script -i "$RAW/perf.data" -F ip,sym 2> /dev/null |
	awk '$2 ~ /^bpf_prog_/ { print $1, $2 }' | sort | uniq -c > "$RAW/ips"
[ -s "$RAW/ips" ] || die "no samples in any BPF program (is the JIT on? kptr_restrict?)"

echo "BPF samples by program, $W workload, ${SECS} s at 20 kHz ($(uname -r), $(nproc) CPUs; $B)"
awk '{ n[$3] += $1 } END { for (p in n) printf "%8d  %s\n", n[p], p }' "$RAW/ips" | sort -rn
echo
echo "Hot spots (>= 2 % of a program's samples): samples, share, address, the instruction that waited"
awk '{ n[$3] += $1 } END { for (p in n) print p, n[p] }' "$RAW/ips" | sort -k2 -rn |
	while read -r prog total; do
		echo "== $prog ($total)"
		awk -v p="$prog" -v t="$total" '$3 == p && $1 * 50 >= t { print $2, $1 }' "$RAW/ips" | sort |
			while read -r ip n; do
				# The function holding ip, and the line before ip in its listing.
				f=
				while read -r a len; do
					if [ $((16#$a)) -le $((16#$ip)) ] && [ $((16#$ip)) -lt $((16#$a + len)) ]; then
						f=$a
						break
					fi
				done < "$RAW/funcs"
				prev=
				[ -n "$f" ] && prev=$(grep -B1 "^$ip:" "$RAW/$f.s" | head -1 | cut -f1,3)
				printf '%7d %3d%%  %s  %s\n' "$n" $((n * 100 / total)) "$ip" "${prev:-?}"
				if [ "$CONTEXT" -gt 1 ] && [ -n "$f" ]; then
					grep -B"$CONTEXT" "^$ip:" "$RAW/$f.s" | head -n -2 | cut -f1,3 |
						sed 's/^/                                 | /'
				fi
			done
	done
