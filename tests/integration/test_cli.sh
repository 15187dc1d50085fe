#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The command line: exit status 0/1/2 and messages that name what was wrong;
# status --json; a second run refused; limit live and with only the pinned
# state; SIGINT leaves enforcement pinned; stop removes it.
. "$(dirname "$0")/lib.sh"
pg_setup cli

X=$(cg_make x) || { notok cli "cannot create cgroups under $CG2"; exit 1; }
RX=$(cg_rel "$X")
NOTCG=$(mktemp -d /tmp/pgtest-notcg.XXXXXX)
echo "$NOTCG" >> "$T/notcg"

# expect_exit NAME WANT(e.g. 2 or 12 for "1 or 2") NEEDLE CMD...: run CMD,
# check its exit status and that stderr (or stdout) names NEEDLE.
expect_exit() {
	_n=$1 _want=$2 _needle=$3; shift 3
	"$@" > "$T/cmd.out" 2> "$T/cmd.err" < /dev/null
	_rc=$?
	case "$_want" in
	12) [ "$_rc" = 1 ] || [ "$_rc" = 2 ] || { notok "$_n" "'$*' exited $_rc, expected 1 or 2: $(head -c 200 "$T/cmd.err")"; return 1; } ;;
	*) [ "$_rc" = "$_want" ] || { notok "$_n" "'$*' exited $_rc, expected $_want: $(head -c 200 "$T/cmd.err")"; return 1; } ;;
	esac
	if [ -n "$_needle" ] && ! grep -q -F -e "$_needle" "$T/cmd.err" "$T/cmd.out"; then
		notok "$_n" "'$*' exited $_rc but its message does not name '$_needle': $(head -c 200 "$T/cmd.err")"
		return 1
	fi
	return 0
}

name=cli-status-not-loaded
expect_exit "$name" 1 "" "$PG" status && ok "$name"

name=cli-usage-errors
good=1
expect_exit "$name" 2 "" "$PG" || good=0
expect_exit "$name" 2 "frobnicate" "$PG" frobnicate || good=0
expect_exit "$name" 2 "abc" "$PG" run --limit "$RX=abc" || good=0
expect_exit "$name" 2 "-3" "$PG" run --limit "$RX=-3" || good=0
expect_exit "$name" 2 "99999999999" "$PG" run --limit "$RX=99999999999" || good=0
expect_exit "$name" 2 "bogus" "$PG" run --mode bogus || good=0
expect_exit "$name" 2 "150" "$PG" run --warn 150 || good=0
expect_exit "$name" 2 "12x" "$PG" run --events-per-sec 12x || good=0
expect_exit "$name" 2 "abc" "$PG" limit "$RX" abc || good=0
expect_exit "$name" 2 "" "$PG" limit "$RX" 0 || good=0
expect_exit "$name" 2 "" "$PG" limit "$RX" || good=0
[ $good = 1 ] && ok "$name"

name=cli-run-rejects-non-cgroup
good=1
expect_exit "$name" 12 "$NOTCG" "$PG" run --limit "$NOTCG=5" --duration 1 || good=0
expect_exit "$name" 12 "pgtest-no-such-cgroup" "$PG" run --limit "/pgtest-no-such-cgroup-$$=5" --duration 1 || good=0
[ -d "$PIN_DIR" ] && { notok "$name" "a failed run left $PIN_DIR behind"; good=0; "$PG" stop > /dev/null 2>&1; }
[ $good = 1 ] && ok "$name"

if ! pg_run --limit "$RX=7" --json; then
	notok cli "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	rm -rf "$NOTCG"
	exit 1
fi

name=cli-auto-mode
pg_status >/dev/null 2>&1
note "auto chose $STATUS_MODE; the loader said: $(grep -i mode "$T/run.err" | head -n 2 | tr '\n' ' ')"
if [ -n "${PG_MODE_EXPECT:-}" ]; then
	expect_eq "$name" "mode auto chose" "$STATUS_MODE" "$PG_MODE_EXPECT" && ok "$name"
else
	case "$STATUS_MODE" in
	deny|kill|flag) ok "$name" ;;
	*) notok "$name" "status mode is '$STATUS_MODE'" ;;
	esac
fi

name=cli-status-json
pg_forker "$T/s.out" --cgroup "$X" spawn 2 --hold-ms 20000; H=$BG_PID
pg_wait_phase "$T/s.out" ready 5000 "$H"
pg_status >/dev/null 2>&1
good=1
[ "$STATUS_RC" = 0 ] || { notok "$name" "status --json exited $STATUS_RC"; good=0; }
if [ $good = 1 ]; then
	missing=
	for k in path cgroup_id limit current peak forks denied killed flagged migrated_in dying warnings events_suppressed; do
		st_obj "$RX" | grep -q "\"$k\":" || missing="$missing $k"
	done
	[ -z "$missing" ] || { notok "$name" "the object of $RX lacks:$missing ($(st_obj "$RX"))"; good=0; }
