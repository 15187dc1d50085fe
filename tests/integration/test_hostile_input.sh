#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hostile input to the real binary, one row each: absurd numbers, names with
# control bytes, paths that try to leave the cgroup mount, compose files
# that are garbage, huge or nested without end, a --docker-host that is not
# a Docker daemon. Every row must end with a clear message and the exit
# status the row expects (2 usage, 1 runtime), within a bounded time (a hang
# is a failure), never with a signal (a crash), never with a sanitizer
# report, never with a raw control byte on stderr (a name must not forge a
# second log line or reach the terminal as an escape sequence), and never
# with a loaded pidguard left behind. The tests/fuzz/ harnesses cover the
# same parsers with random input; these rows are the cases a person tries.
# A private instance (/sys/fs/bpf/pghostile-PID): nothing here touches
# another pidguard.
PIDGUARD_PIN_DIR=/sys/fs/bpf/pghostile-$$
export PIDGUARD_PIN_DIR
. "$(dirname "$0")/lib.sh"
pg_setup hostile

# Each row gets this long (PG_TIME_SCALE applies); a run that was accepted
# stops after --duration 1.
ROW_TIMEOUT=$((20 * PG_SCALE))
NOSOCK="unix://$T/no-docker.sock"
CNTRL=$(printf '[\001-\010\013-\037\177]')

# row NAME WANT NEEDLE ARGS...: run `pidguard ARGS` and check it. WANT is
# the accepted exit statuses as digits ("2", "12": 1 or 2, "01": a run
# that goes on without what it was given, with a warning). NEEDLE must
# appear in its output ("" for none).
row() {
	_n=$1 _want=$2 _needle=$3; shift 3
	timeout "$ROW_TIMEOUT" "$PG" "$@" > "$T/row.out" 2> "$T/row.err" < /dev/null
	_rc=$?
	_err=$(head -c 300 "$T/row.err" | tr '\n\033' '|E')
	_left=0
	if [ -d "$PIN_DIR" ]; then
		"$PG" stop > /dev/null 2>&1 || rm -rf "$PIN_DIR"
		_left=1
	fi
	# The lock file a run of the private instance leaves in /run.
	rm -f "/run/$(basename "$PIN_DIR").lock"
	if [ "$_rc" = 124 ]; then
		notok "$_n" "no answer within ${ROW_TIMEOUT}s (a hang): $_err"
	elif [ "$_rc" -ge 128 ]; then
		notok "$_n" "killed by signal $((_rc - 128)) (a crash): $_err"
	elif grep -q -e 'Sanitizer' -e 'runtime error:' "$T/row.err"; then
		notok "$_n" "a sanitizer report: $(grep -m1 -e 'Sanitizer' -e 'runtime error:' "$T/row.err")"
	elif ! echo "$_want" | grep -q "$_rc"; then
		notok "$_n" "exit status $_rc, expected one of '$_want': $_err"
	elif [ "$_rc" != 0 ] && [ ! -s "$T/row.err" ] && [ ! -s "$T/row.out" ]; then
		notok "$_n" "exit status $_rc without a message"
	elif [ -n "$_needle" ] && ! grep -q -F -e "$_needle" "$T/row.err" "$T/row.out"; then
		notok "$_n" "the message does not name '$_needle': $_err"
	elif LC_ALL=C grep -q "$CNTRL" "$T/row.err"; then
		notok "$_n" "raw control bytes on stderr: $(LC_ALL=C grep -m1 "$CNTRL" "$T/row.err" | od -c | head -n 2 | tr -s ' \n' ' ')"
	elif grep -v -e '^pidguard' -e "^Try 'pidguard" "$T/row.err" | grep -q .; then
		notok "$_n" "a message spans lines: $_err"
	elif [ "$_rc" != 0 ] && [ "$_left" = 1 ]; then
		notok "$_n" "exit status $_rc but a loaded pidguard was left at $PIN_DIR"
	else
		ok "$_n"
	fi
}

# ---- numbers ----

