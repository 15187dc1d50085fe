#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh - `make bench`: pidguard's cost and containment, as figures.
#
#   make bench                          (builds first; PG_BUILD = build dir)
#   PG_BENCH_QUICK=1 make bench         smoke run, about 2 minutes
#   PG_BENCH_ONLY=fork,bomb make bench  some sections only
#                                       (fork scale bomb events rest)
#   PG_BENCH_ROUNDS=N PG_BENCH_MS=M     rounds and ms per timed run
#   PG_BENCH_SCALE=N                    limited cgroups in the scale test
#
# Sections (docs/BENCHMARKS.md explains each figure and its target):
#   fork    fork+exit+wait and pthread create+join, 1 worker and one per
#           CPU, inside a limited cgroup: (a) nothing attached, (b) v1
#           pids.max, (c) pidguard flag, (d) pidguard kill, (e) pidguard
#           deny where the kernel runs the BPF LSM, (f) empty BPF
#           programs on pidguard's three fork-path tracepoints (the cost of
#           hooking every task at all); rounds interleave a,b,c,d,e,f; each
#           figure is the median over rounds of the ratio to (a) in the same
#           round, with min-max and IQR. Then the programs' own run time
#           per fork from bpf_stats.
#   scale   the same fork loop with 1, N and near-capacity limited cgroups
#           installed; map memory per limited cgroup.
#   bomb    a bounded fork bomb in a cgroup limited to 25: pidguard kill,
#           pidguard flag with --enforce-in-userspace, pidguard flag,
#           v1 pids.max; and the fork latency of a process outside the
#           cgroup during the bomb.
#   events  over-limit forks as fast as this machine makes them, the loader
#           printing events: lost events, loader CPU and memory.
#   rest    the loader with 1,000 limited cgroups and no events: CPU/hour
#           and resident memory.
#
# Benchmarks never fail: the exit status is 0 whenever the figures were
# printed, whatever they are. Only a setup failure (not root, not built, a
# pidguard that stays busy for 10 minutes) exits 1.
#
# Host etiquette: pidguard is loaded only when /sys/fs/bpf/pidguard is absent
# and /run/pidguard.lock is free (else we wait, polling every 10 s, up to 10
# minutes); `pidguard stop` is only ever run on an instance this script
# loaded. Every cgroup made here is removed on exit, failure or signal, and
# kernel.bpf_stats_enabled is restored.
set -u
# shellcheck source=scripts/bpf-stats.sh
. "$(dirname "$0")/bpf-stats.sh"

B=${PG_BUILD:-build}
PG=$B/pidguard
FL=$B/bench/forkloop
BW=$B/bench/bombwatch
FORKER=$B/tools/forker
FLOOR=$B/bench/hookfloor
PIN=/sys/fs/bpf/pidguard
LOCK=/run/pidguard.lock

QUICK=${PG_BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	ROUNDS=${PG_BENCH_ROUNDS:-2}
	MS=${PG_BENCH_MS:-300}
	SCALE=${PG_BENCH_SCALE:-1000}
	BOMB_REPS=1
	REST_S=10
	EV_MS=1000
else
	ROUNDS=${PG_BENCH_ROUNDS:-9}
	MS=${PG_BENCH_MS:-600}
	SCALE=${PG_BENCH_SCALE:-10000}
	BOMB_REPS=3
	REST_S=60
	EV_MS=3000
fi
ONLY=${PG_BENCH_ONLY:-fork,scale,bomb,events,rest}
NCPU=$(nproc)

die() { echo "bench: $*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
want() { case ",$ONLY," in *",$1,"*) return 0;; esac; return 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it loads BPF programs and makes cgroups)"
for f in "$PG" "$FL" "$BW" "$FORKER"; do [ -x "$f" ] || die "$f missing: build first (make bench)"; done
command -v jq >/dev/null || die "jq is needed to read pidguard status -j"
command -v bpftool >/dev/null || die "bpftool is needed for bpf_stats and map sizes"
command -v flock >/dev/null || die "flock (util-linux) is needed to tell whether another pidguard holds $LOCK"

CG2=$(cg2_mount)
PIDS1=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup" && ("," $(i + 3) ",") ~ /,pids,/) { print $5; exit } break } }' /proc/self/mountinfo)
[ -n "$CG2" ] || die "no cgroup v2 mount in /proc/self/mountinfo"
[ -n "$PIDS1" ] || echo "bench: no v1 pids hierarchy: configuration (b) is skipped; the bomb's meter is cgroup v2's pids controller, if any" >&2

TOP=$CG2/pgbench-$$
TOP1=${PIDS1:+$PIDS1/pgbench-$$}
RAW=$(mktemp -d /tmp/pgbench.XXXXXX)
PGPID=
FLOORPID=
OURS=0
STATS_WAS=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)
T_START=$(date +%s)

# ---- cleanup: whatever happens, leave the host as we found it ----

