#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `pidguard status` as an operator reads it: real cgroups at different
# pressures come out highest pressure first, the unlimited one last, every
# line within 80 columns, a Docker-like 64-hex path shortened (in full in
# -j); `status --watch=1` redraws at least twice in ~3 s and exits 0 on
# SIGINT; `-j --watch=1` prints one JSON object per refresh and line, and
# exits 0 on SIGTERM; a watch whose pidguard is stopped says so and exits 1.
. "$(dirname "$0")/lib.sh"
pg_setup status

HEX=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
HI=$(cg_make hi) && MID=$(cg_make mid) && LO=$(cg_make lo) && FREE=$(cg_make free) &&
	cg_make docker > /dev/null && ID=$(cg_make "docker/$HEX") || { notok status "cannot create cgroups under $CG2"; exit 1; }
RHI=$(cg_rel "$HI"); RMID=$(cg_rel "$MID"); RLO=$(cg_rel "$LO"); RFREE=$(cg_rel "$FREE")
RID=$(cg_rel "$ID")
# 3/4 = 75%, 3/10 = 30%, 2/40 = 5%, 0/50 = 0%, and 2 with no limit.
if ! pg_run --limit "$RHI=4" --limit "$RMID=10" --limit "$RLO=40" --limit "$RID=50" \
	    --limit "$RFREE=none"; then
	notok status "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
