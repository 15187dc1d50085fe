#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# docker-harness.sh - a private dockerd for pidguard's tests.
#
#   scripts/docker-harness.sh start|stop|status|env
#
# Everything lives under $PG_DOCKER_DIR (default /tmp/pidguard-dockerd): the
# API socket, data-root, exec-root, pidfile, daemon.json and dockerd.log, so
# the host's own Docker (if any) is never touched. No network set-up
# (--iptables=false --ip-masq=false --bridge=none): containers get only "lo".
# `start` also imports the image "pgbusybox" (busybox-static, /bin/sh) since
# no registry is reachable. `stop` signals the pid recorded in the pidfile,
# after checking that it still is our dockerd; never a process found by name
# (running test containers are killed first, through the API).
# Both are idempotent. `env` prints a DOCKER_HOST line for eval:
#   eval "$(scripts/docker-harness.sh env)"
#
# PG_DOCKER_HIDE_PIDS=1 starts the daemon in a mount namespace of its own
# where the v1 pids hierarchy is unmounted (unshare -m; umount): a daemon
# that cannot see the pids controller, which drops --pids-limit with only a
# warning ("PIDs limit discarded"). The host's mounts are not touched.
set -eu

DIR=${PG_DOCKER_DIR:-/tmp/pidguard-dockerd}
SOCK="$DIR/docker.sock"
PIDFILE="$DIR/dockerd.pid"
LOG="$DIR/dockerd.log"
IMAGE=pgbusybox
BUSYBOX=${PG_BUSYBOX:-/bin/busybox}
START_TIMEOUT=${PG_DOCKER_START_TIMEOUT:-30}
STOP_TIMEOUT=${PG_DOCKER_STOP_TIMEOUT:-30}

say() { echo "docker-harness: $*"; }
die() { echo "docker-harness: $*" >&2; exit 1; }

dk() { docker -H "unix://$SOCK" "$@"; }

# The pid in the pidfile, if that process is alive and is the dockerd that
# serves our socket (a stale pidfile may name a recycled pid).
our_pid() {
	[ -f "$PIDFILE" ] || return 1
	pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
	case "$pid" in '' | *[!0-9]*) return 1 ;; esac
	[ -r "/proc/$pid/cmdline" ] || return 1
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	case "$cmd" in
	*dockerd*"$SOCK"*) echo "$pid" ;;
	*) return 1 ;;
	esac
}

api_version() {
	dk version --format '{{.Server.APIVersion}}' 2>/dev/null
}

# Wait until pid $1 is gone, up to $2 seconds (tenths polled).
wait_gone() {
	n=$(($2 * 10))
	while [ -d "/proc/$1" ] && [ "$n" -gt 0 ]; do
		# A zombie child of ours would never go: we did not fork it,
		# so it is reaped by its parent; only check the state.
		st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null || true)
		[ "$st" = Z ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	[ ! -d "/proc/$1" ]
}