cg_remove_tree() {
	local d=$1
	[ -d "$d" ] || return 0
	# Kill what is left in our own cgroups (v2 has cgroup.kill), deepest first.
	find "$d" -depth -type d 2>/dev/null | while read -r c; do
		if [ -e "$c/cgroup.kill" ]; then
			echo 1 > "$c/cgroup.kill" 2>/dev/null
		else
			for p in $(cat "$c/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		fi
	done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$d" ] || return 0
		sleep 0.3
	done
	echo "bench: could not remove $d" >&2
}

cleanup() {
	set +e
	trap - EXIT INT TERM
	floor_stop
	pg_unload
	echo "$STATS_WAS" > /proc/sys/kernel/bpf_stats_enabled 2>/dev/null
	cg_remove_tree "$TOP"
	[ -n "$TOP1" ] && cg_remove_tree "$TOP1"
	if [ -n "${PG_BENCH_KEEP_RAW:-}" ]; then
		echo "bench: raw output kept in $RAW" >&2
	else
		rm -rf "$RAW"
	fi
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

# ---- pidguard, loaded only when nobody else has it ----

lock_free() { flock -n -s "$LOCK" true 2>/dev/null || [ ! -e "$LOCK" ]; }

# Wait until no pidguard is loaded on the host (10 minutes at most).
wait_host_free() {
	local waited=0
	while [ -e "$PIN" ] || ! lock_free; do
		[ "$waited" -ge 600 ] && die "pidguard stayed loaded by someone else for 10 minutes; try later"
		[ "$waited" -eq 0 ] && echo "bench: pidguard is loaded by someone else; waiting (poll 10 s, up to 10 min)" >&2
		sleep 10
		waited=$((waited + 10))
	done
}

# pg_run ARGS...: start `pidguard run ARGS` in the background (stdout in
# $RAW/events.N, stderr in $RAW/loader.N) and wait for "ready". Loads the
# programs if nothing is pinned (after waiting for the host to be free), or
# adopts what we pinned earlier.
PGRUN_N=0
pg_run() {
	if [ "$OURS" != 1 ]; then
		wait_host_free
	fi
	PGRUN_N=$((PGRUN_N + 1))
	PG_EV=$RAW/events.$PGRUN_N
	PG_ERR=$RAW/loader.$PGRUN_N
	"$PG" run --no-docker "$@" > "$PG_EV" 2> "$PG_ERR" &
	PGPID=$!
	OURS=1
	wait_ready "$PG_ERR" ready "$PGPID" 300 && return 0
	echo "bench: pidguard run $* did not become ready:" >&2
	cat "$PG_ERR" >&2
	wait "$PGPID" 2>/dev/null
	PGPID=
	return 1
}

# bg_stop VAR: end our background process whose pid is in $VAR (SIGINT,
# then wait for it) and empty VAR.
bg_stop() {
	local pid=${!1}
	[ -n "$pid" ] || return 0
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	printf -v "$1" '%s' ''
}

# End our loader; enforcement stays pinned.
pg_detach() { bg_stop PGPID; }

# Remove our pinned state: only ever an instance this script loaded.
pg_unload() {
	pg_detach
	[ "$OURS" = 1 ] || return 0
	local holder
	holder=$(cat "$LOCK" 2>/dev/null)
	if ! lock_free; then
		echo "bench: $LOCK is held by pid $holder, not by us; not stopping it" >&2
		OURS=0
		return 0
	fi
	"$PG" stop >/dev/null 2>&1
	OURS=0
}

# Configuration (f): the empty programs of tests/bench/hookfloor.bpf.c on
# the same tracepoints, held by our own hookfloor process.
floor_start() {
	"$FLOOR" > "$RAW/floor.out" 2>&1 &
	FLOORPID=$!
	wait_ready "$RAW/floor.out" "^ready" "$FLOORPID" 50 && return 0
	echo "bench: hookfloor did not attach: $(tr '\n' ' ' < "$RAW/floor.out")" >&2
	floor_stop
	return 1
}
floor_stop() { bg_stop FLOORPID; }

pg_status() { "$PG" status -j 2>/dev/null; }
# Other people's scripts may run `pidguard stop` on our instance: say so.
pg_check_ours() {
	[ -e "$PIN/limits" ] && return 0
	echo "bench: WARNING: our pinned state vanished ($1): someone else ran \`pidguard stop\`; figures of this section are invalid" | tee -a "$RAW/invalid" >&2
	OURS=0
	return 1
}
# cg_field PATH FIELD: a field of one cgroup in `pidguard status -j`.
cg_field() { pg_status | jq -r --arg p "$1" ".cgroups[] | select(.path == \$p) | .$2" | head -1; }

# ---- numbers ----

# stats: reads numbers (one per line), prints "median min max q1 q3".
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		n = NR; if (n == 0) { print "nan nan nan nan nan"; exit }
		med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		q1 = v[int((n - 1) * 0.25) + 1]; q3 = v[int((n - 1) * 0.75 + 0.999) + 1]
		printf "%.4f %.4f %.4f %.4f %.4f\n", med, v[1], v[n], q1, q3 }'
}

kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" | head -1; }

# forkloop OP WORKERS-FLAG CGROUPS...: prints ns_per_op.
forkloop() {
	local op=$1 w=$2
	shift 2
	local args=()
	for c in "$@"; do [ -n "$c" ] && args+=(--cgroup "$c"); done
	"$FL" "${args[@]}" --op "$op" $w --duration-ms "$MS" --warmup-ms 100 | kv ns_per_op
}

# mode_cfg MODE: the configuration letter of a pidguard mode.
mode_cfg() { case $1 in flag) echo c;; kill) echo d;; deny) echo e;; esac; }

