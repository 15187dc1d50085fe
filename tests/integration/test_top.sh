#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Duplicate detection: a known set of commands in a cgroup (7 x sleep 300,
# 3 shells each running one sleep 301, 1 cat blocked on a fifo, from copies
# of the binaries with distinctive names) comes out of `top -j` as exactly
# those groups and counts, duplicates first; the text form fits 80
# columns; `status --detail` shows the top group under the row; and in flag
# mode an over_limit event carries "top_group" with the command and count.
. "$(dirname "$0")/lib.sh"
pg_setup top

CG=$(cg_make top) || { notok top "cannot create a cgroup under $CG2"; exit 1; }
RCG=$(cg_rel "$CG")
SLEEP="$T/pgtop-sleep" SH="$T/pgtop-sh" CAT="$T/pgtop-cat"
if ! cp "$(command -v sleep)" "$SLEEP" || ! cp "$(command -v sh)" "$SH" ||
	! cp "$(command -v cat)" "$CAT" || ! mkfifo "$T/fifo"; then
	notok top "cannot copy sleep, sh and cat into $T"
	exit 1
fi
# A busybox build has one binary for all three: the exe would not tell them apart.
if cmp -s "$SLEEP" "$CAT"; then
	skip top "sleep and cat are the same binary (busybox): groups by exe are ambiguous"
	exit 0
fi

# inside CMD...: run CMD in the cgroup (the wrapper moves itself in, then execs).
inside() {
	pg_bg "$T/bg.out" sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" "$@"
}

