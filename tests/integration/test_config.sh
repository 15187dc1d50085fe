#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The --config file with the real binary: its limits and mode are enforced
# and visible in `status -j`; a --limit on the command line replaces the
# file's limit for that TARGET; a bad line exits 2 naming FILE:LINE before
# anything is loaded (no pin directory); a missing file, or a file that
# conflicts with the command line, exits 2 with a clear message; a file
# others may write is warned about.
. "$(dirname "$0")/lib.sh"
pg_setup config

A=$(cg_make a) && B=$(cg_make b) || { notok config "cannot create cgroups under $CG2"; exit 1; }
RA=$(cg_rel "$A"); RB=$(cg_rel "$B")
CONF="$T/pidguard.conf"

# write_conf MODE LINE...: CONF with one line per argument, chmod MODE.
write_conf() {
	_mode=$1; shift
	: > "$CONF"
	for _l in "$@"; do printf '%s\n' "$_l" >> "$CONF"; done
	chmod "$_mode" "$CONF"
}

# expect_exit2 NAME NEEDLE CMD...: CMD exits 2, names NEEDLE, and leaves no
# pinned state behind.
expect_exit2() {
	_n=$1 _needle=$2; shift 2
	"$@" > "$T/cmd.out" 2> "$T/cmd.err" < /dev/null
	_rc=$?
	if [ "$_rc" != 2 ]; then
		notok "$_n" "'$*' exited $_rc, expected 2: $(head -c 300 "$T/cmd.err")"
		[ -d "$PIN_DIR" ] && "$PG" stop > /dev/null 2>&1
		return 1
	fi
	if ! grep -q -F -e "$_needle" "$T/cmd.err"; then
		notok "$_n" "the message does not name '$_needle': $(head -c 300 "$T/cmd.err")"
		return 1
	fi
	if [ -d "$PIN_DIR" ]; then
		notok "$_n" "a refused config left $PIN_DIR behind"
		"$PG" stop > /dev/null 2>&1
		return 1
	fi
	return 0
}

# -- the file's mode and limits are loaded and enforced --
name=config-limits-enforced
write_conf 0600 "# test_config.sh" "mode = flag   # nothing refused: exact counters" \
	"limit = $RA=7" "limit = \"$RB=9\"" "" "events-per-sec = 0"
if ! pg_run --config "$CONF" --json; then
	notok "$name" "pidguard run --config did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
good=1
if grep -q -e 'writable by group' -e 'not owned by root' "$T/run.err"; then
	notok "$name" "a root-owned 0600 file was warned about: $(pg_run_why)"; good=0
fi
pg_status >/dev/null 2>&1
[ $good = 1 ] && { expect_eq "$name" "status mode" "$STATUS_MODE" flag || good=0; }
[ $good = 1 ] && { expect_eq "$name" "limit of $RA" "$(st "$RA" limit)" 7 || good=0; }
[ $good = 1 ] && { expect_eq "$name" "limit of $RB" "$(st "$RB" limit)" 9 || good=0; }
if [ $good = 1 ]; then
	pg_forker "$T/s.out" --cgroup "$A" spawn 20 --hold-ms 3000; P=$BG_PID
	if pg_wait_phase "$T/s.out" ready 5000 "$P"; then
		# 21 tasks, limit 7: the forks that made tasks 8..21 are flagged.
		expect_exact "$name" "$RA" "$A" 0 "21 tasks, limit 7" &&
			expect_eq "$name" "flagged counter" "$(st "$RA" flagged)" 14 &&
			expect_eq "$name" "over_limit events" "$(ev_count "$RA" over_limit)" 14 || good=0
	else
		notok "$name" "spawn never ready: $(tr '\n' ' ' < "$T/s.out")"; good=0
	fi
	pg_finish "$P" 5000
fi
[ $good = 1 ] && ok "$name"
pg_run_stop INT
"$PG" stop > /dev/null 2>&1

# -- the command line overrides the file; a writable file is warned about --
name=config-command-line-wins
write_conf 0666 "mode = flag" "limit = $RA=7" "limit = $RB=9"
if pg_run --config "$CONF" --limit "$RA=11"; then
	good=1
	pg_status >/dev/null 2>&1
	expect_eq "$name" "limit of $RA (command line)" "$(st "$RA" limit)" 11 || good=0
	[ $good = 1 ] && { expect_eq "$name" "limit of $RB (file)" "$(st "$RB" limit)" 9 || good=0; }
	[ $good = 1 ] && { expect_eq "$name" "status mode (file)" "$STATUS_MODE" flag || good=0; }
	if [ $good = 1 ] && ! grep -q -F "$CONF is writable by group or others" "$T/run.err"; then
		notok "$name" "no warning about a file mode 0666: $(pg_run_why)"; good=0
	fi
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
fi
pg_run_stop INT
"$PG" stop > /dev/null 2>&1

# -- refusals: exit 2, the place named, nothing loaded --
name=config-bad-line
write_conf 0600 "limit = $RA=7" "# comment" "warn = 150"
expect_exit2 "$name" "$CONF:3: --warn: '150' is not a percentage from 1 to 100" \
	"$PG" run --no-docker --config "$CONF" && ok "$name"

name=config-unknown-option
write_conf 0600 "limit = $RA=7" "wran = 90"
expect_exit2 "$name" "$CONF:2: unknown option 'wran' (did you mean 'warn'?)" \
	"$PG" run --no-docker --config "$CONF" && ok "$name"

# A limit whose cgroup does not exist is found after the file is read: the
# message names the file's line, not a --limit that was never typed.
name=config-limit-no-such-cgroup
write_conf 0600 "limit = $RA=7" "limit = pgtest-none/x=5"
expect_exit2 "$name" "$CONF: limit = pgtest-none/x: pgtest-none/x: no such cgroup" \
	"$PG" run --no-docker --config "$CONF" && ok "$name"

name=config-missing-file
expect_exit2 "$name" "$T/none.conf: cannot open the config file: No such file or directory" \
	"$PG" run --no-docker --config "$T/none.conf" && ok "$name"

name=config-not-a-file
expect_exit2 "$name" "$T: is a directory, not a regular file" \
	"$PG" run --no-docker --config "$T" && ok "$name"

name=config-merged-conflict
write_conf 0600 "docker-host = unix:///run/pgtest-none.sock"
expect_exit2 "$name" "$CONF and the command line: --no-docker: conflicts with --docker-host" \
	"$PG" run --no-docker --config "$CONF" && ok "$name"