# probe_modes CGROUP: MODES, the pidguard modes this kernel runs, each
# loaded once with a limit on CGROUP (kill needs Linux 6.13's
# bpf_send_signal_task, deny the BPF LSM: this build host has kill,
# Debian's 6.1 in scripts/vm-test.sh has deny, BENCHMARKS.md). Each mode
# it refuses gets a line in $RAW/modes.missing with the loader's reason.
# Once per run: later calls return at once.
MODES_PROBED=0
probe_modes() {
	local mode why
	[ "$MODES_PROBED" = 1 ] && return 0
	MODES=
	: > "$RAW/modes.missing"
	for mode in flag kill deny; do
		if pg_run --mode "$mode" --limit "$1=1000000" 2>/dev/null; then
			MODES="$MODES $mode"
		else
			why=$(grep -m1 'error' "$PG_ERR" | sed 's/^pidguard: error: //')
			echo "$mode: not measured here: ${why:-pidguard run --mode $mode did not get ready}" >> "$RAW/modes.missing"
		fi
		pg_unload
	done
	MODES_PROBED=1
}
# has_mode MODE: probe_modes found MODE.
has_mode() { case " $MODES " in *" $1 "*) return 0;; esac; return 1; }
# Name the modes probe_modes left out, with the reason.
note_missing_modes() {
	local line
	while read -r line; do note "($(mode_cfg "${line%%:*}")) $line"; done < "$RAW/modes.missing"
}