for v in 99999999999999999999 4194305 0 -5 1e3 0x10 ' 5' '5 ' 18446744073709551617 ''; do
	row "hostile-limit-value '$v'" 2 "'$v'" run --no-docker --duration 1 --limit "pgx=$v"
done
row hostile-default-limit-huge 2 99999999999999999999 run --no-docker --default-limit 99999999999999999999
row hostile-default-limit-negative 2 -1 run --no-docker --default-limit -1
row hostile-warn-zero 2 "'0'" run --no-docker --warn 0
row hostile-warn-over-100 2 101 run --no-docker --warn 101
row hostile-duration-negative 2 -3 run --no-docker --duration -3
row hostile-metrics-port 2 99999 run --no-docker --metrics 127.0.0.1:99999
row hostile-metrics-bracket 2 "[::1" run --no-docker --metrics '[::1'
row hostile-limit-cmd-huge 2 4194305 limit pgx 4194305
row hostile-limit-cmd-negative 2 -5 limit pgx -5

# ---- names ----

row hostile-empty-target 2 "empty" run --no-docker --limit "=5"
row hostile-long-target 2 "" run --no-docker --limit "$(head -c 5000 /dev/zero | tr '\0' a)=5"
row hostile-name-newline 12 "" run --no-docker --duration 1 --limit "$(printf 'we\nb')=5"
row hostile-name-escape 12 "" run --no-docker --duration 1 --limit "$(printf 'we\033[31mb')=5"
row hostile-name-osc 12 "" run --no-docker --duration 1 --limit "$(printf 'a\033]0;title\007b')=5"
row hostile-limit-cmd-newline 12 "" limit "$(printf 'a\nb')" 5
row hostile-status-escape 12 "" status "$(printf 'a\033[2Jb')"
row hostile-log-newline 2 "--log" run --no-docker --log "$(printf 'sys\nlog')"

# ---- paths ----

NOTCG="$T/notcg"
mkdir -p "$NOTCG"
ln -s /etc "$T/to-etc"
row hostile-dotdot-relative 12 "'..'" run --no-docker --duration 1 --limit "../../etc=5"
row hostile-dotdot-absolute 12 "'..'" run --no-docker --duration 1 --limit "$CG2/../../../etc=5"
row hostile-dotdot-middle 12 "'..'" run --no-docker --duration 1 --limit "a/../../b=5"
row hostile-symlink-out 12 "not under" run --no-docker --duration 1 --limit "$T/to-etc=5"
row hostile-not-a-cgroup-dir 12 "not under" run --no-docker --duration 1 --limit "$NOTCG=5"
row hostile-cgroup-file 12 "not a directory" run --no-docker --duration 1 --limit "$CG2/cgroup.procs=5"
row hostile-no-such-cgroup 12 "pghostile-none" run --no-docker --duration 1 --limit "pghostile-none-$$=5"
row hostile-limit-cmd-dotdot 12 "'..'" limit ../../etc 5

# ---- compose files (Docker is a socket nobody listens on) ----

