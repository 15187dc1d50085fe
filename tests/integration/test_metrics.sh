#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run --metrics: a real scrape over loopback with curl. Every family has
# HELP and TYPE; pidguard_tasks equals `status -j` and the kernel's count;
# the limit and the counter of the mode in force move after forks past the
# limit; other paths are 404, other methods 405; the default bind is
# loopback only; a port in use fails before anything is loaded.
. "$(dirname "$0")/lib.sh"
pg_setup metrics

NAMES="metrics-help-type metrics-tasks-exact metrics-counters-move metrics-http-paths metrics-slow-clients metrics-loopback-only metrics-port-in-use metrics-clean-exit"
if ! command -v curl > /dev/null 2>&1; then
	for n in $NAMES; do skip "$n" "no curl (scripts/install-deps.sh installs it)"; done
	exit 0
fi

# A port nothing listens on (ss -ltn), from a range picked by our pid.
PORT=
p=$((20000 + $$ % 20000))
for _i in 1 2 3 4 5 6 7 8 9 10; do
	if ! ss -ltnH 2>/dev/null | awk '{ print $4 }' | grep -q -e ":$p\$"; then
		PORT=$p
		break
	fi
	p=$((p + 1))
done
[ -n "$PORT" ] || { notok metrics "no free TCP port near $p"; exit 1; }

M=$(cg_make m) || { notok metrics "cannot create cgroups under $CG2"; exit 1; }
RM=$(cg_rel "$M")
LIMIT=10
# Port only: the address must default to loopback.
if ! pg_run --limit "$RM=$LIMIT" --events-per-sec 0 --json --metrics "$PORT"; then
	notok metrics "pidguard run --metrics $PORT did not get ready (rc=$RUN_RC): $(pg_run_why)"
	exit 1
fi
URL="http://127.0.0.1:$PORT"

# scrape: GET /metrics into $T/m.txt; SCRAPE_CODE is the HTTP status.
scrape() {
	SCRAPE_CODE=$(curl -s -m 5 -o "$T/m.txt" -w '%{http_code}' "$URL/metrics")
}
# sample NAME: the value of NAME's sample for our cgroup ("" if none).
sample() {
	grep -e "^$1{cgroup=\"$RM\"," "$T/m.txt" | awk '{ print $NF }' | head -n 1
}
# counter_of MODE: the status key and metric of the counter MODE moves.
counter_of() {
	case "$1" in
	deny) echo "denied pidguard_denied_total" ;;
	kill) echo "killed pidguard_killed_total" ;;
	*) echo "flagged pidguard_flagged_total" ;;
	esac
}

name=metrics-help-type
scrape
good=1
expect_eq "$name" "HTTP status of /metrics" "$SCRAPE_CODE" 200 || good=0
if [ $good = 1 ]; then
	for f in $PG_METRIC_FAMILIES; do
		h=$(grep -c -e "^# HELP $f " "$T/m.txt"); t=$(grep -c -e "^# TYPE $f " "$T/m.txt")
		if [ "$h" != 1 ] || [ "$t" != 1 ]; then
			notok "$name" "$f has $h HELP and $t TYPE lines"
			good=0
			break
		fi
	done
fi
# ... and no family that the list (and so the man page's check) lacks.
if [ $good = 1 ]; then
	for f in $(awk '/^# TYPE / { print $3 }' "$T/m.txt"); do
		case " $(echo $PG_METRIC_FAMILIES) " in
		*" $f "*) ;;
		*) notok "$name" "$f is exported but not in PG_METRIC_FAMILIES (tests/integration/lib.sh)"
		   good=0
		   break;;
		esac
	done
fi
[ $good = 1 ] && { expect_eq "$name" "content type" \
	"$(curl -s -m 5 -o /dev/null -w '%{content_type}' "$URL/metrics")" \
	"text/plain; version=0.0.4; charset=utf-8" || good=0; }