WORKLOADS="fork:--workers=1 fork:--per-cpu thread:--workers=1 thread:--per-cpu syscall:--workers=1"
wl_name() {
	case "$1" in
	fork:--workers=1) echo "fork+exit+wait, 1 worker";;
	fork:--per-cpu) echo "fork+exit+wait, $NCPU workers (1/CPU)";;
	thread:--workers=1) echo "pthread create+join, 1 worker";;
	thread:--per-cpu) echo "pthread create+join, $NCPU workers (1/CPU)";;
	syscall:--workers=1) echo "getppid() (host-wide syscall tax)";;
	esac
}
run_wl() {
	local wl=$1
	shift
	local op=${wl%%:*} w=${wl#*:}
	[ "$w" = "--workers=1" ] && w="--workers 1"
	forkloop "$op" "$w" "$@"
}

# The programs bpf_cost reads: pidguard's pinned ones, or with COST_IDS
# set, the programs of those ids (hookfloor's).
cost_stats() {
	if [ -n "${COST_IDS:-}" ]; then
		# shellcheck disable=SC2086
		prog_stats_ids $COST_IDS
	else
		prog_stats "$PIN"
	fi
}

# bpf_cost OP CGROUPS...: ns of BPF per operation, and per program.
bpf_cost() {
	local op=$1
	shift
	local before after ops args=()
	for c in "$@"; do [ -n "$c" ] && args+=(--cgroup "$c"); done
	echo 1 > /proc/sys/kernel/bpf_stats_enabled
	before=$(cost_stats)
	ops=$("$FL" "${args[@]}" --op "$op" --workers 1 --duration-ms "$MS" --warmup-ms 0 | kv ops)
	after=$(cost_stats)
	echo "$STATS_WAS" > /proc/sys/kernel/bpf_stats_enabled
	printf '%s\n--\n%s\n==\n' "$before" "$after" >> "$RAW/bpf_stats.raw"
	# Warm-up ops ran too: forkloop counts only timed ops, so count the
	# fork program's runs instead when it is there.
	join <(echo "$before") <(echo "$after") | awk -v ops="$ops" '
		{ dt = $4 - $2; dc = $5 - $3; tot += dt
		  if ($1 ~ /^(fork_|floor_fork)/) forks = dc
		  if (dc > 0) printf "      %-18s %8d runs %8.0f ns/run\n", $1, dc, dt / dc }
		END { n = forks > 0 ? forks : ops
		      printf "      total: %.0f ns of BPF per %s (%d ops)\n", tot / n, "'"$op"'", n }'
}

mkdir -p "$TOP" || die "cannot create $TOP"
[ -n "$TOP1" ] && { mkdir -p "$TOP1" || die "cannot create $TOP1"; }

echo "pidguard benchmarks: $(uname -r), $NCPU CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "build: $B ($(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo '?')), rounds=$ROUNDS, ${MS} ms per timed run, quick=$QUICK"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the host makes every figure noisier)"

# ======================================================================
# 1. Fork path cost
# ======================================================================
if want fork; then
	say "1. Fork path cost: ratio to (a) nothing attached, median of $ROUNDS interleaved rounds [min-max] (IQR)"
	LOOP=$TOP/loop
	mkdir -p "$LOOP"
	CFGS="a"
	if [ -n "$TOP1" ]; then
		mkdir -p "$TOP1/loop"
		echo 1000000 > "$TOP1/loop/pids.max"
		CFGS="a b"
	fi
	LIMIT=1000000
	probe_modes "$LOOP"
	for mode in $MODES; do CFGS="$CFGS $(mode_cfg "$mode")"; done
	NOFLOOR=
	if [ ! -x "$FLOOR" ]; then
		NOFLOOR="$FLOOR is not built"
	elif ! floor_start; then
		NOFLOOR="hookfloor could not attach its programs (above)"
	else
		floor_stop
		CFGS="$CFGS f"
	fi
	for r in $(seq 1 "$ROUNDS"); do
		for cfg in $CFGS; do
			case $cfg in
			a|b) pg_unload;;
			c) pg_run --mode flag --limit "$LOOP=$LIMIT" || break 2;;
			d) pg_detach; pg_run --mode kill --limit "$LOOP=$LIMIT" || break 2;;
			e) pg_unload; pg_run --mode deny --limit "$LOOP=$LIMIT" || break 2;;
			f) pg_unload; floor_start || break 2;;
			esac
			if [ "$cfg" = b ]; then j1=$TOP1/loop; else j1=$PIDS1; fi
			# (a), (b) and (f) must really have no pidguard attached.
			case $cfg in a|b|f)
				[ -e "$PIN" ] && { echo "bench: someone loaded pidguard during round $r; waiting" >&2; wait_host_free; };;
			esac
			for wl in $WORKLOADS; do
				v=$(run_wl "$wl" "$LOOP" ${j1:+"$j1"})
				echo "$r $cfg $wl $v" >> "$RAW/fork.txt"
			done
			case $cfg in c|d|e) pg_check_ours "fork round $r ($cfg)";; esac
			case $cfg in a|b|f)
				[ -e "$PIN" ] && echo "$r" >> "$RAW/fork.disturbed";;
			esac
			[ "$cfg" = f ] && floor_stop
		done
		printf '   round %d/%d done\n' "$r" "$ROUNDS"
	done
	printf '   %-42s %8s   %s\n' "workload" "(a) ns" "ratio to (a): median [min-max] (IQR)"
	for wl in $WORKLOADS; do
		a_med=$(awk -v w="$wl" '$2 == "a" && $3 == w { print $4 }' "$RAW/fork.txt" | stats | cut -d' ' -f1)
		printf '   %-42s %8.0f\n' "$(wl_name "$wl")" "$a_med"
		for cfg in $CFGS; do
			[ "$cfg" = a ] && continue
			awk -v w="$wl" -v c="$cfg" '
				$3 == w && $2 == "a" { a[$1] = $4 }
				$3 == w && $2 == c { x[$1] = $4 }
				END { for (r in x) if (a[r] > 0) print x[r] / a[r] }' "$RAW/fork.txt" | stats |
				awk -v c="$cfg" '{
					name = c == "b" ? "(b) v1 pids.max" : c == "c" ? "(c) pidguard flag" : \
					       c == "d" ? "(d) pidguard kill" : c == "e" ? "(e) pidguard deny" : \
					       "(f) empty programs, same hooks"
					printf "     %-40s %.3f [%.3f-%.3f] (%.3f-%.3f)\n", name, $1, $2, $3, $4, $5 }'
		done
		# pidguard vs pids.max, same rounds
		if [ -n "$TOP1" ]; then
			for cfg in $CFGS; do
				case $cfg in c|d|e) ;; *) continue;; esac
				awk -v w="$wl" -v c="$cfg" '
					$3 == w && $2 == "b" { b[$1] = $4 }
					$3 == w && $2 == c { x[$1] = $4 }
					END { for (r in x) if (b[r] > 0) print x[r] / b[r] }' "$RAW/fork.txt" | stats |
					awk -v c="$cfg" '{ printf "     %-40s %.3f [%.3f-%.3f]\n", "(" c ") / (b)", $1, $2, $3 }'
			done
		fi
		# Noise on a shared host only ever adds time: the fastest round of
		# each configuration is a second, robust estimate.
		awk -v w="$wl" '$3 == w { if (!($2 in m) || $4 < m[$2]) m[$2] = $4 }
			END { printf "     best-of-%s ratio to (a):", "rounds"; for (c in m) if (c != "a") printf " (%s) %.3f", c, m[c] / m["a"]; printf "\n" }' "$RAW/fork.txt"
	done
	[ -s "$RAW/fork.disturbed" ] && note "rounds $(sort -u "$RAW/fork.disturbed" | tr '\n' ' ')had another pidguard loaded during (a)/(b)/(f): those figures are suspect"
	[ -n "$NOFLOOR" ] && note "(f) empty programs: not measured: $NOFLOOR"
	note_missing_modes
	note "reproduce: PG_BENCH_ONLY=fork make bench   (loop: $FL --cgroup CG --op fork|thread --workers 1|--per-cpu --duration-ms $MS)"

	say "1b. BPF run time per operation (kernel.bpf_stats_enabled=1 for ${MS} ms, bpftool prog show run_time_ns/run_cnt)"
	# Forks in a cgroup with no limit: once, in kill mode where there is one.
	free_mode=flag
	has_mode kill && free_mode="kill"
	for mode in $MODES; do
		# Pinned deny programs are not adopted by another mode, nor others by deny.
		[ "$mode" = deny ] && pg_unload
		pg_detach
		pg_run --mode "$mode" --limit "$LOOP=$LIMIT" || break
		for op in fork thread; do
			note "pidguard $mode, $op, 1 worker, in the limited cgroup:"
			bpf_cost "$op" "$LOOP" "$PIDS1"
		done
		if [ "$mode" = "$free_mode" ]; then
			note "pidguard $mode, fork, 1 worker, in a cgroup with no limit (the host's other forks):"
			mkdir -p "$TOP/free"
			bpf_cost fork "$TOP/free" "$PIDS1"
		fi
	done
	pg_unload
	# The same read of (f)'s empty programs: what bpf_stats' timed window
	# holds besides a program's body (about one sched_clock() read; the
	# dispatch is outside it), included in every figure above.
	if [ -z "$NOFLOOR" ] && floor_start; then
		note "(f) empty programs on the same hooks, thread, 1 worker (bpf_stats' own cost, included above):"
		COST_IDS=$(sed -n 's/^ready.*ids: *//p' "$RAW/floor.out") bpf_cost thread "$LOOP" "$PIDS1"
		floor_stop
	fi
	note "reproduce: PG_BENCH_ONLY=fork make bench"
fi

# ======================================================================
# 2. Scale
# ======================================================================