head -c 3000 /dev/urandom > "$T/garbage.yml"
head -c 5000000 /dev/zero | tr '\0' a > "$T/huge.yml"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "[" }' > "$T/deep-flow.yml"
awk 'BEGIN { printf "services:\n"; s = "  "; for (i = 0; i < 400; i++) { printf "%sa%d:\n", s, i; s = s " " } }' > "$T/deep-block.yml"
printf 'a: &a [*a]\nservices: *a\n' > "$T/alias-loop.yml"
printf 'x: &x {<<: *x}\nservices:\n  web: {<<: *x}\n' > "$T/merge-loop.yml"
printf 'services:\n  web:\n    pids_limit: -5\n' > "$T/negative.yml"
printf 'services:\n  web:\n    pids_limit: 99999999999999999999999\n' > "$T/absurd.yml"
printf 'services:\n  web:\n    pids_limit: [1, 2]\n' > "$T/list.yml"
printf 'services: [web]\n' > "$T/services-list.yml"
: > "$T/empty.yml"
row hostile-compose-missing 12 "missing.yml" run --docker-host "$NOSOCK" --duration 1 --compose "$T/missing.yml"
row hostile-compose-directory 12 "$T" run --docker-host "$NOSOCK" --duration 1 --compose "$T"
row hostile-compose-garbage 12 "garbage.yml" run --docker-host "$NOSOCK" --duration 1 --compose "$T/garbage.yml"
row hostile-compose-huge 12 "larger than" run --docker-host "$NOSOCK" --duration 1 --compose "$T/huge.yml"
row hostile-compose-deep-flow 12 "nested deeper" run --docker-host "$NOSOCK" --duration 1 --compose "$T/deep-flow.yml"
row hostile-compose-deep-block 12 "nested deeper" run --docker-host "$NOSOCK" --duration 1 --compose "$T/deep-block.yml"
row hostile-compose-alias-loop 12 "alias-loop.yml" run --docker-host "$NOSOCK" --duration 1 --compose "$T/alias-loop.yml"
row hostile-compose-services-list 12 "services" run --docker-host "$NOSOCK" --duration 1 --compose "$T/services-list.yml"
row hostile-compose-empty 12 "empty" run --docker-host "$NOSOCK" --duration 1 --compose "$T/empty.yml"
row hostile-compose-devnull 12 "" run --docker-host "$NOSOCK" --duration 1 --compose /dev/null
# Accepted, in one run (each accepted row loads the BPF programs): a merge
# cycle is cut by the lookup's depth bound; -5 is Docker's "unlimited"; an
# integer beyond int64 and a list are skipped with a warning naming the
# service, and the run goes on with the other sources.
row hostile-compose-accepted 01 "not an integer" run --docker-host "$NOSOCK" --duration 1 \
	--compose "$T/merge-loop.yml" --compose "$T/negative.yml" --compose "$T/absurd.yml" \
	--compose "$T/list.yml"
grep -q -F "not a number" "$T/row.err" || notok hostile-compose-accepted-list "no warning that a list is not a number: $(head -c 300 "$T/row.err")"

# ---- --docker-host ----

row hostile-docker-host-tcp 2 "tcp://" run --docker-host tcp://127.0.0.1:2375 --duration 1
row hostile-docker-host-relative 2 "" run --docker-host unix://relative.sock --duration 1
row hostile-docker-host-long 2 "longer" run --docker-host "unix://$T/$(head -c 200 /dev/zero | tr '\0' a)" --duration 1
# Not a daemon: run goes on without Docker (dockerd may come up later, and
# it reconnects), saying why and naming the socket.
row hostile-docker-host-regular-file 01 "$T/negative.yml" run --docker-host "unix://$T/negative.yml" --duration 1
if command -v socat > /dev/null 2>&1; then
	pg_bg "$T/socat1.log" socat "UNIX-LISTEN:$T/garbage.sock,fork" SYSTEM:'head -c 3000 /dev/urandom'
	cat > "$T/http.sh" <<'EOF'
#!/bin/sh
# An HTTP server whose every answer is 200 with a body that is not the API's.
while IFS= read -r l; do [ "$l" = "$(printf '\r')" ] && break; done
body='{"ApiVersion":[1,{"Version":null}],"Id":"../../etc","Type":"container"'
printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "${#body}" "$body"
EOF
	chmod +x "$T/http.sh"
	pg_bg "$T/socat2.log" socat "UNIX-LISTEN:$T/http.sock,fork" "EXEC:$T/http.sh"
	_end=$(( $(now_ms) + 3000 * PG_SCALE ))
	while { [ ! -S "$T/garbage.sock" ] || [ ! -S "$T/http.sock" ]; } && [ "$(now_ms)" -lt "$_end" ]; do
		sleep 0.05
	done
	row hostile-docker-host-garbage-bytes 01 "$T/garbage.sock" run --docker-host "unix://$T/garbage.sock" --duration 1
	row hostile-docker-host-bad-json 01 "$T/http.sock" run --docker-host "unix://$T/http.sock" --duration 1