fi
[ $good = 1 ] && { grep -q '"stats":{' "$T/status.norm" && grep -q '"events_lost":' "$T/status.norm" ||
	{ notok "$name" "no stats.events_lost: $(head -c 300 "$T/status.norm")"; good=0; }; }
[ $good = 1 ] && { expect_eq "$name" "limit" "$(st "$RX" limit)" 7 || good=0; }
[ $good = 1 ] && { expect_exact "$name" "$RX" "$X" 0 || good=0; }
[ $good = 1 ] && ok "$name"

name=cli-second-run-refused
"$PG" run --limit "$RX=7" > "$T/run2.out" 2> "$T/run2.err" &
R2=$!
echo "$R2" >> "$T/run.pids"
pg_finish "$R2" 5000
if [ "$FINISH_RC" != 1 ]; then
	notok "$name" "a second run exited $FINISH_RC, expected 1: $(head -c 200 "$T/run2.err")"
elif ! grep -qi -e already -e running -e active "$T/run2.err"; then
	notok "$name" "a second run exited 1 without saying why: $(head -c 200 "$T/run2.err")"
elif ! pg_alive "$RUN_PID"; then
	notok "$name" "the first run died when a second was attempted"
else
	ok "$name"
fi

name=cli-limit-live
good=1
expect_exit "$name" 0 "" "$PG" limit "$RX" 9 || good=0
[ $good = 1 ] && { pg_status >/dev/null 2>&1; expect_eq "$name" "limit after limit $RX 9" "$(st "$RX" limit)" 9 || good=0; }
[ $good = 1 ] && { expect_exit "$name" 0 "" "$PG" limit "$X" none || good=0; }
[ $good = 1 ] && { pg_status >/dev/null 2>&1; expect_eq "$name" "limit after limit $X none" "$(st "$RX" limit)" null || good=0; }
[ $good = 1 ] && { expect_exact "$name" "$RX" "$X" 0 "after limit changes" || good=0; }
[ $good = 1 ] && { expect_exit "$name" 12 "$NOTCG" "$PG" limit "$NOTCG" 5 || good=0; }
[ $good = 1 ] && { expect_exit "$name" 12 "pgtest-no-such" "$PG" limit "/pgtest-no-such-$$" 5 || good=0; }
[ $good = 1 ] && ok "$name"

name=cli-sigint-keeps-enforcement
pg_run_stop INT
good=1
expect_eq "$name" "exit status of run after SIGINT" "$STOP_RC" 0 || good=0
[ $good = 1 ] && { [ -d "$PIN_DIR" ] || { notok "$name" "$PIN_DIR is gone after SIGINT"; good=0; }; }
[ $good = 1 ] && { pg_status >/dev/null 2>&1; expect_eq "$name" "status exit with only the pinned state" "$STATUS_RC" 0 || good=0; }
# limit with only the pinned state, then a fork past it is acted on.
[ $good = 1 ] && { expect_exit "$name" 0 "" "$PG" limit "$RX" 4 || good=0; }
if [ $good = 1 ]; then
	pg_status >/dev/null 2>&1
	mode=$STATUS_MODE
	before=$(st_sum "$RX" killed denied flagged)
	# The holder has 3 tasks; a polite parent makes 4 (the limit) and forks
	# 3 times past it, reaping each child before the next fork.
	pg_forker "$T/e.out" --cgroup "$X" polite --forks 3 --hold-ms 100; P=$BG_PID
	pg_finish "$P" 8000
	pg_status >/dev/null 2>&1
	after=$(st_sum "$RX" killed denied flagged)
	case "$mode" in
	kill) expect_eq "$name" "children killed past the limit" "$(kv "$T/e.out" child_killed)" 3 || good=0 ;;
	deny) expect_eq "$name" "forks denied past the limit" "$(kv "$T/e.out" forks_failed)" 3 || good=0 ;;
	esac
	[ $good = 1 ] && { expect_eq "$name" "the polite parent survived" "$(kv "$T/e.out" parent_alive)" 1 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "actions counted with no loader running" $((after - before)) 3 || good=0; }
[ $good = 1 ] && { expect_exact "$name" "$RX" "$X" 0 "with no loader running" || good=0; }
fi
[ $good = 1 ] && ok "$name"

name=cli-stop
good=1
expect_exit "$name" 0 "" "$PG" stop || good=0
[ $good = 1 ] && { [ ! -e "$PIN_DIR" ] || { notok "$name" "$PIN_DIR still exists after stop: $(ls "$PIN_DIR" | tr '\n' ' ')"; good=0; }; }
[ $good = 1 ] && { expect_exit "$name" 1 "" "$PG" status || good=0; }
if [ $good = 1 ]; then
	# nothing enforced any more
	pg_forker "$T/f.out" --cgroup "$X" spawn 5 --hold-ms 200; P=$BG_PID
	pg_finish "$P" 5000
	expect_eq "$name" "forks after stop" "$(kv "$T/f.out" forks_ok)/$(kv "$T/f.out" children_killed)" 5/0 || good=0
fi
[ $good = 1 ] && ok "$name"
rm -rf "$NOTCG"