# bulk_limits N PARENT LIMIT LEVEL: install limits on PARENT/c0..c{N-1}
# through bpftool batch on the pinned maps (the loader has no bulk path;
# `pidguard limit` would cost one process and one task-iterator pass per
# cgroup). The cgroups are empty, so there is nothing to seed; the level is
# enabled by one `pidguard limit` beforehand. Same entries as limit_store.c:
# usage zeroed first, then the limit.
bulk_limits() {
	local n=$1 parent=$2 lim=$3 lvl=$4 warn
	warn=$(( (lim * 80 + 99) / 100 ))
	seq 0 $((n - 1)) | sed "s|^|$parent/c|" | xargs stat -c %i | awk -v lim="$lim" -v warn="$warn" -v lvl="$lvl" -v pin="$PIN" '
		function le(v, n,   s, i) { s = ""; for (i = 0; i < n; i++) { s = s sprintf(" %02x", v % 256); v = int(v / 256) } return s }
		BEGIN { z = ""; for (i = 0; i < 104; i++) z = z " 00" }
		{ k = le($1, 8)
		  print "map update pinned " pin "/usage key hex" k " value hex" z
		  print "map update pinned " pin "/limits key hex" k " value hex" le(lim, 4) le(warn, 4) le(lvl, 4) le(0, 4) }' > "$RAW/batch"
	bpftool batch file "$RAW/batch" > /dev/null
}
bulk_unlimit() {
	local n=$1 parent=$2
	seq 0 $((n - 1)) | sed "s|^|$parent/c|" | xargs stat -c %i | awk -v pin="$PIN" '
		function le(v, n,   s, i) { s = ""; for (i = 0; i < n; i++) { s = s sprintf(" %02x", v % 256); v = int(v / 256) } return s }
		{ k = le($1, 8)
		  print "map delete pinned " pin "/limits key hex" k
		  print "map delete pinned " pin "/usage key hex" k }' > "$RAW/unbatch"
	bpftool batch file "$RAW/unbatch" > /dev/null
}
map_entries() { bpftool -j map dump pinned "$PIN/$1" 2>/dev/null | jq length; }

if want scale; then
	say "2. Scale: fork cost with many limited cgroups installed (pidguard flag)"
	S=$TOP/s
	mkdir -p "$S/loop"
	t0=$(date +%s.%N)
	# One mkdir process for all of them (a process per cgroup costs ~6 ms).
	NFULL=$((16384 - 384))
	[ "$QUICK" = 1 ] && NFULL=$((SCALE * 2))
	(cd "$S" && seq 0 $((NFULL - 1)) | sed 's/^/c/' | xargs mkdir)
	t1=$(date +%s.%N)
	note "created $NFULL empty cgroups under $S in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
	pg_run --mode flag --limit "$S/loop=1000000" || die "cannot load pidguard"
	MAXC=$(bpftool -j map show pinned "$PIN/limits" | jq -r .max_entries)
	LVL=$(awk -F/ '{ print NF - 1 }' <<< "${S#"$CG2"}/c0")
	# What one `pidguard limit` costs (process, open, seeding pass).
	K=50
	[ "$QUICK" = 1 ] && K=20
	t0=$(date +%s.%N)
	for i in $(seq 0 $((K - 1))); do "$PG" limit "$S/c$i" 1000000 > /dev/null || break; done
	t1=$(date +%s.%N)
	PER_LIMIT_MS=$(awk -v a="$t0" -v b="$t1" -v k="$K" 'BEGIN { printf "%.1f", (b - a) * 1000 / k }')
	note "\`pidguard limit PATH N\`: $PER_LIMIT_MS ms per cgroup ($K timed): $(awk -v m="$PER_LIMIT_MS" -v n="$SCALE" 'BEGIN { printf "%.0f", m * n / 1000 }') s for $SCALE; the rest go in through bpftool batch (no bulk path in the loader)"
	bulk_unlimit "$K" "$S"
	LEVELS="1 $SCALE $NFULL"
	cur=1
	set_level() {	# install limits until there are $1 (the loop counts as 1)
		local want=$1
		if [ "$want" -gt "$cur" ]; then
			bulk_limits $((want - 1)) "$S" 1000000 "$LVL"
		elif [ "$want" -lt "$cur" ]; then
			bulk_unlimit $((cur - 1)) "$S"
		fi
		cur=$want
	}
	t0=$(date +%s.%N)
	set_level "$SCALE"
	t1=$(date +%s.%N)
	note "bpftool batch: $SCALE limits installed in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; limits map holds $(map_entries limits) of $MAXC"
	set_level 1
	for r in $(seq 1 "$ROUNDS"); do
		for n in $LEVELS; do
			set_level "$n"
			for wl in fork:--workers=1 fork:--per-cpu thread:--workers=1; do
				v=$(run_wl "$wl" "$S/loop" ${PIDS1:+"$PIDS1"})
				echo "$r $n $wl $v" >> "$RAW/scale.txt"
			done
		done
		pg_check_ours "scale round $r"
		printf '   round %d/%d done\n' "$r" "$ROUNDS"
	done
	printf '   %-42s %s\n' "workload / limited cgroups" "ratio to 1 limited cgroup: median [min-max]"
	for wl in fork:--workers=1 fork:--per-cpu thread:--workers=1; do
		printf '   %s\n' "$(wl_name "$wl")"
		for n in $LEVELS; do
			[ "$n" = 1 ] && continue
			awk -v w="$wl" -v n="$n" '
				$3 == w && $2 == 1 { a[$1] = $4 }
				$3 == w && $2 == n { x[$1] = $4 }
				END { for (r in x) if (a[r] > 0) print x[r] / a[r] }' "$RAW/scale.txt" | stats |
				awk -v n="$n" '{ printf "     %6d limited cgroups: %.3f [%.3f-%.3f]\n", n, $1, $2, $3 }'
		done
	done
	for n in $LEVELS; do
		set_level "$n"
		note "BPF run time per fork with $n limited cgroups:"
		bpf_cost fork "$S/loop" "$PIDS1"
	done
	set_level "$SCALE"
	note "map memory (bpftool map show, bytes_memlock; hash maps are preallocated: the cost is the same at 1 or $MAXC entries):"
	for m in "$PIN"/*; do
		case ${m##*/} in link_*|prog_*) continue;; esac
		bpftool -j map show pinned "$m" 2>/dev/null | jq -r '"\(.name) \(.type) \(.max_entries) \(.bytes_memlock)"'
	done > "$RAW/maps.txt"
	awk '{ printf "      %-14s %-14s max_entries %7d  %9.1f KiB\n", $1, $2, $3, $4 / 1024; tot += $4 }
	     END { printf "      all maps: %.1f MiB\n", tot / 1048576 }' "$RAW/maps.txt"
	awk -v n="$SCALE" -v maxc="$MAXC" '$1 == "limits" || $1 == "usage" { lu += $4 } { tot += $4 }
		END { printf "      limits+usage per limited cgroup: %.0f bytes at capacity (%d), %.0f bytes at %d; all maps per cgroup at %d: %.0f bytes\n",
			lu / maxc, maxc, lu / n, n, n, tot / n }' "$RAW/maps.txt"
	rec_bytes=$(bpftool -j map show pinned "$PIN/task_records" 2>/dev/null | jq -r '.bytes_value')
	note "task_records (in all maps) holds the charge records of up to 32768 tasks in limited cgroups; past that, task storage: one pg_task ($rec_bytes bytes + local-storage overhead) per task, freed with it"
	note "reproduce: PG_BENCH_ONLY=scale make bench"
	pg_unload
	cg_remove_tree "$S"
