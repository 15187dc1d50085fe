#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Operators read live state with plain bpftool: the pinned maps carry BTF,
# so `bpftool map dump pinned /sys/fs/bpf/pidguard/usage` prints named
# fields, and their values agree with `pidguard status`; the links pinned
# are those of the reap hook run chose.
. "$(dirname "$0")/lib.sh"
pg_setup bpftool

name=bpftool-named-fields
if [ -z "$BPFTOOL" ]; then
	skip "$name" "bpftool not installed"
	exit 0
fi
X=$(cg_make x) || { notok "$name" "cannot create cgroups under $CG2"; exit 1; }
RX=$(cg_rel "$X")
if ! pg_run --limit "$RX=25"; then
	notok "$name" "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
pg_forker "$T/s.out" --cgroup "$X" spawn 3 --hold-ms 3000; P=$BG_PID
pg_wait_phase "$T/s.out" ready 5000 "$P"
expect_exact "$name" "$RX" "$X" 0 "4 tasks" || exit 1
id=$(st "$RX" cgroup_id)

"$BPFTOOL" map dump pinned "$PIN_DIR/usage" > "$T/usage.txt" 2> "$T/usage.err"
rc=$?
if [ $rc != 0 ]; then
	notok "$name" "bpftool map dump pinned $PIN_DIR/usage exited $rc: $(head -c 300 "$T/usage.err")"
	exit 1
fi
missing=
for f in current peak forks denied killed flagged migrated_in dying warnings events_suppressed; do
	grep -q "\"$f\"" "$T/usage.txt" || missing="$missing $f"
done
if [ -n "$missing" ]; then
	notok "$name" "usage dump lacks named fields:$missing (first lines: $(head -n 5 "$T/usage.txt" | tr '\n' ' '))"
	exit 1
fi
# The entry of our cgroup (JSON dump: key is the cgroup id) shows current=4.
"$BPFTOOL" -j map dump pinned "$PIN_DIR/usage" 2>/dev/null | tr -d '\n ' | sed 's/},{"key"/}\
{"key"/g' > "$T/usage.json"
cur=$(grep -e "\"key\":${id}[,}]" "$T/usage.json" | sed -n 's/.*"current":\(-\{0,1\}[0-9]*\).*/\1/p')
if [ -z "$cur" ]; then
	# the key may be printed as bytes ("0x2c", ...) without BTF for the key
	note "no usage entry keyed $id in the -j dump: $(head -c 300 "$T/usage.json")"
	notok "$name" "cannot find cgroup id $id in the usage dump"
	exit 1
fi
expect_eq "$name" "current in the bpftool dump (status: $GOT_CUR)" "$cur" 4 || exit 1
"$BPFTOOL" map dump pinned "$PIN_DIR/limits" > "$T/limits.txt" 2>&1
grep -q '"max"' "$T/limits.txt" || { notok "$name" "limits dump lacks the named field max: $(head -n 5 "$T/limits.txt" | tr '\n' ' ')"; exit 1; }
ok "$name"

# The reap hook run chose is the one pinned, and only it:
# fentry/release_task (link_task_release) where trampolines load, else
# none at all (the zombie index finds reaped zombies at the limit). Never a
# syscall tracepoint: each would put every syscall on the host on the
# kernel's slow path. PG_REAP_EXPECT (set by the VM harness) names the one
# due.
name=bpftool-reap-hook-pinned
rel_of() { if [ "$1" = release_task ]; then echo 1; else echo 0; fi; }
rel=0
[ -e "$PIN_DIR/link_task_release" ] && rel=1
said=$(sed -n 's/^pidguard: reaps seen at \(release_task\|a check at the limit\).*/\1/p' "$T/run.err")
# Every pinned link's tracepoint or program, from bpftool: none may be a
# syscall's (perf_event links to syscalls:*, or raw sys_enter/sys_exit).
sys=""
for l in "$PIN_DIR"/link_*; do
	info=$("$BPFTOOL" link show pinned "$l" 2>/dev/null | tr '\n' ' ')
	case "$info" in
	*perf_event* | *sys_enter* | *sys_exit*) sys="$sys ${l##*/}" ;;
	esac
done
if [ -n "$sys" ]; then
	notok "$name" "a syscall tracepoint is hooked:$sys"
elif [ -n "$said" ] && [ "$(rel_of "$said")" != $rel ]; then
	notok "$name" "run said '$said', pinned link_task_release $rel"
elif [ -n "${PG_REAP_EXPECT:-}" ] && [ "$(rel_of "$PG_REAP_EXPECT")" != $rel ]; then
	notok "$name" "expected reaps at $PG_REAP_EXPECT, pinned link_task_release $rel"
else
	[ -z "$said" ] && note "$name: run adopted pinned state: no reap line to compare"
	note "$name: link_task_release $rel, no syscall tracepoint among $(ls -d "$PIN_DIR"/link_* | wc -l) links${said:+ (run: $said)}"
	ok "$name"
fi