[ $good = 1 ] && { expect_eq "$name" "limit sample" "$(sample pidguard_limit)" "$LIMIT" || good=0; }
[ $good = 1 ] && ok "$name"

name=metrics-tasks-exact
pg_forker "$T/s.out" --cgroup "$M" spawn 5 --hold-ms 3000; P=$BG_PID
if pg_wait_phase "$T/s.out" ready 5000 "$P"; then
	good=1
	# 6 tasks: settled when status agrees with the kernel, then scraped.
	expect_exact "$name" "$RM" "$M" 0 "6 tasks" && expect_eq "$name" "status current" "$GOT_CUR" 6 || good=0
	if [ $good = 1 ]; then
		scrape
		expect_eq "$name" "pidguard_tasks" "$(sample pidguard_tasks)" "$(pg_cur "$RM")" || good=0
	fi
	[ $good = 1 ] && { expect_eq "$name" "pidguard_tasks vs the kernel" "$(sample pidguard_tasks)" "$(cg_tasks "$M")" || good=0; }
	[ $good = 1 ] && ok "$name"
else
	notok "$name" "spawn never ready: $(tr '\n' ' ' < "$T/s.out")"
fi
pg_finish "$P" 5000

name=metrics-counters-move
pg_status >/dev/null 2>&1
# shellcheck disable=SC2046 # two words: the status key and the metric
set -- $(counter_of "$STATUS_MODE"); KEY=$1 METRIC=$2
scrape
before=$(sample "$METRIC")
# 16 tasks against a limit of 10: whatever the mode, its counter moves.
pg_forker "$T/b.out" --cgroup "$M" spawn 15 --hold-ms 1000; P=$BG_PID
pg_wait_phase "$T/b.out" ready 5000 "$P"
pg_finish "$P" 5000
pg_wait_exact "$RM" "$M"
pg_status >/dev/null 2>&1
scrape
good=1
expect_eq "$name" "$METRIC (mode $STATUS_MODE)" "$(sample "$METRIC")" "$(st "$RM" "$KEY")" || good=0
[ $good = 1 ] && { expect_ge "$name" "$METRIC - before" $(( $(sample "$METRIC") - ${before:-0} )) 1 || good=0; }
[ $good = 1 ] && { expect_eq "$name" "pidguard_tasks_peak" "$(sample pidguard_tasks_peak)" "$(st "$RM" peak)" || good=0; }
[ $good = 1 ] && { expect_eq "$name" "mode sample" "$(grep -c -e "^pidguard_mode{mode=\"$STATUS_MODE\"} 1\$" "$T/m.txt")" 1 || good=0; }
[ $good = 1 ] && { expect_eq "$name" "pidguard_limited_cgroups" "$(awk '$1 == "pidguard_limited_cgroups" { print $2 }' "$T/m.txt")" 1 || good=0; }
[ $good = 1 ] && ok "$name"

name=metrics-http-paths
good=1
expect_eq "$name" "GET /nope" "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/nope")" 404 || good=0
[ $good = 1 ] && { expect_eq "$name" "GET /" "$(curl -s -m 5 -o "$T/index.html" -w '%{http_code}' "$URL/")" 200 || good=0; }
[ $good = 1 ] && { grep -q 'href="/metrics"' "$T/index.html" || { notok "$name" "/ does not link /metrics"; good=0; }; }
[ $good = 1 ] && { expect_eq "$name" "POST /metrics" "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -d x=1 "$URL/metrics")" 405 || good=0; }
[ $good = 1 ] && { expect_eq "$name" "DELETE /" "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X DELETE "$URL/")" 405 || good=0; }
# A request head beyond the server's memory limit is refused, and the server lives on.
[ $good = 1 ] && { big=$(head -c 40000 /dev/zero | tr '\0' a)
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$URL/metrics")
	case "$code" in 2*) notok "$name" "a 40 kB header was answered $code"; good=0 ;; esac; }
