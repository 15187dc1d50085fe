#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# test_install.sh - `make install` and `make uninstall` into a temporary
# DESTDIR, and what they ship: the systemd unit (systemd-analyze verify),
# the man page (groff with warnings as errors), the bash completion (sourced
# and driven) and the Kubernetes manifests (parsed).
#
# The docs must keep up with the code: every long option that `pidguard
# --help`, `run --help` or `status --help` prints must appear in the man
# page and in the completion, so adding an option without documenting it
# fails here.
#
# Writes nothing outside its temporary directory (the DESTDIR and, under
# it, .test/ for its own files): make gets `-o PG_BUILD/pidguard`, so it
# never rebuilds the binary. Needs no root, loads nothing. Tools: make,
# groff and man (groff-base, man-db), bash, python3-yaml, systemd-analyze
# (skipped with a reason when absent).

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
case "${PG_BUILD:-}" in /*|'') ;; *) PG_BUILD="$(pwd)/$PG_BUILD" ;; esac
. "$HERE/lib.sh"

DEST=$(mktemp -d /tmp/pgtest-install.XXXXXX) || exit 1
W=$DEST/.test
mkdir -p "$W" || exit 1
trap 'rm -rf "$DEST"; [ "$PG_FAILED" = 0 ] || exit 1' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SBIN=$DEST/usr/local/sbin/pidguard
UNIT=$DEST/usr/local/lib/systemd/system/pidguard.service
MAN=$DEST/usr/local/share/man/man8/pidguard.8
COMP=$DEST/usr/local/share/bash-completion/completions/pidguard
CONF=$DEST/etc/pidguard/pidguard.conf

if [ ! -x "$PG" ]; then
	notok install "no pidguard binary at $PG"
	exit 1
fi
# The VM harness runs the suite in a busybox initramfs: no make, no tree.
if ! command -v make > /dev/null 2>&1 || [ ! -f "$ROOT/Makefile" ]; then
	skip install "make or the source tree is not here (VM guest?)"
	exit 0
fi

# pg_make TARGET [VAR=VALUE...]: make in the tree, never rebuilding pidguard.
pg_make() {
	_t=$1; shift
	make -C "$ROOT" --no-print-directory -o "$PG_BUILD/pidguard" OUT="$PG_BUILD" \
		DESTDIR="$DEST" "$@" "$_t" > "$W/make.out" 2>&1
}

# mode_of FILE: octal permission bits ("644").
mode_of() { stat -c %a "$1" 2>/dev/null; }

# The long options that --help pages print (the reference).
{ "$PG" --help; "$PG" run --help; "$PG" status --help; } 2>&1 |
	grep -o -e '--[a-z][a-z-]*' | sort -u > "$W/opts"
"$PG" run --help 2>&1 | sed -n '/^Options of run:/,/^$/p' | grep -o -e '^  --[a-z][a-z-]*' |
	tr -d ' ' | sort -u > "$W/run_opts"
"$PG" status --help 2>&1 | sed -n '/^Options of status:/,/^$/p' |
	grep -o -e '^  --[a-z][a-z-]*' | tr -d ' ' | sort -u > "$W/status_opts"
"$PG" top --help 2>&1 | sed -n '/^Options of top:/,/^$/p' |
	grep -o -e '^  --[a-z][a-z-]*' | tr -d ' ' | sort -u > "$W/top_opts"

# ---- install ----

# An operator's config, there before the install: it must survive install
# and uninstall untouched.
mkdir -p "$DEST/etc/pidguard"
echo "# the operator's own" > "$CONF"

if ! pg_make install; then
	notok install "make install failed: $(tail -n 3 "$W/make.out" | tr '\n' ' ')"
	exit 1
fi
bad=""
for f in "$SBIN:755" "$UNIT:644" "$MAN:644" "$COMP:644"; do
	p=${f%:*}; want=${f##*:}
	got=$(mode_of "$p")
	[ "$got" = "$want" ] || bad="$bad ${p#"$DEST"} (mode ${got:-missing}, want $want)"
done
cmp -s "$PG" "$SBIN" || bad="$bad sbin/pidguard differs from $PG"
cmp -s "$ROOT/docs/pidguard.8" "$MAN" || bad="$bad the man page differs from docs/pidguard.8"
cmp -s "$ROOT/completions/pidguard.bash" "$COMP" || bad="$bad the completion differs"
# Nothing else: the binary, unit, man page, completion and the config.
find "$DEST" -path "$W" -prune -o -type f -print | sed "s#^$DEST##" | sort > "$W/files"
extra=$(grep -v -x -e /usr/local/sbin/pidguard -e /usr/local/lib/systemd/system/pidguard.service \
	-e /usr/local/share/man/man8/pidguard.8 \
	-e /usr/local/share/bash-completion/completions/pidguard -e /etc/pidguard/pidguard.conf \
	"$W/files" | tr '\n' ' ')
[ -z "$extra" ] || bad="$bad unexpected files: $extra"
if [ -z "$bad" ]; then
	ok "install: binary 0755, unit, man page and completion 0644 under PREFIX=/usr/local"
else
	notok install "$bad"
fi

if grep -q -x "ExecStart=/usr/local/sbin/pidguard run --config /etc/pidguard/pidguard.conf --log syslog" \
	"$UNIT" && ! grep -q '@[A-Z]*@' "$UNIT"; then
	ok "install: the unit's ExecStart names the installed binary"
else
	notok install_unit_prefix "ExecStart is '$(grep '^ExecStart=' "$UNIT")'"
fi

if [ "$(cat "$CONF")" = "# the operator's own" ]; then
	ok "install: an existing /etc/pidguard/pidguard.conf is left alone"
else
	notok install_keeps_config "the operator's config was overwritten"
fi
if [ -f "$ROOT/etc/pidguard.conf" ]; then
	rm -f "$CONF"
	if pg_make install && cmp -s "$ROOT/etc/pidguard.conf" "$CONF" &&
	   [ "$(mode_of "$CONF")" = 644 ]; then
		ok "install: the example config is installed where none was"
	else
		notok install_config "etc/pidguard.conf was not installed to /etc/pidguard (mode $(mode_of "$CONF"))"
	fi
	echo "# the operator's own" > "$CONF"
else
	skip install_config "no etc/pidguard.conf in the tree yet"
fi

# PREFIX: everything moves, ExecStart follows.
if make -C "$ROOT" --no-print-directory -o "$PG_BUILD/pidguard" OUT="$PG_BUILD" \
	DESTDIR="$W/p2" PREFIX=/usr install > "$W/make2.out" 2>&1 &&
   [ -x "$W/p2/usr/sbin/pidguard" ] && [ -f "$W/p2/usr/share/man/man8/pidguard.8" ] &&
   grep -q '^ExecStart=/usr/sbin/pidguard run ' "$W/p2/usr/lib/systemd/system/pidguard.service"; then
	ok "install: PREFIX=/usr moves every file and ExecStart"
else
	notok install_prefix "PREFIX=/usr: $(tail -n 2 "$W/make2.out" | tr '\n' ' ')"
fi
rm -rf "$W/p2"

# ---- the systemd unit ----

if ! command -v systemd-analyze > /dev/null 2>&1; then
	skip unit_verify "systemd-analyze not installed"
else
	# The unit as installed, but with ExecStart pointing into DESTDIR (verify
	# checks that the binary exists), and man:pidguard(8) found in DESTDIR.
	sed "s#/usr/local/sbin/pidguard#$SBIN#" "$UNIT" > "$W/pidguard.service"
	MANPATH=$DEST/usr/local/share/man systemd-analyze verify "$W/pidguard.service" \
		> "$W/verify.out" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$W/verify.out" ]; then
		ok "unit: systemd-analyze verify is silent"
	else
		notok unit_verify "rc=$rc: $(head -n 3 "$W/verify.out" | tr '\n' ' ')"
	fi
fi
# Enforcement must outlive a restart: no `pidguard stop` on ExecStop, and
# sandboxing that keeps /sys/fs/bpf and /sys/fs/cgroup writable.
bad=""
grep -q '^ExecStop=.*stop' "$UNIT" && bad="$bad ExecStop runs pidguard stop;"
grep -q '^Restart=on-failure$' "$UNIT" || bad="$bad no Restart=on-failure;"
grep -q '^StartLimitBurst=' "$UNIT" || bad="$bad no start limit;"
grep -q -e '^Wants=docker' -e '^Requires=docker' "$UNIT" && bad="$bad depends on docker;"
grep -q -e '^ProtectKernelTunables=yes' -e '^ProtectControlGroups=yes' "$UNIT" &&
	bad="$bad /sys made read-only;"
grep -q '^CapabilityBoundingSet=.*CAP_BPF' "$UNIT" || bad="$bad no CAP_BPF in the bounding set;"
if [ -z "$bad" ]; then
	ok "unit: no pidguard stop on ExecStop, restart on failure, BPF-capable sandbox"
else
	notok unit_policy "$bad"
fi

# ---- the man page ----

if ! command -v groff > /dev/null 2>&1; then
	skip man_render "groff not installed (groff-base)"
else
	groff -man -ww -z "$MAN" > "$W/groff.out" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$W/groff.out" ]; then
		ok "man: groff -man -ww renders pidguard.8 without a warning"
	else
		notok man_render "rc=$rc: $(head -n 3 "$W/groff.out" | tr '\n' ' ')"
	fi
fi
if ! command -v man > /dev/null 2>&1; then
	skip man_width "man not installed (man-db)"
else
	: > "$W/man.out"
	for width in 80 100; do
		MANWIDTH=$width man --warnings -l "$MAN" 2>> "$W/man.out" > "$W/man.txt"
	done
	if [ ! -s "$W/man.out" ] && grep -q 'SEE ALSO' "$W/man.txt"; then
		ok "man: man -l renders at 80 and 100 columns without a warning"
	else
		notok man_width "$(head -n 3 "$W/man.out" | tr '\n' ' ')"
	fi
fi

# Every long option, command, mode and section in the man page source (with
# roff's \- read as -).
sed 's/\\-/-/g' "$MAN" > "$W/man.src"
missing=""
while read -r o; do
	grep -q -E -e "(^|[^a-z-])$o([^a-z-]|$)" "$W/man.src" || missing="$missing $o"
done < "$W/opts"
for w in run status limit stop help version auto deny kill flag denied killed over_limit warn \
	migrated migrated_killed suppressed lost PIDGUARD_PIN_DIR DOCKER_HOST \
	/run/pidguard.lock /run/pidguard/containers /etc/pidguard/pidguard.conf bpftool \
	$PG_METRIC_FAMILIES; do
	grep -q -F -e "$w" "$W/man.src" || missing="$missing $w"
done
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS MODES TARGET "LIMIT SOURCES" \
	"CONFIGURATION FILE" EVENTS METRICS "EXIT STATUS" FILES ENVIRONMENT EXAMPLES "SEE ALSO"; do
	grep -q -x -e ".SH $s" -e ".SH \"$s\"" "$W/man.src" || missing="$missing section:$s"
done
if [ -z "$missing" ]; then
	ok "man: every option of --help ($(wc -l < "$W/opts" | tr -d ' ')), command, mode, event kind and metric is documented"
else
	notok man_coverage "missing from docs/pidguard.8:$missing"
fi

# ---- the bash completion ----

if ! command -v bash > /dev/null 2>&1; then
	skip completion "bash not installed"
else
	if bash -n "$COMP" 2> "$W/bashn.out"; then
		ok "completion: bash -n"
	else
		notok completion_syntax "$(head -n 2 "$W/bashn.out" | tr '\n' ' ')"
	fi
	# A docker that knows two containers, and one that fails.
	mkdir -p "$W/bin-ok" "$W/bin-bad"
	printf '#!/bin/sh\nprintf "web\\nshop_db_1\\n"\n' > "$W/bin-ok/docker"
	printf '#!/bin/sh\necho "Cannot connect to the Docker daemon" >&2\nexit 1\n' > "$W/bin-bad/docker"
	chmod 0755 "$W/bin-ok/docker" "$W/bin-bad/docker"
	cat > "$W/drive.bash" <<'EOF'
# drive.bash COMPLETION: prints "WORDS...| REPLY..." per case.
. "$1"
t() {
	COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
	_pidguard
	printf '%s|' "$*"; printf ' %s' "${COMPREPLY[@]}"; printf '\n'
}
t pidguard ''
t pidguard -
t pidguard run --
t pidguard status --
t pidguard top --
t pidguard -j run --mode ''
t pidguard run --mode = k
t pidguard run --log ''
t pidguard run --config "$2/conf"
t pidguard run --compose "$2/conf"
t pidguard status ''
t pidguard limit ''
t pidguard limit web ''
t pidguard run --limit w
t pidguard help ''
EOF
	: > "$W/conf-a.yml"
	PATH="$W/bin-ok:$PATH" bash "$W/drive.bash" "$COMP" "$W" > "$W/comp.out" 2> "$W/comp.err"
	PATH="$W/bin-bad:$PATH" bash "$W/drive.bash" "$COMP" "$W" > "$W/comp.bad" 2> "$W/comp.bad.err"
	# reply CASE: the completions of one case (exact line match on the words).
	reply() { awk -v k="$1|" 'index($0, k) == 1 { print substr($0, length(k) + 1) }' "$W/comp.out"; }
	has() { case " $(reply "$1") " in *" $2 "*) return 0 ;; esac; return 1; }
	bad=""
	for w in run status limit stop top help version; do has "pidguard " "$w" || bad="$bad cmd:$w"; done
	while read -r o; do has "pidguard run --" "$o" || bad="$bad run:$o"; done < "$W/run_opts"
	while read -r o; do
		has "pidguard status --" "$o" || bad="$bad status:$o"
	done < "$W/status_opts"
	while read -r o; do has "pidguard top --" "$o" || bad="$bad top:$o"; done < "$W/top_opts"
	# The rest are global options.
	grep -v -x -f "$W/run_opts" "$W/opts" | grep -v -x -f "$W/status_opts" |
		grep -v -x -f "$W/top_opts" > "$W/global_opts"
	while read -r o; do has "pidguard -" "$o" || bad="$bad global:$o"; done < "$W/global_opts"
	for m in auto deny kill flag; do has "pidguard -j run --mode " "$m" || bad="$bad mode:$m"; done
	[ "$(reply "pidguard run --mode = k")" = " kill" ] || bad="$bad --mode=k"
	for l in stderr syslog; do has "pidguard run --log " "$l" || bad="$bad log:$l"; done
	has "pidguard run --config $W/conf" "$W/conf-a.yml" || bad="$bad --config:file"
	has "pidguard run --compose $W/conf" "$W/conf-a.yml" || bad="$bad --compose:file"
	for c in web shop_db_1; do
		has "pidguard status " "$c" || bad="$bad status:$c"
		has "pidguard limit " "$c" || bad="$bad limit:$c"
	done
	has "pidguard run --limit w" "web=" || bad="$bad --limit:web="
	[ "$(reply "pidguard limit web ")" = " none" ] || bad="$bad limit-N:none"
	has "pidguard help " status || bad="$bad help:status"
	[ -s "$W/comp.err" ] && bad="$bad stderr:$(head -n 1 "$W/comp.err")"
	if [ -z "$bad" ]; then
		ok "completion: commands, every option of --help, modes, --log, files, container names"
	else
		notok completion "missing or wrong:$bad"
	fi
	if grep -q -x "pidguard status | *" "$W/comp.bad" && [ ! -s "$W/comp.bad.err" ]; then
		ok "completion: an unreachable Docker completes TARGET to nothing, quietly"
	else
		notok completion_no_docker "$(grep '^pidguard status |' "$W/comp.bad") $(head -n 1 "$W/comp.bad.err")"
	fi
fi

# ---- the Kubernetes manifests ----

if ! command -v python3 > /dev/null 2>&1 || ! python3 -c 'import yaml' 2> /dev/null; then
	skip kubernetes "python3 with yaml not installed (python3-yaml)"
else
	if python3 - "$ROOT/deploy/kubernetes/pidguard-daemonset.yaml" > "$W/k8s.out" 2>&1 <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {d["kind"]: d for d in docs}
ds, cm = kinds["DaemonSet"], kinds["ConfigMap"]
pod = ds["spec"]["template"]["spec"]
assert pod.get("hostPID") is True, "hostPID"
c = pod["containers"][0]
mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
assert mounts["/sys/fs/bpf"].get("mountPropagation") == "Bidirectional", "bpffs propagation"
for p in ("/sys/fs/cgroup", "/sys/kernel/tracing", "/run/pidguard", "/run/pidguard.lock",
          "/etc/pidguard"):
    assert p in mounts, "mount " + p
assert "pidguard.conf" in cm["data"], "config in the ConfigMap"
assert "run" in c["command"] and "--config" in c["command"], "runs pidguard run --config"
assert c["securityContext"].get("privileged") is True, "privileged (Bidirectional needs it)"
print("ok", len(docs), "documents")
EOF
	then
		ok "kubernetes: the DaemonSet and ConfigMap parse, hostPID, bpffs Bidirectional"
	else
		notok kubernetes "$(tail -n 2 "$W/k8s.out" | tr '\n' ' ')"
	fi
fi

# ---- uninstall ----

if ! pg_make uninstall; then
	notok uninstall "make uninstall failed: $(tail -n 3 "$W/make.out" | tr '\n' ' ')"
else
	left=""
	for p in "$SBIN" "$UNIT" "$MAN" "$COMP"; do
		[ -e "$p" ] && left="$left ${p#"$DEST"}"
	done
	if [ -z "$left" ] && [ "$(cat "$CONF" 2>/dev/null)" = "# the operator's own" ]; then
		ok "uninstall: removes what install put there, keeps the config"
	else
		notok uninstall "left:${left:- nothing}; config: $(cat "$CONF" 2>/dev/null || echo gone)"
	fi
fi