fi

# ======================================================================
# 3. Fork bomb containment
# ======================================================================
if want bomb; then
	say "3. Fork bomb containment: limit 25, forker bomb for 2000 ms, median of $BOMB_REPS"
	BOMB_MS=2000
	LIM=25
	mkdir -p "$TOP/probe"
	# The probe: a process outside the bomb's cgroup forking every 2 ms.
	probe() { "$FL" --cgroup "$TOP/probe" --op fork --lat --interval-us 2000 --duration-ms "$1" --warmup-ms 0; }
	bomb_once() {	# CFG REAP N
		local cfg=$1 reap=$2 i=$3 bcg meter reapflag=
		[ "$reap" = reap ] && reapflag=--reap
		bcg=$TOP/bomb-$cfg-$reap-$i
		mkdir -p "$bcg"
		# The meter's cgroup: a v1 twin the bomb joins too, or its own.
		local m1=$TOP1/bomb-$cfg-$reap-$i join=()
		if [ "$BOMB_V2" = 1 ]; then
			m1=$bcg
		else
			mkdir -p "$m1"
			join=(--cgroup "$m1")
		fi
		if [ "$cfg" = pidsmax ]; then
			echo "$LIM" > "$m1/pids.max"
		else
			# A meter that counts like pids.max, and a safety net.
			echo 2000 > "$m1/pids.max"
			"$PG" limit "$bcg" "$LIM" > /dev/null
		fi
		meter=$m1/pids.current
		local rest during out
		rest=$(probe 1500)
		probe $((BOMB_MS + 500)) > "$RAW/probe.during" &
		local ppid=$!
		out=$("$BW" --meter "$meter" --limit "$LIM" --deadline-ms "$BOMB_MS" --interval-us 200 --timeout-ms 30000 -- \
			"$FORKER" --cgroup "$bcg" "${join[@]}" bomb --duration-ms "$BOMB_MS" --hold-ms 500 --max 5000 $reapflag)
		wait "$ppid"
		during=$(cat "$RAW/probe.during")
		sleep 1.5	# let the loader report the suppressions
		local st lost
		st=$(pg_status)
		local pgpeak killed flagged denied supp evs
		if [ "$cfg" != pidsmax ]; then
			pgpeak=$(jq -r --arg p "${bcg#"$CG2"}" '.cgroups[] | select(.path == $p) | .peak' <<< "$st")
			killed=$(jq -r --arg p "${bcg#"$CG2"}" '.cgroups[] | select(.path == $p) | .killed' <<< "$st")
			flagged=$(jq -r --arg p "${bcg#"$CG2"}" '.cgroups[] | select(.path == $p) | .flagged' <<< "$st")
			supp=$(jq -r --arg p "${bcg#"$CG2"}" '.cgroups[] | select(.path == $p) | .events_suppressed' <<< "$st")
			lost=$(jq -r '.stats.events_lost' <<< "$st")
			evs=$(grep -c "\"cgroup\":\"${bcg#"$CG2"}\"" "$PG_EV" | tr -d ' ')
			evs_ev=$(grep "\"cgroup\":\"${bcg#"$CG2"}\"" "$PG_EV" | grep -vc '"kind":"suppressed"' | tr -d ' ')
			"$PG" limit "$bcg" none > /dev/null
		else
			pgpeak=-; killed=0; flagged=0; supp=-; lost=-; evs_ev=-
		fi
		denied=$(kv forks_eagain <<< "$out")
		echo "$cfg $reap $i peak=$(kv peak <<< "$out") pgpeak=$pgpeak held_ms=$(kv held_ms <<< "$out") held=$(kv held <<< "$out") first_ms=$(kv first_at_limit_ms <<< "$out") denied=$denied killed=$killed flagged=$flagged events=$evs_ev suppressed=$supp lost=$lost forks_ok=$(kv forks_ok <<< "$out") rest_p50=$(kv p50_ns <<< "$rest") during_p50=$(kv p50_ns <<< "$during") rest_p99=$(kv p99_ns <<< "$rest") during_p99=$(kv p99_ns <<< "$during")" >> "$RAW/bomb.txt"
		cg_remove_tree "$bcg"
		[ "$BOMB_V2" = 1 ] || cg_remove_tree "$m1"
	}
	# The meter counts as pids.max does, and pids.max 2000 is a safety net
	# (flag mode contains nothing): v1 pids where the host has it, else
	# cgroup v2's own pids controller (the VM's guest, a pure v2 host).
	BOMB_V2=0 PIDSMAX_NAME="v1 pids.max"
	if [ -z "$TOP1" ] && grep -qw pids "$TOP/cgroup.controllers" 2>/dev/null &&
	   echo +pids > "$TOP/cgroup.subtree_control" 2>/dev/null; then
		BOMB_V2=1 PIDSMAX_NAME="v2 pids.max"
	fi
	if [ -z "$TOP1" ] && [ "$BOMB_V2" = 0 ]; then
		note "skipped: the bomb's meter is pids.current, and there is no v1 pids hierarchy nor a cgroup v2 pids controller"
	else
		probe_modes "$TOP/probe"
		for mode in kill deny flag userspace; do
			case $mode in
			userspace) has_mode flag || continue; run_args=(--mode flag --enforce-in-userspace);;
			*) has_mode "$mode" || continue; run_args=(--mode "$mode");;
			esac
			# A fresh instance each: deny's programs are adopted by no other mode.
			pg_unload
			pg_run "${run_args[@]}" --json || continue
			for reap in noreap reap; do
				for i in $(seq 1 "$BOMB_REPS"); do bomb_once "$mode" "$reap" "$i"; done
			done
		done
		pg_unload
		for reap in noreap reap; do
			for i in $(seq 1 "$BOMB_REPS"); do bomb_once pidsmax "$reap" "$i"; done
		done
		printf '   %-22s %5s %5s %6s %9s %9s %7s %7s %7s %7s %5s %10s %10s\n' config peak pgpk overshoot held_ms forks_ok denied killed events suppr lost "lat_p50 x" "lat_p99 x"
		for cfg in kill deny userspace flag pidsmax; do
			for reap in noreap reap; do
				grep "^$cfg $reap " "$RAW/bomb.txt" > "$RAW/bomb.sel" || continue
				med() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$RAW/bomb.sel" | grep -v '^-$' | grep . | stats | awk '{ print ($1 == "nan" ? "-" : sprintf("%.0f", $1)) }'; }
				ratio() { awk -v a="$1" -v b="$2" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } if (f[a] > 0) print f[b] / f[a] }' "$RAW/bomb.sel" | stats | cut -d' ' -f1; }
				name=$cfg
				[ "$cfg" = kill ] && name="pidguard kill"
				[ "$cfg" = deny ] && name="pidguard deny"
				[ "$cfg" = flag ] && name="pidguard flag"
				[ "$cfg" = userspace ] && name="flag+userspace"
				[ "$cfg" = pidsmax ] && name=$PIDSMAX_NAME
				pk=$(med peak)
				printf '   %-22s %5s %5s %6s %9s %9s %7s %7s %7s %7s %5s %10.2f %10.2f\n' "$name, $reap" "$pk" "$(med pgpeak)" "$(awk -v p="$pk" -v l="$LIM" 'BEGIN { print (p > l ? p - l : 0) }')" \
					"$(med held_ms)" "$(med forks_ok)" "$(med denied)" "$(awk -v k="$(med killed)" -v f="$(med flagged)" 'BEGIN { print k + f }')" "$(med events)" "$(med suppressed)" "$(med lost)" \
					"$(ratio rest_p50 during_p50)" "$(ratio rest_p99 during_p99)"
			done
		done
		note "peak: sampled ${PIDSMAX_NAME%.max}.current every 200 us (a lower bound); pgpk: pidguard's exact usage.peak"
		note "held_ms: from the bomb's start until the count stays <= 25 for good (the bomb forks for 2000 ms)"
		note "killed column: killed (kill mode) or flagged (flag modes) forks; denied: forks that failed with EAGAIN"
		note "flag+userspace: --mode flag --enforce-in-userspace, the loader trims (what 6.1 without the BPF LSM has)"
		note "lat x: fork latency of a process outside the cgroup during the bomb / at rest (p50, p99)"
		note "flag mode does not contain anything: its bomb is capped by forker --max 5000 and a pids.max=2000 safety net"
		note_missing_modes
		meter_cg="PIDS1/X" join_cg=" --cgroup PIDS1/X"
		[ "$BOMB_V2" = 1 ] && meter_cg=CG join_cg=
		note "reproduce: PG_BENCH_ONLY=bomb make bench; one run: $BW --meter $meter_cg/pids.current --limit 25 -- $FORKER --cgroup CG$join_cg bomb --duration-ms 2000 --hold-ms 500 --max 5000 [--reap]"
	fi