import_image() {
	if dk image inspect "$IMAGE" >/dev/null 2>&1; then
		return 0
	fi
	[ -x "$BUSYBOX" ] || die "no static busybox at $BUSYBOX (apt-get install busybox-static)"
	root="$DIR/rootfs"
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/etc"
	cp "$BUSYBOX" "$root/bin/busybox"
	for applet in $("$BUSYBOX" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
	done
	tar -C "$root" -cf - . |
		dk import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null ||
		die "docker import of $IMAGE failed"
	rm -rf "$root"
	say "imported image $IMAGE"
}

cmd_start() {
	if pid=$(our_pid); then
		say "already running (pid $pid, socket $SOCK)"
		import_image
		return 0
	fi
	command -v dockerd >/dev/null || die "dockerd not found (apt-get install docker.io)"
	mkdir -p "$DIR/data" "$DIR/exec"
	# Our own (empty) config: /etc/docker/daemon.json must not leak in.
	[ -f "$DIR/daemon.json" ] || echo '{}' >"$DIR/daemon.json"
	rm -f "$SOCK" "$PIDFILE"
	set -- setsid dockerd \
		--host "unix://$SOCK" \
		--data-root "$DIR/data" \
		--exec-root "$DIR/exec" \
		--pidfile "$PIDFILE" \
		--config-file "$DIR/daemon.json" \
		--iptables=false --ip-masq=false --bridge=none \
		--shutdown-timeout 2
	if [ "${PG_DOCKER_HIDE_PIDS:-0}" = 1 ]; then
		command -v unshare >/dev/null || die "PG_DOCKER_HIDE_PIDS=1 needs unshare (util-linux)"
		pids_mnt=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup" && ("," $(i + 3) ",") ~ /,pids,/) print $5; break } }' /proc/self/mountinfo | head -n 1)
		[ -n "$pids_mnt" ] || die "PG_DOCKER_HIDE_PIDS=1: no v1 pids hierarchy is mounted here"
		# Private propagation (unshare's default): the umount stays inside.
		# shellcheck disable=SC2016 # $1 and $@ belong to the inner sh
		set -- unshare -m --propagation private sh -c 'umount "$1" && shift && exec "$@"' \
			sh "$pids_mnt" "$@"
	fi
	# setsid: the daemon must not die with the shell that started it.
	"$@" >>"$LOG" 2>&1 </dev/null &
	launched=$!
	n=$((START_TIMEOUT * 10))
	while [ "$n" -gt 0 ]; do
		if [ -S "$SOCK" ] && api_version >/dev/null; then
			break
		fi
		if [ ! -d "/proc/$launched" ]; then
			tail -n 20 "$LOG" >&2
			die "dockerd exited during start-up (log: $LOG)"
		fi
		sleep 0.1
		n=$((n - 1))
	done
	if [ "$n" -eq 0 ]; then
		tail -n 20 "$LOG" >&2
		kill -TERM "$launched" 2>/dev/null || true
		die "dockerd not ready after ${START_TIMEOUT}s (log: $LOG)"
	fi
	pid=$(our_pid) || die "dockerd is up but $PIDFILE does not name it"
	say "started dockerd pid $pid, API $(api_version), socket $SOCK"
	import_image
}

cmd_stop() {
	if ! pid=$(our_pid); then
		say "not running"
		rm -f "$PIDFILE"
		return 0
	fi
	# The containerd that dockerd manages; it should exit with dockerd.
	cpid=$(cat "$DIR/exec/containerd/containerd.pid" 2>/dev/null || true)
	# Test containers are disposable: kill them through the API first, or
	# dockerd waits 10 s for each whose PID 1 ignores SIGTERM (sleep, sh).
	running=$(dk ps -q 2>/dev/null || true)
	# shellcheck disable=SC2086 # one id per word, on purpose
	[ -z "$running" ] || dk kill $running >/dev/null 2>&1 || true
	kill -TERM "$pid"
	if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
		say "dockerd $pid ignored SIGTERM for ${STOP_TIMEOUT}s, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || die "dockerd $pid does not die"
	fi
	case "$cpid" in '' | *[!0-9]*) ;; *)
		if [ -r "/proc/$cpid/cmdline" ] &&
			tr '\0' ' ' <"/proc/$cpid/cmdline" | grep -q "containerd.*$DIR/exec"; then
			kill -TERM "$cpid" 2>/dev/null || true
			wait_gone "$cpid" 10 || kill -KILL "$cpid" 2>/dev/null || true
		fi
		;;
	esac
	rm -f "$PIDFILE" "$SOCK"
	say "stopped dockerd pid $pid"
}

cmd_status() {
	if pid=$(our_pid); then
		say "running pid $pid, API $(api_version || echo '?'), socket $SOCK"
		return 0
	fi
	say "not running"
	return 3
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env)
	echo "DOCKER_HOST=unix://$SOCK"
	echo "export DOCKER_HOST"
	;;
*)
	echo "usage: $0 start|stop|status|env   (state in \$PG_DOCKER_DIR, default /tmp/pidguard-dockerd)" >&2
	exit 2
	;;
esac
