#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run --log syslog: events and messages reach syslog(3), one key=value line
# per event at the right priority, a comm with spaces, quotes and a
# backslash arrives quoted and escaped, and stdout and stderr stay empty.
#
# The host's logging is never touched: pidguard runs in a private mount
# namespace (unshare -m) whose /dev is a small tmpfs holding the few
# device nodes it needs (bind-mounted) and the /dev/log socket of a busybox
# syslogd that writes to a file of ours.
. "$(dirname "$0")/lib.sh"
pg_setup syslog

NAMES="syslog-messages syslog-one-line-per-event syslog-hostile-comm syslog-stdout-empty"
BUSYBOX=$(command -v busybox 2>/dev/null)
if [ -z "$BUSYBOX" ] || ! command -v unshare > /dev/null 2>&1 ||
   ! "$BUSYBOX" syslogd --help > /dev/null 2>&1; then
	for n in $NAMES; do skip "$n" "needs unshare and busybox syslogd"; done
	exit 0
fi

S=$(cg_make s) || { notok syslog "cannot create cgroups under $CG2"; exit 1; }
RS=$(cg_rel "$S")
LIMIT=3
LOG="$T/syslog.txt"
: > "$LOG"
# forker under a hostile name: a task's comm is its executable's name.
EVIL_COMM='ev "il\x'
EVIL="$T/$EVIL_COMM"
cp "$FORKER" "$EVIL" || { notok syslog "cannot copy forker to $EVIL"; exit 1; }

# The namespace: its /dev, its syslogd (pid in $T/syslogd.pid), then
# pidguard itself (exec: $! below is pidguard's pid).
cat > "$T/ns.sh" <<'EOF'
T=$1 BUSYBOX=$2; shift 2
mkdir -p "$T/olddev" || exit 1
mount --bind /dev "$T/olddev" || exit 1
mount -t tmpfs -o mode=0755,size=1m pgtest-dev /dev || exit 1
for n in null zero full random urandom; do
	: > "/dev/$n" && mount --bind "$T/olddev/$n" "/dev/$n" || exit 1
done
umount "$T/olddev"
"$BUSYBOX" syslogd -n -O "$T/syslog.txt" < /dev/null > /dev/null 2>&1 &
echo $! > "$T/syslogd.pid"
i=0
while [ ! -S /dev/log ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -S /dev/log ] || { echo "ns.sh: syslogd made no /dev/log" >&2; exit 1; }
exec "$@"
EOF

: > "$T/run.out"; : > "$T/run.err"
unshare -m sh "$T/ns.sh" "$T" "$BUSYBOX" "$PG" run --no-docker --mode flag --limit "$RS=$LIMIT" \
	--events-per-sec 0 --warn 60 --log syslog > "$T/run.out" 2> "$T/run.err" < /dev/null &
RUN_PID=$!
echo "$RUN_PID" >> "$T/run.pids"
# syslogd runs in our pid namespace: cleanup kills it by its pid.
i=0
while [ ! -s "$T/syslogd.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
cat "$T/syslogd.pid" >> "$T/bg.pids" 2>/dev/null

# The syslog lines of our pidguard: "... daemon.PRIO pidguard[PID]: MSG".
TAG="pidguard\\[$RUN_PID\\]: "
name=syslog-messages
if ! pg_wait_line "$LOG" "daemon\\.info $TAG.*ready: " 20000 "$RUN_PID"; then
	notok "$name" "no 'ready' line in syslog: $(tail -n 3 "$LOG" | tr '\n' ' ' | cut -c1-300) / stderr: $(head -c 200 "$T/run.err")"
	exit 1
fi
good=1
grep -E -q -e "daemon\\.info $TAG.*mode flag " "$LOG" ||
	{ notok "$name" "no 'mode flag' info line"; good=0; }
[ $good = 1 ] && ok "$name"

name=syslog-one-line-per-event
pg_bg "$T/s.out" "$EVIL" --cgroup "$S" spawn 6 --hold-ms 3000; P=$BG_PID
echo "$P $T/s.out" >> "$T/forker.map"
if pg_wait_phase "$T/s.out" ready 5000 "$P"; then
	good=1
	pg_status >/dev/null 2>&1
	flagged=$(st "$RS" flagged)
	expect_ge "$name" "flagged" "$flagged" 1 || good=0
	# Each line at its priority, for our cgroup.
	pg_wait_line "$LOG" "kind=over_limit .*" 2000 > /dev/null
	sleep 0.3
	over=$(grep -c -E -e "daemon\\.notice ${TAG}time=[^ ]+ kind=over_limit cgroup=$RS " "$LOG")
	[ $good = 1 ] && { expect_eq "$name" "over_limit lines (daemon.notice)" "$over" "$flagged" || good=0; }
	warn=$(grep -c -E -e "daemon\\.notice ${TAG}time=[^ ]+ kind=warn cgroup=$RS " "$LOG")
	[ $good = 1 ] && { expect_eq "$name" "warn lines (daemon.notice)" "$warn" 1 || good=0; }
	# Every field of the JSON event, in its order.
	line=$(grep -e "kind=over_limit cgroup=$RS " "$LOG" | head -n 1)
	if [ $good = 1 ] && ! echo "$line" | grep -E -q -e "kind=over_limit cgroup=$RS cgroup_id=[0-9]+ pid=[0-9]+ tgid=[0-9]+ comm=.* ppid=[0-9]+ pcomm=.* count=[0-9]+ limit=$LIMIT suppressed=0 parent_killed=false graced=false( top=\"[^\"]*.* x [0-9]+\")?\$"; then
		notok "$name" "fields missing or out of order: $line"
		good=0
	fi
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "spawn never ready: $(tr '\n' ' ' < "$T/s.out")"
fi
pg_finish "$P" 5000

name=syslog-hostile-comm
# 'ev "il\x' must arrive as comm="ev \"il\\x": one field, quoted, escaped.
want='comm="ev \"il\\x" ppid='
n=$(grep -c -F -e "$want" "$LOG")
if [ "$n" -ge 1 ]; then
	ok "$name"
else
	notok "$name" "no line with $want: $(grep -e 'kind=over_limit' "$LOG" | head -n 1 | cut -c1-300)"
fi

name=syslog-stdout-empty
pg_run_stop
good=1
expect_eq "$name" "exit status" "$STOP_RC" 0 || good=0
expect_eq "$name" "stdout bytes" "$(wc -c < "$T/run.out" | tr -d ' ')" 0 || good=0
expect_eq "$name" "stderr bytes" "$(wc -c < "$T/run.err" | tr -d ' ')" 0 || good=0
grep -E -q -e "daemon\\.info ${TAG}exiting" "$LOG" || { notok "$name" "no 'exiting' line in syslog"; good=0; }
[ $good = 1 ] && ok "$name"
kill "$(cat "$T/syslogd.pid")" 2>/dev/null