fi

# ======================================================================
# 4. Event pipeline
# ======================================================================
proc_cpu_ms() { awk '{ sub(/.*\) /, ""); split($0, f, " "); printf "%.0f\n", (f[12] + f[13]) * 1000 / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }
proc_rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
proc_hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }

if want events; then
	say "4. Event pipeline: over-limit forks at full speed ($NCPU workers), pidguard flag, loader printing JSON to a file"
	E=$TOP/ev
	mkdir -p "$E/one"
	NSPREAD=1000
	(cd "$E" && seq 0 $((NSPREAD - 1)) | sed 's/^/s/' | xargs mkdir)
	printf '   %-46s %9s %9s %8s %9s %6s %9s %8s %8s\n' configuration forks forks/s events ev/s lost suppressed "cpu ms" "rss KiB"
	ev_run() {	# NAME EPS KIND
		local name=$1 eps=$2 kind=$3 out
		pg_run --mode flag --json --events-per-sec "$eps" --limit "$E/one=1" || return
		if [ "$kind" = spread ]; then
			bulk_limits_spread
		fi
		local lost0 cpu0 t0 t1
		lost0=$(pg_status | jq -r .stats.events_lost)
		cpu0=$(proc_cpu_ms "$PGPID")
		t0=$(date +%s.%N)
		if [ "$kind" = spread ]; then
			out=$("$FL" --op fork --workers 1 --duration-ms "$EV_MS" --warmup-ms 0 --into-fmt "$E/s%ld" --into-count "$NSPREAD" --into-prime)
		else
			out=$("$FL" --cgroup "$E/one" --op fork --per-cpu --duration-ms "$EV_MS" --warmup-ms 0)
		fi
		t1=$(date +%s.%N)
		sleep 2	# let the loader drain and report suppressions
		local st lost supp cpu1 rss evs ops
		st=$(pg_status)
		lost=$(( $(jq -r .stats.events_lost <<< "$st") - lost0 ))
		supp=$(jq '[.cgroups[].events_suppressed] | add' <<< "$st")
		cpu1=$(proc_cpu_ms "$PGPID")
		rss=$(proc_hwm_kb "$PGPID")
		evs=$(grep -vc '"kind":"suppressed"' "$PG_EV" | tr -d ' ')
		ops=$(kv ops <<< "$out")
		printf '   %-46s %9d %9.0f %8d %9.0f %6d %9d %8d %8d\n' "$name" "$ops" \
			"$(awk -v o="$ops" -v a="$t0" -v b="$t1" 'BEGIN { print o / (b - a) }')" "$evs" \
			"$(awk -v o="$evs" -v a="$t0" -v b="$t1" 'BEGIN { print o / (b - a) }')" "$lost" "$supp" $((cpu1 - cpu0)) "$rss"
		pg_unload
	}
	bulk_limits_spread() {
		local lvl
		lvl=$(awk -F/ '{ print NF - 1 }' <<< "${E#"$CG2"}/s0")
		"$PG" limit "$E/s0" 1 > /dev/null	# enables the level
		seq 1 $((NSPREAD - 1)) | sed "s|^|$E/s|" | xargs stat -c %i | awk -v lvl="$lvl" -v pin="$PIN" '
			function le(v, n,   s, i) { s = ""; for (i = 0; i < n; i++) { s = s sprintf(" %02x", v % 256); v = int(v / 256) } return s }
			BEGIN { z = ""; for (i = 0; i < 104; i++) z = z " 00" }
			{ k = le($1, 8)
			  print "map update pinned " pin "/usage key hex" k " value hex" z
			  print "map update pinned " pin "/limits key hex" k " value hex" le(1, 4) le(1, 4) le(lvl, 4) le(0, 4) }' > "$RAW/batch"
		bpftool batch file "$RAW/batch" > /dev/null
	}
	ev_run "1 cgroup, limit 1, rate limit 20/s (default)" 20 one
	ev_run "1 cgroup, limit 1, no rate limit" 0 one
	ev_run "$NSPREAD cgroups, limit 1, 20/s each (clone3)" 20 spread
	note "every fork is over the limit; events = lines printed (not counting suppressed summaries); cpu ms = loader utime+stime during the run and the 2 s drain"
	note "the spread run forks from one process with clone3(CLONE_INTO_CGROUP) into $NSPREAD cgroups, each holding one zombie (limit 1)"
	note "reproduce: PG_BENCH_ONLY=events make bench"