HOLD=60000
pg_forker "$T/hi.out" --cgroup "$HI" spawn 2 --hold-ms $HOLD; PHI=$BG_PID
pg_forker "$T/mid.out" --cgroup "$MID" spawn 2 --hold-ms $HOLD; PMID=$BG_PID
pg_forker "$T/lo.out" --cgroup "$LO" spawn 1 --hold-ms $HOLD; PLO=$BG_PID
pg_forker "$T/free.out" --cgroup "$FREE" spawn 1 --hold-ms $HOLD; PFREE=$BG_PID
for _p in "$PHI:$T/hi.out" "$PMID:$T/mid.out" "$PLO:$T/lo.out" "$PFREE:$T/free.out"; do
	if ! pg_wait_phase "${_p#*:}" ready 10000 "${_p%%:*}"; then
		notok status "a forker never got ready: $(tr '\n' ' ' < "${_p#*:}" | cut -c1-200)"
		exit 1
	fi
done
good=1
expect_exact status "$RHI" "$HI" || good=0
[ $good = 1 ] && { expect_exact status "$RMID" "$MID" || good=0; }
[ $good = 1 ] && { expect_exact status "$RLO" "$LO" || good=0; }
[ $good = 1 ] && { expect_exact status "$RFREE" "$FREE" || good=0; }
[ $good = 1 ] || exit 1

name=status-text-order
"$PG" status > "$T/status.txt" 2> "$T/status.txt.err"; rc=$?
# row_line PATTERN: the line number of the first table row matching PATTERN.
row_line() { grep -n -e "$1" "$T/status.txt" | head -n 1 | cut -d: -f1; }
LHI=$(row_line "^$RHI ") LMID=$(row_line "^$RMID ") LLO=$(row_line "^$RLO ")
LID=$(row_line "^$(cg_rel "$CG2/$PFX-docker")/0123456789ab\\.\\.\\. ") LFREE=$(row_line "^$RFREE ")
if [ "$rc" != 0 ]; then
	notok "$name" "status exited $rc: $(head -c 300 "$T/status.txt.err")"
elif [ -z "$LHI" ] || [ -z "$LMID" ] || [ -z "$LLO" ] || [ -z "$LID" ] || [ -z "$LFREE" ]; then
	notok "$name" "rows missing (hi=$LHI mid=$LMID lo=$LLO id=$LID free=$LFREE): $(tr '\n' '|' < "$T/status.txt" | cut -c1-600)"
elif [ "$LHI" -lt "$LMID" ] && [ "$LMID" -lt "$LLO" ] && [ "$LLO" -lt "$LID" ] && [ "$LID" -lt "$LFREE" ]; then
	ok "$name"
else
	notok "$name" "rows not by pressure (hi=$LHI mid=$LMID lo=$LLO id=$LID free=$LFREE): $(tr '\n' '|' < "$T/status.txt" | cut -c1-600)"
fi

name=status-text-columns
# The pressure column: 75% for hi, "-" (and limit none) for the free cgroup.
if ! grep -q -e "^$RHI  *3  *4  *75% " "$T/status.txt"; then
	notok "$name" "no '3 4 75%' in the row of $RHI: $(grep -e "^$RHI " "$T/status.txt")"
elif ! grep -q -e "^$RFREE  *2  *none  *- " "$T/status.txt"; then
	notok "$name" "no '2 none -' in the row of $RFREE: $(grep -e "^$RFREE " "$T/status.txt")"
elif awk 'length($0) > 80 { bad = 1; print NR ": " length($0) " columns: " $0 } END { exit !bad }' \
	"$T/status.txt" > "$T/wide.txt"; then
	notok "$name" "lines over 80 columns: $(head -n 3 "$T/wide.txt" | tr '\n' '|')"
else
	# The full path stays in -j.
	pg_status > /dev/null 2>&1
	expect_eq "$name" "pressure_pct of $RHI in -j" "$(st "$RHI" pressure_pct)" 75 &&
	expect_eq "$name" "pressure_pct of $RFREE in -j" "$(st "$RFREE" pressure_pct)" null &&
	expect_eq "$name" "limit of the full 64-hex path in -j" "$(st "$RID" limit)" 50 &&
	ok "$name"
fi

# watch_run OUT SIG ARGS...: `status ARGS` in the background for ~3 s, then
# SIG; WATCH_RC is its exit status (124 when it had to be killed).
watch_run() {
	_wo=$1 _ws=$2; shift 2
	"$PG" "$@" > "$_wo" 2> "$_wo.err" &
	_wp=$!
	echo "$_wp" >> "$T/bg.pids"
	sleep $((3 * PG_SCALE))
	if pg_alive "$_wp"; then
		kill "-$_ws" "$_wp" 2>/dev/null
		if pg_wait_gone "$_wp" 3000; then
			wait "$_wp"; WATCH_RC=$?
		else
			kill -9 "$_wp" 2>/dev/null; wait "$_wp" 2>/dev/null; WATCH_RC=124
		fi
	else
		wait "$_wp"; WATCH_RC="exited early ($?)"
	fi
}

name=status-watch-text
watch_run "$T/watch.txt" INT status --watch=1
SNAPS=$(grep -c -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z, every 1 s$' "$T/watch.txt")
if [ "$WATCH_RC" != 0 ]; then
	notok "$name" "status --watch=1 after SIGINT: exit $WATCH_RC: $(head -c 300 "$T/watch.txt.err")"
elif [ "$SNAPS" -lt 2 ]; then
	notok "$name" "$SNAPS snapshot(s) in 3 s: $(tr '\n' '|' < "$T/watch.txt" | cut -c1-400)"
elif grep -q "$(printf '\033')" "$T/watch.txt"; then
	notok "$name" "terminal escapes written to a pipe"
elif [ "$(grep -c -e "^$RHI " "$T/watch.txt")" != "$SNAPS" ]; then
	notok "$name" "$SNAPS snapshots but $(grep -c -e "^$RHI " "$T/watch.txt") rows of $RHI"
elif awk 'length($0) > 80 { bad = 1 } END { exit !bad }' "$T/watch.txt"; then
	notok "$name" "lines over 80 columns in the watch output"
else
	note "$SNAPS snapshots"
	ok "$name"
fi

name=status-watch-json
watch_run "$T/watch.json" TERM -j status --watch=1
LINES=$(grep -c . "$T/watch.json")
OBJS=$(grep -c -e '^{"time":"[^"]*",.*"cgroups":\[.*}$' "$T/watch.json")
if [ "$WATCH_RC" != 0 ]; then
	notok "$name" "-j status --watch=1 after SIGTERM: exit $WATCH_RC: $(head -c 300 "$T/watch.json.err")"
elif [ "$LINES" -lt 2 ]; then
	notok "$name" "$LINES line(s) in 3 s: $(head -c 300 "$T/watch.json")"
elif [ "$OBJS" != "$LINES" ]; then
	notok "$name" "$LINES lines, $OBJS JSON status objects with a time: $(head -c 300 "$T/watch.json")"
elif [ "$(grep -c -e "\"path\":\"$RHI\"" "$T/watch.json")" != "$LINES" ]; then
	notok "$name" "not every object has the row of $RHI"
else
	note "$LINES objects"
	ok "$name"
fi

name=status-watch-stopped
"$PG" status --watch=1 > "$T/stopped.txt" 2> "$T/stopped.err" &
WP=$!
echo "$WP" >> "$T/bg.pids"
if ! pg_wait_line "$T/stopped.txt" "^$RHI " 5000 "$WP"; then
	notok "$name" "no first snapshot: $(head -c 300 "$T/stopped.err")"
else
	pg_run_stop
	"$PG" stop > "$T/stop.out" 2>&1
	if pg_wait_gone "$WP" $((3000 + 1000)); then
		wait "$WP"; rc=$?
		if [ "$rc" != 1 ]; then
			notok "$name" "watch exited $rc after pidguard stop, expected 1"
		elif ! grep -q 'stopped' "$T/stopped.err"; then
			notok "$name" "watch did not say pidguard stopped: $(head -c 300 "$T/stopped.err")"
		else
			ok "$name"
		fi
	else
		kill -9 "$WP" 2>/dev/null
		notok "$name" "watch still running 4 s after pidguard stop"
	fi
fi
for _p in $PHI $PMID $PLO $PFREE; do pg_finish "$_p" 5000; done