else
	skip hostile-docker-host-garbage-bytes "socat is not installed (scripts/install-deps.sh installs it)"
	skip hostile-docker-host-bad-json "socat is not installed (scripts/install-deps.sh installs it)"
fi

# ---- pinned state from another version ----

# adopt_refused NAME WANT: status, limit and run each refuse the pinned
# state (exit 1, saying WANT and `pidguard stop`), and `pidguard stop`
# clears it all.
adopt_refused() {
	for cmd in "status" "limit $(cg_rel "$V") 5" "run --no-docker --duration 1"; do
		# shellcheck disable=SC2086 # the command's words
		timeout "$ROW_TIMEOUT" "$PG" $cmd > "$T/v.out" 2> "$T/v.err" < /dev/null
		rc=$?
		if [ "$rc" != 1 ] || ! grep -q -F "$2" "$T/v.err" || ! grep -q -F "pidguard stop" "$T/v.err"; then
			notok "$1" "pidguard $cmd: exit $rc, stderr: $(head -c 400 "$T/v.err" | tr '\n' '|')"
			return
		fi
	done
	if ! "$PG" stop > "$T/v.out" 2> "$T/v.err"; then
		notok "$1" "pidguard stop failed: $(head -c 300 "$T/v.err" | tr '\n' '|')"
	elif [ -e "$PIN_DIR" ]; then
		notok "$1" "pidguard stop left $PIN_DIR: $(ls "$PIN_DIR" | tr '\n' ' ')"
	else
		ok "$1"
	fi
}
# pins_cleanup: whatever a failed case left.
pins_cleanup() {
	[ -d "$PIN_DIR" ] && { "$PG" stop > /dev/null 2>&1 || rm -rf "$PIN_DIR"; }
	rm -f "/run/$(basename "$PIN_DIR").lock"
}

# A real instance whose stats map is then swapped for one with 8 bytes less
# per value, as an older pidguard would have pinned it: run, status and
# limit refuse, naming the map, both sizes and what to do, and read or
# write nothing through it; `pidguard stop` still clears it all.
V=$(cg_make v) || V=
name=hostile-pins-of-another-version
if [ -z "$BPFTOOL" ]; then
	skip "$name" "bpftool is not installed (scripts/install-deps.sh installs it)"
elif [ -z "$V" ]; then
	notok "$name" "cannot create a cgroup under $CG2"
elif ! "$PG" run --no-docker --duration 1 > "$T/v.out" 2> "$T/v.err" || [ ! -e "$PIN_DIR/stats" ]; then
	notok "$name" "a real instance did not stay pinned: $(head -c 300 "$T/v.err" | tr '\n' '|')"
else
	vs=$("$BPFTOOL" -j map show pinned "$PIN_DIR/stats" | jq -r .bytes_value)
	old=$((vs - 8))
	rm -f "$PIN_DIR/stats"
	"$BPFTOOL" map create "$PIN_DIR/stats" type array key 4 value "$old" entries 1 name stats
	adopt_refused "$name" "$PIN_DIR/stats was pinned by another version of pidguard (entries of 4+$old bytes, this version's are 4+$vs)"
fi
pins_cleanup

# An older version pinned fewer objects: adopting its state must say so,
# not fail on the first object it lacks with a bare ENOENT.
name=hostile-pins-missing-an-object
if [ -z "$V" ]; then
	notok "$name" "cannot create a cgroup under $CG2"
elif ! "$PG" run --no-docker --duration 1 > "$T/v.out" 2> "$T/v.err" || [ ! -e "$PIN_DIR/task_slots" ]; then
	notok "$name" "a real instance did not stay pinned: $(head -c 300 "$T/v.err" | tr '\n' '|')"
else
	rm -f "$PIN_DIR/task_slots" "$PIN_DIR/prog_slot_gc"
	adopt_refused "$name" "$PIN_DIR/task_slots is not pinned: the state at $PIN_DIR was pinned by another version of pidguard, or partly removed"
fi
pins_cleanup

rm -rf "/run/$(basename "$PIN_DIR")"
