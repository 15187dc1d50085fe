#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Nothing inside a limited cgroup can raise, remove or escape its limit:
#  - pinned objects are root only: an unprivileged user can neither read the
#    maps nor change a limit through `pidguard limit`;
#  - an unprivileged task cannot move itself (cgroup.procs) or its children
#    (clone3 CLONE_INTO_CGROUP) out of its limited cgroup;
#  - new user, pid, cgroup and mount namespaces change nothing: the tasks
#    are still charged to the cgroup they run in and the limit still holds;
#  - orphans re-parented away from their parent stay charged until reaped;
#  - event text a container controls (the comm, from the name of the file it
#    executes) is escaped in JSON and in text output.
# The kernel enforces the first two; they are here because the promise to
# operators is pidguard's, whatever layer keeps it.
. "$(dirname "$0")/lib.sh"
pg_setup security

LIMIT=8
A=$(cg_make a) && U=$(cg_make u) || { notok security "cannot create cgroups under $CG2"; exit 1; }
RA=$(cg_rel "$A")
if ! pg_run --limit "$RA=$LIMIT" --events-per-sec 0 --json; then
	notok security "pidguard run did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
pg_status >/dev/null 2>&1
MODE=$STATUS_MODE
note "mode: $MODE"

# The unprivileged side runs copies of our binaries from $T, which any user
# can reach (the build directory may be under a 0700 home).
cp "$PG" "$T/pidguard" && cp "$FORKER" "$T/forker" && chmod 0755 "$T" "$T/pidguard" "$T/forker" ||
	{ notok security "cannot copy the binaries to $T"; exit 1; }
NOBODY=65534
# util-linux setpriv (busybox's has no --reuid): probe it once.
have_setpriv=0
setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups true > /dev/null 2>&1 && have_setpriv=1
as_nobody() { setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups "$@"; }