[ $good = 1 ] && { scrape; expect_eq "$name" "scrape after a big header" "$SCRAPE_CODE" 200 || good=0; }
[ $good = 1 ] && ok "$name"

name=metrics-slow-clients
# Clients that connect and say nothing, or stop mid-request, hold a slot,
# never the server: a scrape beside them is answered at once.
BB=$(command -v busybox 2>/dev/null)
if [ -n "$BB" ]; then
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	pg_bg "$T/idle.out" sh -c 'sleep 6 | "$1" nc 127.0.0.1 "$2"' sh "$BB" "$PORT"
	# shellcheck disable=SC2016
	pg_bg "$T/half.out" sh -c '{ printf "GET /metrics HTTP/1.1\r\nHost: x\r\n"; sleep 6; } | "$1" nc 127.0.0.1 "$2"' sh "$BB" "$PORT"
	sleep 0.5
	t0=$(now_ms)
	scrape
	t1=$(now_ms)
	good=1
	expect_eq "$name" "scrape beside stalled clients" "$SCRAPE_CODE" 200 || good=0
	[ $good = 1 ] && { expect_le "$name" "scrape time (ms)" $((t1 - t0)) $((1000 * PG_SCALE)) || good=0; }
	[ $good = 1 ] && ok "$name"
else
	skip "$name" "no busybox nc"
fi

name=metrics-loopback-only
good=1
listeners=$(ss -ltnH 2>/dev/null | awk '{ print $4 }' | grep -e ":$PORT\$" | tr '\n' ' ')
expect_eq "$name" "listening sockets on port $PORT" "$listeners" "127.0.0.1:$PORT " || good=0
OTHER=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ print $4 }' | cut -d/ -f1 | head -n 1)
if [ $good = 1 ] && [ -n "$OTHER" ]; then
	if curl -s -m 3 -o /dev/null "http://$OTHER:$PORT/metrics"; then
		notok "$name" "the endpoint answers on $OTHER too"
		good=0
	fi
elif [ $good = 1 ]; then
	note "$name: no other local IPv4 address; checked with ss only"
fi
[ $good = 1 ] && ok "$name"

name=metrics-port-in-use
# Another instance (its own pin directory and lock) on the same port.
OTHER_PIN="$PIN_DIR-2"
PIDGUARD_PIN_DIR=$OTHER_PIN "$PG" run --no-docker --limit "$RM=$LIMIT" --metrics "127.0.0.1:$PORT" \
	> "$T/second.out" 2> "$T/second.err" < /dev/null
rc=$?
good=1
expect_eq "$name" "exit status" "$rc" 1 || good=0
[ $good = 1 ] && { grep -q -F -e "127.0.0.1:$PORT" "$T/second.err" ||
	{ notok "$name" "the error does not name the address: $(head -c 200 "$T/second.err")"; good=0; }; }
if [ -d "$OTHER_PIN" ]; then
	notok "$name" "it loaded before failing ($OTHER_PIN exists)"
	PIDGUARD_PIN_DIR=$OTHER_PIN "$PG" stop > /dev/null 2>&1 || rm -rf "$OTHER_PIN"
	good=0
fi
rm -f "/run/$(basename "$OTHER_PIN").lock"
[ $good = 1 ] && { scrape; expect_eq "$name" "first instance still serving" "$SCRAPE_CODE" 200 || good=0; }
[ $good = 1 ] && ok "$name"

name=metrics-clean-exit
# The server thread is stopped and joined before the maps close (ASan builds
# report a leak or a use after free there on stderr, and exit non-zero).
pg_run_stop
good=1
expect_eq "$name" "exit status of run" "$STOP_RC" 0 || good=0
if grep -q -e "Sanitizer" "$T/run.err"; then
	notok "$name" "sanitizer report: $(grep -m 1 -e "Sanitizer" "$T/run.err")"
	good=0
fi
[ $good = 1 ] && ok "$name"