# procs_in N: wait up to 5 s until the cgroup holds N processes.
procs_in() {
	_end=$(( $(now_ms) + 5000 * PG_SCALE ))
	while [ "$(cg_procs "$CG" | wc -l | tr -d ' ')" != "$1" ]; do
		[ "$(now_ms)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

if ! pg_run --mode flag --limit "$RCG=3" --events-per-sec 0 --json; then
	notok top "pidguard run --mode flag did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
for _i in 1 2 3 4 5 6 7; do inside "$SLEEP" 300; done
inside "$CAT" "$T/fifo"
procs_in 8 || { notok top "the 8 first processes never joined $RCG: $(cg_procs "$CG" | wc -l)"; exit 1; }
# The shells fork their sleep inside the full cgroup: over_limit events, whose
# top group is then the 7 sleeps (whatever the shells' progress).
for _i in 1 2 3; do inside "$SH" -c "$SLEEP 301; :"; done
procs_in 14 || { notok top "the shells and their sleeps never joined $RCG: $(cg_procs "$CG" | wc -l)"; exit 1; }

name=top-json-groups
"$PG" top -j "$RCG" > "$T/top.json" 2> "$T/top.err"; rc=$?
sed 's#\\/#/#g; s/"[[:space:]]*:[[:space:]]*/":/g' "$T/top.json" | tr '{' '\n' |
	sed -n 's/.*"cmdline":"\([^"]*\)","count":\([0-9]*\).*/\2 \1/p' > "$T/groups"
sort > "$T/want" <<EOF
7 $SLEEP 300
3 $SH -c $SLEEP 301; :
3 $SLEEP 301
1 $CAT $T/fifo
EOF
if [ "$rc" != 0 ]; then
	notok "$name" "top -j exited $rc: $(head -c 300 "$T/top.err")"
elif ! sort "$T/groups" | cmp -s - "$T/want"; then
	notok "$name" "groups differ: $(tr '\n' '|' < "$T/groups" | cut -c1-400)"
elif [ "$(head -n 1 "$T/groups")" != "7 $SLEEP 300" ] ||
	[ "$(cut -d' ' -f1 "$T/groups" | tr '\n' ' ')" != "7 3 3 1 " ]; then
	notok "$name" "not duplicates first: $(tr '\n' '|' < "$T/groups" | cut -c1-400)"
elif ! sed 's#\\/#/#g; s/"[[:space:]]*:[[:space:]]*/":/g' "$T/top.json" |
	grep -q -F -e "\"exe\":\"$SLEEP\",\"cmdline\":\"$SLEEP 300\",\"count\":7,"; then
	notok "$name" "no exe $SLEEP for the sleeps: $(head -c 300 "$T/top.json")"
elif ! grep -q '"processes" *: *14[,}]' "$T/top.json" || ! grep -q '"limit" *: *3[,}]' "$T/top.json"; then
	notok "$name" "processes 14 and limit 3 not in: $(head -c 300 "$T/top.json")"
else
	ok "$name"
fi

name=top-text-80-columns
"$PG" top "$RCG" > "$T/top.txt" 2> "$T/top.txt.err"; rc=$?
wide=$(awk 'length > 80' "$T/top.txt" | head -n 1)
row=$(grep -n -e '^ *7  .*pgtop-sleep 300' "$T/top.txt" | head -n 1 | cut -d: -f1)
if [ "$rc" != 0 ]; then
	notok "$name" "top exited $rc: $(head -c 300 "$T/top.txt.err")"
elif [ -n "$wide" ]; then
	notok "$name" "a line over 80 columns: $wide"
elif [ -z "$row" ] || ! sed -n "$((row - 1))p" "$T/top.txt" | grep -q '^COUNT'; then
	notok "$name" "the 7 sleeps are not the first row: $(tr '\n' '|' < "$T/top.txt" | cut -c1-400)"
elif ! grep -q "14 processes" "$T/top.txt" || ! grep -q "pidguard: 14 tasks, limit 3" "$T/top.txt"; then
	notok "$name" "header without 14 processes, 14 tasks, limit 3: $(head -n 2 "$T/top.txt" | tr '\n' '|')"
else
	ok "$name"
fi

name=top-groups-option
"$PG" top --groups 1 "$RCG" > "$T/top1.txt" 2>&1
if [ "$(grep -c 'pgtop-' "$T/top1.txt")" = 1 ] && grep -q '^\.\.\. 3 more groups, 7 processes' "$T/top1.txt"; then
	ok "$name"
else
	notok "$name" "--groups 1: $(tr '\n' '|' < "$T/top1.txt" | cut -c1-300)"
fi

name=status-detail
"$PG" status --detail > "$T/detail.txt" 2> "$T/detail.err"; rc=$?
"$PG" status --detail -j > "$T/detail.json" 2>> "$T/detail.err"
row=$(grep -n -e "^$RCG " "$T/detail.txt" | head -n 1 | cut -d: -f1)
if [ "$rc" != 0 ] || [ -z "$row" ]; then
	notok "$name" "status --detail (rc=$rc) has no row $RCG: $(head -c 300 "$T/detail.txt")"
elif ! sed -n "$((row + 1))p" "$T/detail.txt" | grep -q -e '^ *7  .*pgtop-sleep 300'; then
	notok "$name" "no '7 ... sleep 300' under the row: $(sed -n "$row,$((row + 3))p" "$T/detail.txt" | tr '\n' '|')"
elif [ -n "$(awk 'length > 80' "$T/detail.txt")" ]; then
	notok "$name" "a line over 80 columns: $(awk 'length > 80' "$T/detail.txt" | head -n 1)"
elif ! grep -q '"top_groups" *: *\[ *{' "$T/detail.json"; then
	notok "$name" "no top_groups in -j: $(head -c 300 "$T/detail.json")"
else
	ok "$name"
fi

name=event-top-group
ev_norm
want="\"top_group\":{\"exe\":\"$SLEEP\",\"cmdline\":\"$SLEEP 300\",\"count\":7}"
n=$(grep -e '"kind":"over_limit"' "$T/events" | grep -c -F -e "$want" | tr -d ' ')
if [ "$(ev_count "$RCG" over_limit)" -lt 3 ]; then
	notok "$name" "fewer than 3 over_limit events: $(head -c 400 "$T/events")"
elif [ "$n" -lt 1 ]; then
	notok "$name" "no over_limit event with $want: $(grep over_limit "$T/events" | head -n 1 | cut -c1-400)"
elif grep -e '"kind":"migrated"' "$T/events" | grep -q top_group; then
	notok "$name" "a migrated event carries top_group"
else
	ok "$name"
fi

exit $PG_FAILED