fi

# ======================================================================
# 5. Loader at rest
# ======================================================================
if want rest; then
	say "5. Loader at rest: 1000 limited cgroups, no events, ${REST_S} s"
	R=$TOP/rest
	mkdir -p "$R"
	(cd "$R" && seq 0 999 | sed 's/^/c/' | xargs mkdir)
	pg_run --mode flag --limit "$R/c0=1000" || die "cannot load pidguard"
	LVL=$(awk -F/ '{ print NF - 1 }' <<< "${R#"$CG2"}/c0")
	bulk_limits 1000 "$R" 1000 "$LVL"
	# A fresh loader that adopts the 1000 limits, as after a restart.
	pg_detach
	pg_run --mode flag || die "cannot adopt"
	sleep 2
	cpu0=$(proc_cpu_ms "$PGPID")
	rss0=$(proc_rss_kb "$PGPID")
	sleep "$REST_S"
	cpu1=$(proc_cpu_ms "$PGPID")
	rss1=$(proc_rss_kb "$PGPID")
	hwm=$(proc_hwm_kb "$PGPID")
	note "limits installed: $(map_entries limits)"
	note "loader CPU: $((cpu1 - cpu0)) ms in $REST_S s = $(awk -v c=$((cpu1 - cpu0)) -v s="$REST_S" 'BEGIN { printf "%.1f", c * 3600 / s / 1000 }') CPU-seconds per hour"
	note "loader RSS: ${rss0} KiB after start, ${rss1} KiB after ${REST_S} s (high-water mark ${hwm} KiB)"
	note "reproduce: PG_BENCH_ONLY=rest make bench"
	pg_unload
	cg_remove_tree "$R"
fi

echo
echo "bench: done in $(( $(date +%s) - T_START )) s"
exit 0