name=security-pins-root-only
bad=
dmode=$(stat -c %a "$PIN_DIR" 2>/dev/null)
[ "$dmode" = 700 ] || bad="pin dir $PIN_DIR has mode ${dmode:-?}, not 700"
for f in "$PIN_DIR"/*; do
	[ -f "$f" ] || continue
	m=$(stat -c %a "$f")
	case "$m" in 600|400|0) ;; *) bad="${bad:+$bad; }$(basename "$f") has mode $m" ;; esac
done
if [ -n "$bad" ]; then
	notok "$name" "$bad"
elif [ $have_setpriv = 0 ]; then
	skip "$name" "no util-linux setpriv here to act as an unprivileged user (modes checked: dir 700, objects 600)"
else
	as_nobody "$T/pidguard" limit "$RA" 100000 > "$T/nobody-limit.out" 2>&1; rc_limit=$?
	as_nobody "$T/pidguard" status > "$T/nobody-status.out" 2>&1; rc_status=$?
	as_nobody ls "$PIN_DIR" > "$T/nobody-ls.out" 2>&1; rc_ls=$?
	pg_status >/dev/null 2>&1
	if [ "$rc_limit" = 0 ] || [ "$(st "$RA" limit)" != "$LIMIT" ]; then
		notok "$name" "uid $NOBODY changed the limit (rc=$rc_limit, limit now $(st "$RA" limit)): $(head -c 200 "$T/nobody-limit.out")"
	elif [ "$rc_status" = 0 ] || [ "$rc_ls" = 0 ]; then
		notok "$name" "uid $NOBODY read pidguard's state (status rc=$rc_status, ls rc=$rc_ls)"
	elif ! grep -q 'root' "$T/nobody-limit.out"; then
		notok "$name" "the refusal does not say root is needed: $(head -c 200 "$T/nobody-limit.out")"
	else
		ok "$name"
	fi
fi

name=security-unprivileged-cannot-leave
if [ $have_setpriv = 0 ]; then
	skip "$name" "no util-linux setpriv here to act as an unprivileged user"
else
	# Enter A as root, then drop to nobody and try every way out we know:
	# the root cgroup, an unlimited sibling, and clone3 into each.
	# shellcheck disable=SC2016 # expanded by the inner shells
	sh -c 'echo $$ > "$1/cgroup.procs" && exec setpriv --reuid="$2" --regid="$2" --clear-groups sh -c '\''
		for d in "$1" "$3"; do
			if echo $$ > "$d/cgroup.procs" 2>/dev/null; then echo "moved=$d"; fi
		done
		for d in "$1" "$3"; do "$4" clone-into "$d" --count 1 --hold-ms 100; done
		echo "cgroup=$(sed -n "s/^0:://p" /proc/self/cgroup)"
	'\'' x "$3" "$2" "$4" "$5"' x "$A" "$NOBODY" "$CG2" "$U" "$T/forker" > "$T/leave.out" 2>&1
	here=$(kv "$T/leave.out" cgroup)
	if grep -q '^moved=' "$T/leave.out"; then
		notok "$name" "an unprivileged task left $RA: $(grep '^moved=' "$T/leave.out" | tr '\n' ' ')"
	elif grep -q '^clones_ok=[1-9]' "$T/leave.out"; then
		notok "$name" "clone3 CLONE_INTO_CGROUP out of $RA succeeded: $(tr '\n' ' ' < "$T/leave.out" | cut -c1-300)"
	elif [ "$here" != "$RA" ]; then
		notok "$name" "the task ended in '$here', not $RA: $(tr '\n' ' ' < "$T/leave.out" | cut -c1-300)"
	else
		ok "$name"
	fi
fi

name=security-namespaces-still-limited
# A task that unshares user, pid, cgroup and mount namespaces inside A and
# forks twice its limit: still charged to A, still held.
NS_FLAGS="--user --map-root-user --pid --fork --cgroup --mount"
# shellcheck disable=SC2086 # word splitting of NS_FLAGS is meant
if ! command -v unshare > /dev/null 2>&1; then
	skip "$name" "no unshare(1) here"
elif ! unshare $NS_FLAGS true > "$T/ns-probe.out" 2>&1; then
	skip "$name" "cannot create these namespaces here: $(head -c 200 "$T/ns-probe.out")"
else
	N_SPAWN=$((LIMIT * 3))
	# In kill mode the runaway forker (pid 1 of the new pid namespace) is
	# itself killed: unshare then reports the SIGKILL oddly. What counts is
	# what pidguard saw and did, read from status.
	# shellcheck disable=SC2016,SC2086
	pg_bg "$T/ns.out" sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec unshare "$@"' x "$A" $NS_FLAGS "$T/forker" spawn "$N_SPAWN" --hold-ms 1500
	pg_finish "$BG_PID" 15000
	pg_status >/dev/null 2>&1
	acted=$(st_sum "$RA" killed denied flagged)
	peak=$(st "$RA" peak)
	if [ "${acted:-0}" -lt 1 ]; then
		notok "$name" "no fork of $N_SPAWN in new namespaces was acted on (killed+denied+flagged=${acted:-none}, peak=$peak): $(head -c 200 "$T/ns.out")"
	elif [ "$MODE" = deny ] && [ "$peak" -gt "$LIMIT" ]; then
		notok "$name" "deny mode let $RA reach $peak tasks (limit $LIMIT)"
	elif [ "$MODE" = kill ] && [ "$peak" -gt $((2 * LIMIT + 1)) ]; then
		notok "$name" "kill mode let $RA reach $peak tasks (bound $((2 * LIMIT + 1)))"
	elif [ "$MODE" = flag ] && [ "$acted" -lt $((N_SPAWN + 2 - LIMIT)) ]; then
		notok "$name" "flag mode flagged $acted forks, expected at least $((N_SPAWN + 2 - LIMIT))"
	elif expect_exact "$name" "$RA" "$A" 0 "after the namespaced spawn"; then
		ok "$name"
		note "$name: peak $peak, acted on $acted"
	fi
fi

name=security-orphans-still-counted
# Orphans re-parent to init (or a subreaper) outside A but stay in A: they
# are charged while they live and released when their new parent reaps them.
pg_bg "$T/orph.out" sh -c 'echo $$ > "$1/cgroup.procs" && for i in 1 2 3 4 5; do sleep 3 & done; exit 0' x "$A"
pg_finish "$BG_PID" 5000
if [ "$(cg_listed "$A")" != 5 ]; then
	notok "$name" "expected the 5 orphans in $RA, the kernel lists $(cg_listed "$A")"
elif expect_exact "$name" "$RA" "$A" 0 "while the orphans live"; then
	_end=$(( $(now_ms) + 10000 * PG_SCALE ))
	while [ "$(cg_listed "$A")" != 0 ] && [ "$(now_ms)" -lt "$_end" ]; do sleep 0.1; done
	expect_exact "$name" "$RA" "$A" 0 "after the orphans exited" && ok "$name"
fi

name=security-event-text-escaped
# The comm of an exec is the name of the file executed: a container chooses
# it. Quote, backslash, escape sequence and newline must not reach the
# operator raw, in JSON or in text.
EVIL=$(printf 'a"b\\c\033[1mZ\nx')
ln -s "$T/forker" "$T/$EVIL" || { notok "$name" "cannot create the hostile file name"; exit 1; }
: > "$T/run.out"
run_evil() { pg_bg "$T/evil.out" sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" spawn "$3" --hold-ms 500' x "$A" "$T/$EVIL" $((LIMIT + 4)); pg_finish "$BG_PID" 10000; }
run_evil
ev_norm
ev_lines=$(grep -c . "$T/run.out")
kind_lines=$(grep -c '"kind"' "$T/run.out")
if [ "$ev_lines" -eq 0 ]; then
	notok "$name" "no event for the over-limit spawn (mode $MODE)"
elif [ "$ev_lines" != "$kind_lines" ]; then
	notok "$name" "JSON: $((ev_lines - kind_lines)) line(s) are not event objects (a raw newline?): $(grep -v '"kind"' "$T/run.out" | head -n 2)"
elif grep -q "$(printf '\033')" "$T/run.out"; then
	notok "$name" "JSON: a raw ESC reached the output"
elif ! grep -q 'a\\"b\\\\c\\u001b\[1mZ' "$T/run.out"; then
	notok "$name" "JSON: no event carries the escaped comm: $(grep -o '"comm":"[^,]*' "$T/run.out" | sort | uniq -c | head -n 3)"
else
	# The same in text: restart the loader without --json (it adopts).
	pg_run_stop
	if ! pg_run --limit "$RA=$LIMIT" --events-per-sec 0; then
		notok "$name" "pidguard run (text) did not get ready: $(pg_run_why)"
	else
		run_evil
		ev_settle
		if ! grep -q 'comm=' "$T/run.out"; then
			notok "$name" "text: no event line: $(head -c 200 "$T/run.out")"
		elif grep -q "$(printf '\033')" "$T/run.out"; then
			notok "$name" "text: a raw ESC reached the output"
		elif grep -v -q -E '^[^ ]+ [a-z_]+ ' "$T/run.out"; then
			notok "$name" "text: a line does not start like an event (a raw newline?): $(grep -v -E '^[^ ]+ [a-z_]+ ' "$T/run.out" | head -n 1)"
		else
			ok "$name"
		fi
	fi
fi
exit 0
