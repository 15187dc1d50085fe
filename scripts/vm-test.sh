#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm-test.sh: run pidguard's integration suite inside Debian's own kernel
# under qemu, once per kernel configuration (BPF LSM on / off). See docs/VM.md.
#
# It fetches (and caches) Debian bookworm's newest 6.1 kernel package without
# installing it, builds pidguard and its test tools on the host (one build,
# run unchanged in every guest: CO-RE), packs them with busybox-static into an
# initramfs, boots each configuration once, reads the result marker the
# guest's /init prints on the serial console, and exits with the suite's
# status.
set -euo pipefail

PROG=vm-test
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VMDIR=$ROOT/scripts/vm

usage() {
	cat <<EOF
usage: scripts/vm-test.sh [options]

Boot Debian's 6.1 kernel under qemu-system-x86_64 and run pidguard's
integration suite in it, one boot per configuration.

  --config NAME    lsm-on, lsm-off, zombie-index or all (default: all; may be
                   repeated)
                     lsm-on       lsm=...,bpf (BPF LSM active): auto must pick
                                  deny
                     lsm-off      lsm=... without bpf: auto must fall back to
                                  flag
                     zombie-index as lsm-on, with PIDGUARD_NO_RELEASE_HOOK=1:
                                  no reap hook, reaped zombies found by the
                                  check at the limit, as on kernels without
                                  trampolines, deny mode included
                                  (ZOMBIE_INDEX_TESTS only)
  --kvm            use KVM (only for hosts whose CPU has VMX/SVM; default TCG)
  --timeout S      seconds per boot before qemu is killed (default 1400)
  --smp N          vCPUs (default 2, as many as the host has cores: concurrent
                   forks on every vCPU; PG_VM_SMP also sets it)
  --mem SIZE       guest memory (default 1G)
  --cmd CMD        run CMD (sh -c, cwd /pidguard) in the guest instead of the
                   kernel-facing tests of the suite (VM_TESTS), e.g.
                   --cmd 'sh tests/integration/run.sh test_deny.sh'
  --build-dir DIR  use the pidguard and tools/ already built in DIR instead
                   of running make (default: make OUT=build-vm)
  --kernel-pkg P   Debian kernel package (default: newest bookworm 6.1,
                   linux-image-6.1.0-N-amd64-unsigned)
  --append ARGS    extra kernel command line words
  --keep           keep the work folder (initramfs, staging tree, logs)
  -q, --quiet      do not echo the guest console live (shown on failure)
  -h, --help       this text

Environment: PG_VM_CACHE (cache folder, default <repo>/.vm-cache),
PG_VM_TIMEOUT, PG_VM_KERNEL_PKG, PG_VM_BUILD (same as --build-dir),
PG_VM_TIME_SCALE (PG_TIME_SCALE passed to the suite: 20 under TCG, 2 with
KVM), PG_VM_INITRD_COMPRESS (none or gzip), PG_VM_EXTRA_BINS (host programs
copied into the guest with their libraries; default bpftool).

Exit status: 0 when every configuration passed; otherwise the suite's exit
status in the first failing configuration, 124 when a boot timed out or the
guest never printed its result, 2 for a usage error, 1 for a setup failure.
EOF
}

say() { echo "$PROG: $*"; }
die() {
	echo "$PROG: error: $*" >&2
	exit 1
}
usage_err() {
	echo "$PROG: $*" >&2
	echo "try: scripts/vm-test.sh --help" >&2
	exit 2
}

CONFIGS=()
USE_KVM=0
# 1400 (guest watchdog 1240): lsm-on's suite took 684-887 s in the
# fresh-clone CI runs of 2026-11-27, against a watchdog of 1060 at 1200: a
# CI machine 20 % slower than the build hosts would have timed out. Both
# long boots timing out would take 47 minutes of CI's 90.
TIMEOUT=${PG_VM_TIMEOUT:-1400}
# As many vCPUs as the build hosts have cores (2): concurrent forks still
# run on every vCPU, and no vCPU thread is starved by the others (with 4
# vCPUs on 2 cores, guests stalled in soft lockups while pidguard patched
# its tracepoints in).
SMP=${PG_VM_SMP:-2}
MEM=1G
CMD=
# The guest runs the tests whose subject is the kernel: BPF programs,
# counting, enforcement per mode (userspace enforcement on 6.1's flag-only
# kernel included: test_runaway), namespaces, faults. The userspace-only
# tests (config, command-line hostility, status layout, metrics, syslog,
# top, install, valgrind) are proven on the host and only cost time under
# TCG, where the whole suite outgrew the boot timeout.
VM_TESTS="test_bpftool.sh test_cli.sh test_crash.sh test_deny.sh test_deny_rollback.sh
test_faults.sh test_flag.sh test_kill.sh test_limits.sh test_ratelimit.sh test_runaway.sh
test_security.sh test_task_records.sh test_task_slots.sh test_unlimited.sh test_warn.sh"
# zombie-index: the tests that count reaps and decide at limits, on the
# zombie index with no reap hook (the build hosts' path, which has no deny
# mode there to test).
ZOMBIE_INDEX_TESTS="test_bpftool.sh test_deny.sh test_deny_rollback.sh test_flag.sh test_limits.sh"
BUILD_DIR=${PG_VM_BUILD:-}
KPKG=${PG_VM_KERNEL_PKG:-}
KPKG_GIVEN=$KPKG
APPEND=
KEEP=0
QUIET=0

while [ $# -gt 0 ]; do
	case "$1" in
	--config) [ $# -ge 2 ] || usage_err "--config needs a value"; CONFIGS+=("$2"); shift ;;
	--config=*) CONFIGS+=("${1#*=}") ;;
	--kvm) USE_KVM=1 ;;
	--timeout) [ $# -ge 2 ] || usage_err "--timeout needs a value"; TIMEOUT=$2; shift ;;
	--timeout=*) TIMEOUT=${1#*=} ;;
	--smp) [ $# -ge 2 ] || usage_err "--smp needs a value"; SMP=$2; shift ;;
	--mem) [ $# -ge 2 ] || usage_err "--mem needs a value"; MEM=$2; shift ;;
	--cmd) [ $# -ge 2 ] || usage_err "--cmd needs a value"; CMD=$2; shift ;;
	--build-dir) [ $# -ge 2 ] || usage_err "--build-dir needs a value"; BUILD_DIR=$2; shift ;;
	--kernel-pkg) [ $# -ge 2 ] || usage_err "--kernel-pkg needs a value"; KPKG=$2; KPKG_GIVEN=$2; shift ;;
	--append) [ $# -ge 2 ] || usage_err "--append needs a value"; APPEND="$APPEND $2"; shift ;;
	--keep) KEEP=1 ;;
	-q | --quiet) QUIET=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_err "unknown argument '$1'" ;;
	esac
	shift
done

[ ${#CONFIGS[@]} -gt 0 ] || CONFIGS=(all)
expanded=()
for c in "${CONFIGS[@]}"; do
	case "$c" in
	all) expanded+=(lsm-on lsm-off zombie-index) ;;
	lsm-on | lsm-off | zombie-index) expanded+=("$c") ;;
	*) usage_err "--config: unknown configuration '$c' (lsm-on, lsm-off, zombie-index, all)" ;;
	esac
done
# Deduplicate, keeping order.
CONFIGS=()
for c in "${expanded[@]}"; do
	case " ${CONFIGS[*]-} " in *" $c "*) ;; *) CONFIGS+=("$c") ;; esac
done
case "$TIMEOUT" in '' | *[!0-9]*) usage_err "--timeout: '$TIMEOUT' is not a number of seconds" ;; esac
[ "$TIMEOUT" -ge 30 ] || usage_err "--timeout: $TIMEOUT s is too short (30 at least)"
case "$SMP" in '' | *[!0-9]* | 0) usage_err "--smp: '$SMP' is not a positive number" ;; esac

[ "$(id -u)" -eq 0 ] || die "must run as root (apt-get installs; the initramfs holds device nodes)"
[ "$(uname -m)" = x86_64 ] || die "needs an x86_64 host (found $(uname -m))"

# --- accelerator (checked before any work) ---------------------------------
if [ "$USE_KVM" -eq 1 ]; then
	[ -w /dev/kvm ] || die "--kvm: /dev/kvm is missing or not writable"
	grep -qE '^flags.*\b(vmx|svm)\b' /proc/cpuinfo ||
		die "--kvm: this CPU shows no vmx/svm flag; KVM here cannot run a stock kernel (drop --kvm: TCG works)"
	ACCEL=(-accel kvm -cpu host)
	ACCEL_NAME=kvm
	TIME_SCALE=${PG_VM_TIME_SCALE:-2}
else
	# Single-threaded TCG: with thread=multi, guests stalled (soft lockups
	# on every vCPU) while the loader attached its programs, i.e. while the
	# kernel patched its own text across CPUs. The guest still has several
	# CPUs and interleaves them, so concurrent forks are still exercised.
	ACCEL=(-accel "tcg,thread=single" -cpu max)
	ACCEL_NAME=tcg
	# Measured on the 2-core build machines: fork+exec ~11x and a forker
	# storm (forks, threads, migrations) ~50x slower in the guest than on
	# the host. The suite multiplies its waits by PG_TIME_SCALE.
	TIME_SCALE=${PG_VM_TIME_SCALE:-20}
fi
case "$TIME_SCALE" in '' | *[!0-9]* | 0) usage_err "PG_VM_TIME_SCALE: '$TIME_SCALE' is not a positive integer" ;; esac

CACHE=${PG_VM_CACHE:-$ROOT/.vm-cache}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

# --- host packages ----------------------------------------------------------
APT_UPDATED=0
apt_update() {
	[ "$APT_UPDATED" -eq 1 ] && return 0
	say "apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq || say "warning: apt-get update failed; using the package lists present"
	APT_UPDATED=1
}

ensure_pkgs() {
	local missing="" p st
	for p in "$@"; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$st" = "install ok installed" ] || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	say "installing:$missing"
	apt_update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		die "apt-get install$missing failed"
}

# qemu, the guest userland, the initramfs and vmlinux extraction tools.
ensure_pkgs qemu-system-x86 busybox-static cpio gzip xz-utils coreutils findutils binutils
[ -z "$BUILD_DIR" ] && ensure_pkgs make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev \
	libzstd-dev pkg-config libcurl4-openssl-dev libjansson-dev libyaml-dev libmicrohttpd-dev
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing after installing busybox-static"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'dynamically linked' && die "$BUSYBOX is not static (install busybox-static, not busybox)"

# --- kernel -----------------------------------------------------------------
# The newest bookworm 6.1 image: what linux-image-amd64 depends on, unsigned
# flavour (same kernel, no Secure Boot signature).
resolve_kpkg() {
	local dep
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	if [ -z "$dep" ]; then
		dep=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64(-unsigned)?$' 2>/dev/null |
			awk '{print $1}' | sed 's/-unsigned$//' | sort -uV | tail -1)
	fi
	[ -n "$dep" ] || return 1
	case "$dep" in
	linux-image-6.1.*) ;;
	*) say "warning: linux-image-amd64 depends on $dep, not a 6.1 kernel; using it anyway" >&2 ;;
	esac
	if apt-cache show "$dep-unsigned" >/dev/null 2>&1; then
		echo "$dep-unsigned"
	else
		echo "$dep"
	fi
}

if [ -z "$KPKG" ]; then
	if ! KPKG=$(resolve_kpkg) || [ -z "$KPKG" ]; then
		apt_update
		KPKG=$(resolve_kpkg) || KPKG=
	fi
fi
KVER_PKG=
if [ -n "$KPKG" ]; then
	KVER_PKG=$(apt-cache show "$KPKG" 2>/dev/null | awk '/^Version:/ {print $2; exit}' || true)
	if [ -z "$KVER_PKG" ]; then
		apt_update
		KVER_PKG=$(apt-cache show "$KPKG" 2>/dev/null | awk '/^Version:/ {print $2; exit}' || true)
	fi
fi
KDIR=
if [ -n "$KPKG" ] && [ -n "$KVER_PKG" ]; then
	KDIR=$CACHE/kernel/${KPKG}_$KVER_PKG
else
	# No package lists (offline): fall back to the newest kernel cached.
	KDIR=$(ls -d "$CACHE"/kernel/*/ 2>/dev/null | sort -V | tail -1 || true)
	KDIR=${KDIR%/}
	[ -n "$KDIR" ] && [ -f "$KDIR/ok" ] ||
		die "cannot resolve Debian's 6.1 kernel package (apt-cache knows no linux-image-amd64) and none is cached in $CACHE/kernel"
	say "warning: apt cannot resolve the kernel package; using cached $(basename "$KDIR")"
fi

# Two runs sharing a cache must not unpack the same kernel at once.
exec 9>"$CACHE/.lock"
flock -w 600 9 || die "cannot lock $CACHE/.lock (another vm-test fetching a kernel?)"
# fetch_kernel: download $KPKG=$KVER_PKG into $KDIR and keep its /boot.
fetch_kernel() {
	local deb vmlinuz
	say "fetching $KPKG $KVER_PKG (apt-get download, not installed) into $KDIR"
	rm -rf "$KDIR"
	mkdir -p "$KDIR/deb"
	# _apt cannot write into root-only folders; download as root without warnings.
	(cd "$KDIR/deb" && apt-get download -q -o APT::Sandbox::User=root "$KPKG=$KVER_PKG" >/dev/null) ||
		{ say "apt-get download $KPKG=$KVER_PKG failed"; return 1; }
	deb=$(ls "$KDIR"/deb/*.deb)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$KDIR" --wildcards './boot/*' ||
		die "cannot unpack /boot from $deb"
	vmlinuz=$(ls "$KDIR"/boot/vmlinuz-* | head -1)
	[ -f "$vmlinuz" ] || die "$deb holds no /boot/vmlinuz-*"
	basename "$vmlinuz" | sed 's/^vmlinuz-//' >"$KDIR/release"
	echo "$KPKG $KVER_PKG" >"$KDIR/package"
	if "$VMDIR/extract-vmlinux.sh" "$vmlinuz" "$KDIR/vmlinux"; then
		say "extracted the ELF vmlinux (boots without decompression)"
	else
		say "warning: no ELF vmlinux found in $vmlinuz; booting the bzImage"
	fi
	rm -rf "$KDIR/deb" # 70 MB; the boot files are all we keep
	touch "$KDIR/ok"
}

if [ ! -f "$KDIR/ok" ] && ! fetch_kernel; then
	# Stale package lists can name a version the archive has dropped (the
	# security archive keeps only the newest): refresh, resolve again.
	rm -rf "$KDIR"
	[ "$APT_UPDATED" -eq 0 ] && [ -z "$KPKG_GIVEN" ] || die "cannot fetch $KPKG=$KVER_PKG"
	apt_update
	KPKG=$(resolve_kpkg) || die "cannot resolve Debian's 6.1 kernel package after apt-get update"
	KVER_PKG=$(apt-cache show "$KPKG" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
	KDIR=$CACHE/kernel/${KPKG}_$KVER_PKG
	[ -f "$KDIR/ok" ] || fetch_kernel || die "cannot fetch $KPKG=$KVER_PKG"
fi
flock -u 9
KREL=$(cat "$KDIR/release")
read -r KPKG KVER_PKG <"$KDIR/package"
KIMAGE=$KDIR/vmlinux
[ -f "$KIMAGE" ] || KIMAGE=$(ls "$KDIR"/boot/vmlinuz-* | head -1)
KCONFIG=$(ls "$KDIR"/boot/config-* 2>/dev/null | head -1 || true)
say "kernel: Debian $KPKG $KVER_PKG (release $KREL), image $(basename "$KIMAGE")"
if [ -n "$KCONFIG" ]; then
	for opt in CONFIG_BPF_LSM CONFIG_DEBUG_INFO_BTF CONFIG_CGROUP_PIDS; do
		grep -q "^$opt=y" "$KCONFIG" || say "warning: $opt is not =y in $(basename "$KCONFIG")"
	done
fi

# --- build ------------------------------------------------------------------
if [ -z "$BUILD_DIR" ]; then
	BUILD_DIR=$ROOT/build-vm
	say "building pidguard and test tools: make OUT=build-vm"
	make -C "$ROOT" --no-print-directory OUT=build-vm all || die "make OUT=build-vm failed"
fi
BUILD_DIR=$(cd "$BUILD_DIR" 2>/dev/null && pwd) || die "build folder '$BUILD_DIR' does not exist"
[ -n "$CMD" ] || [ -x "$BUILD_DIR/pidguard" ] || die "$BUILD_DIR/pidguard missing"

PG_SHA=
[ -f "$BUILD_DIR/pidguard" ] && PG_SHA=$(sha256sum "$BUILD_DIR/pidguard" | cut -d' ' -f1)
[ -z "$PG_SHA" ] || say "pidguard: $BUILD_DIR/pidguard, sha256 ${PG_SHA:0:16}..., run unchanged in every guest"

# --- initramfs --------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pidguard-vm.XXXXXX")
cleanup() {
	if [ "$KEEP" -eq 1 ]; then
		say "kept work folder $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
STAGE=$WORK/root
mkdir -p "$STAGE"

# Mirror the host's merged-/usr symlinks so that every path ldd prints (and
# the ELF interpreter path) resolves the same way in the guest.
for d in bin sbin lib lib64 lib32 libx32; do
	if [ -L "/$d" ]; then
		ln -s "$(readlink "/$d")" "$STAGE/$d"
		mkdir -p "$STAGE/$(readlink -m "/$d" | sed 's|^/||')"
	fi
done
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,var/tmp,pidguard}

install -m 0755 "$BUSYBOX" "$STAGE/bin/busybox"
# Same as `busybox --install -s`, done at build time.
"$BUSYBOX" --list-full | while read -r applet; do
	[ -e "$STAGE/$applet" ] || [ -L "$STAGE/$applet" ] || ln -s /bin/busybox "$STAGE/$applet"
done
[ -e "$STAGE/bin/sh" ] || ln -s busybox "$STAGE/bin/sh"

# copy_file SRC [DST]: copy dereferenced, keeping the path.
copy_file() {
	local src=$1 dst=${2:-$1}
	[ -e "$STAGE$dst" ] && return 0
	mkdir -p "$STAGE$(dirname "$dst")"
	cp -L "$src" "$STAGE$dst"
}
# copy_libs ELF: copy every shared library ldd lists, and the dynamic loader.
copy_libs() {
	local line path
	file -L "$1" 2>/dev/null | grep -q 'dynamically linked' || return 0
	ldd "$1" 2>/dev/null | while read -r line; do
		case "$line" in
		*"=> not found"*) die "$1: shared library missing on the host: $line" ;;
		*"=> /"*) path=${line#*=> }; path=${path%% (*} ;;
		/*) path=${line%% (*} ;;
		*) continue ;;
		esac
		copy_file "$path"
	done
}

# pidguard, its tools and anything else the build produced that is executable.
mkdir -p "$STAGE/pidguard/build"
( cd "$BUILD_DIR" && find . -maxdepth 3 \( -path ./user -o -path ./tests \) -prune -o \
	\( -type f \( -perm -u+x -o -name '*.bpf.o' \) -print \) ) | while read -r f; do
	mkdir -p "$STAGE/pidguard/build/$(dirname "$f")"
	cp "$BUILD_DIR/$f" "$STAGE/pidguard/build/$f"
	[ -x "$BUILD_DIR/$f" ] && copy_libs "$BUILD_DIR/$f"
	true
done
# The suite and its helpers (sources too: small, and some tests read them).
if [ -d "$ROOT/tests" ]; then
	cp -a "$ROOT/tests" "$STAGE/pidguard/tests"
fi
[ -d "$ROOT/scripts" ] && cp -a "$ROOT/scripts" "$STAGE/pidguard/scripts"
# bpftool for the suite's `bpftool map dump pinned ...` checks, when present.
EXTRA_BINS=${PG_VM_EXTRA_BINS-bpftool}
for extra in $EXTRA_BINS; do
	p=$(command -v "$extra" 2>/dev/null || true)
	[ -n "$p" ] || { [ -x "/usr/sbin/$extra" ] && p=/usr/sbin/$extra; } || true
	if [ -n "$p" ]; then
		copy_file "$p" "/usr/sbin/$extra"
		copy_libs "$p"
	fi
done

cat >"$STAGE/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$STAGE/etc/group" <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF
echo "127.0.0.1 localhost pidguard-vm" >"$STAGE/etc/hosts"
: >"$STAGE/etc/fstab"
install -m 0755 "$VMDIR/init" "$STAGE/init"
if [ -n "$CMD" ]; then
	# Single-quote CMD for busybox sh (no bash-only $'...').
	q=$(printf '%s' "$CMD" | sed "s/'/'\\\\''/g")
	printf "PG_VM_CMD='%s'\n" "$q" >"$STAGE/pidguard/vm.conf"
else
	# One initramfs for every configuration: the guest picks its list.
	{
		echo 'case "$PG_VM_CONFIG" in'
		echo "zombie-index) PG_VM_CMD='sh tests/integration/run.sh $(echo $ZOMBIE_INDEX_TESTS)' ;;"
		echo "*) PG_VM_CMD='sh tests/integration/run.sh $(echo $VM_TESTS)' ;;"
		echo 'esac'
	} >"$STAGE/pidguard/vm.conf"
fi
mknod -m 600 "$STAGE/dev/console" c 5 1
mknod -m 666 "$STAGE/dev/null" c 1 3

# Uncompressed by default: under TCG the guest's gunzip costs more (about
# 2 s for 11 MB) than qemu loading the larger file.
case "${PG_VM_INITRD_COMPRESS:-none}" in
none) INITRD=$WORK/initramfs.cpio Z=(cat) ;;
gzip) INITRD=$WORK/initramfs.cpio.gz Z=(gzip -1) ;;
*) usage_err "PG_VM_INITRD_COMPRESS: none or gzip" ;;
esac
(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0 | "${Z[@]}" >"$INITRD")
say "initramfs: $(du -h "$INITRD" | cut -f1) ($(find "$STAGE" | wc -l) files)"

# --- qemu -------------------------------------------------------------------
LSM_BASE=lockdown,capability,landlock,yama,apparmor
declare -A RESULT SECS LSMS RETRIED
overall=0
# Totals of the suites' closing lines over every configuration.
TOT_PASS=0 TOT_FAIL=0 TOT_SKIP=0

run_config() {
	local cfg=$1 lsm expect log t0 t1 rc marker st reap=release_task extra=
	case "$cfg" in
	lsm-on) lsm=$LSM_BASE,bpf expect=deny ;;
	lsm-off) lsm=$LSM_BASE expect=flag ;;
	zombie-index) lsm=$LSM_BASE,bpf expect=deny reap=limit-check extra=" PIDGUARD_NO_RELEASE_HOOK=1" ;;
	esac
	log=$WORK/$cfg.log
	# The guest's watchdog fires first, so a hung suite still reports.
	local guest_to=$((TIMEOUT - 20 - (TIMEOUT / 10)))
	local append="console=ttyS0 panic=-1 oops=panic quiet loglevel=4 lsm=$lsm"
	append="$append PG_VM_CONFIG=$cfg PG_MODE_EXPECT=$expect PG_REAP_EXPECT=$reap PG_VM_TIMEOUT=$guest_to PG_TIME_SCALE=$TIME_SCALE$extra$APPEND"
	say "$cfg: booting Debian $KREL ($ACCEL_NAME, $SMP vCPUs, $MEM, timeout ${TIMEOUT}s, time scale $TIME_SCALE), lsm=$lsm, expecting mode $expect"
	t0=$(date +%s.%N)
	set +e
	if [ "$QUIET" -eq 1 ]; then
		timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${ACCEL[@]}" -m "$MEM" -smp "$SMP" \
			-nographic -no-reboot -display none -monitor none -serial stdio -nodefaults \
			-kernel "$KIMAGE" -initrd "$INITRD" -append "$append" </dev/null >"$log" 2>&1
		rc=$?
	else
		timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${ACCEL[@]}" -m "$MEM" -smp "$SMP" \
			-nographic -no-reboot -display none -monitor none -serial stdio -nodefaults \
			-kernel "$KIMAGE" -initrd "$INITRD" -append "$append" </dev/null 2>&1 |
			tee "$log" | sed -u "s/\r\$//; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/^/  [$cfg] /"
		rc=${PIPESTATUS[0]}
	fi
	set -e
	t1=$(date +%s.%N)
	SECS[$cfg]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
	sed 's/\r$//; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' "$log" >"$log.txt" && mv "$log.txt" "$log"
	# Keep the logs of the last run in the cache, where they survive --keep.
	mkdir -p "$CACHE/logs"
	cp "$log" "$CACHE/logs/$cfg.log"

	LSMS[$cfg]=$(sed -n 's/^PGVM-INFO lsm=//p' "$log" | tail -1)
	marker=$(grep -a '^PGVM-RESULT ' "$log" | tail -1 || true)
	st=
	if [ -n "$marker" ]; then
		st=$(echo "$marker" | sed -n 's/.* rc=\([0-9][0-9]*\).*/\1/p')
	fi
	if [ -z "$st" ]; then
		# Under TCG with more vCPUs than host cores, a starved vCPU can
		# stall the guest kernel (soft lockup / RCU stall) before any
		# test ran: the emulator's failure, not the suite's. Boot once
		# more, saying so; a second stall fails.
		if [ -z "${RETRIED[$cfg]:-}" ] &&
			grep -aqE 'soft lockup - CPU|rcu_preempt detected stalls|rcu_sched detected stalls' "$log"; then
			RETRIED[$cfg]=1
			say "$cfg: no result, and the guest kernel stalled (vCPU starvation under TCG):"
			grep -aE 'soft lockup - CPU|detected stalls' "$log" | head -3 | sed 's/^/  | /'
			say "$cfg: booting it once more (the stalled log: $CACHE/logs/$cfg.stalled.log)"
			mkdir -p "$CACHE/logs"
			cp "$log" "$CACHE/logs/$cfg.stalled.log"
			return 3
		fi
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			RESULT[$cfg]="TIMEOUT"
			say "$cfg: FAILED: no result after ${TIMEOUT}s (qemu killed by timeout); last lines of the console:"
		else
			RESULT[$cfg]="NO-RESULT"
			say "$cfg: FAILED: the guest stopped without printing its result (qemu exit $rc: panic, crash or early error); last lines of the console:"
		fi
		tail -n 40 "$log" | sed 's/^/  | /'
		say "$cfg: full console log: $CACHE/logs/$cfg.log"
		[ "$overall" -ne 0 ] || overall=124
		TOT_FAIL=$((TOT_FAIL + 1))
		return 0
	fi
	if grep -aq '^PGVM-INFO guest watchdog' "$log"; then
		say "$cfg: FAILED: the command was still running after ${guest_to}s (guest watchdog; host timeout ${TIMEOUT}s)"
	fi

	# The suite's own closing line: integration: N passed, N failed, N skipped
	local counts p f k
	counts=$(grep -aE '^[A-Za-z_-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)
	if [ -n "$counts" ]; then
		p=$(echo "$counts" | sed -n 's/.* \([0-9][0-9]*\) passed.*/\1/p')
		f=$(echo "$counts" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
		k=$(echo "$counts" | sed -n 's/.* \([0-9][0-9]*\) skipped.*/\1/p')
		TOT_PASS=$((TOT_PASS + ${p:-0})) TOT_FAIL=$((TOT_FAIL + ${f:-0})) TOT_SKIP=$((TOT_SKIP + ${k:-0}))
		# A failing status with no failed test still counts as one failure.
		[ "$st" -eq 0 ] || [ "${f:-0}" -gt 0 ] || TOT_FAIL=$((TOT_FAIL + 1))
	elif [ "$st" -eq 0 ]; then
		TOT_PASS=$((TOT_PASS + 1))
	else
		TOT_FAIL=$((TOT_FAIL + 1))
	fi

	local fail=0
	# The very binary built on the host ran in the guest (CO-RE: no rebuild).
	if [ -n "$PG_SHA" ]; then
		local gsha
		gsha=$(sed -n 's/^PGVM-INFO pidguard-sha256=//p' "$log" | tail -1)
		if [ "$gsha" != "$PG_SHA" ]; then
			fail=1
			say "$cfg: FAILED: the guest's pidguard (sha256 ${gsha:-unknown}) is not the host's ($PG_SHA)"
		fi
	fi
	# The configuration must have taken effect, or the result proves nothing.
	case "$cfg" in
	lsm-on | zombie-index) case ",${LSMS[$cfg]}," in *,bpf,*) ;; *) fail=1; say "$cfg: FAILED: bpf is not in the guest's active LSMs (${LSMS[$cfg]:-unknown})" ;; esac ;;
	lsm-off) case ",${LSMS[$cfg]}," in *,bpf,*) fail=1; say "$cfg: FAILED: bpf is in the guest's active LSMs (${LSMS[$cfg]})" ;; esac ;;
	esac
	# A kernel splat during the suite is a bug even when the suite passed.
	if grep -aqE '(^|\] )(BUG: |WARNING: CPU: |Oops: |Kernel panic|general protection fault|INFO: task .* blocked)' "$log"; then
		fail=1
		say "$cfg: FAILED: the guest kernel logged a BUG/WARNING/Oops:"
		grep -aE -A8 '(^|\] )(BUG: |WARNING: CPU: |Oops: |Kernel panic|general protection fault|INFO: task .* blocked)' "$log" | head -40 | sed 's/^/  | /'
	fi
	if [ "$st" -ne 0 ]; then
		RESULT[$cfg]="FAIL rc=$st"
		say "$cfg: suite FAILED (rc=$st) in ${SECS[$cfg]}s"
		[ "$QUIET" -eq 0 ] || sed -n '/^PGVM-BEGIN$/,$p' "$log" | tail -n 60 | sed 's/^/  | /'
		[ "$overall" -ne 0 ] || overall=$st
	elif [ "$fail" -ne 0 ]; then
		RESULT[$cfg]="FAIL (checks)"
		TOT_FAIL=$((TOT_FAIL + 1))
		[ "$overall" -ne 0 ] || overall=1
	else
		RESULT[$cfg]="pass"
		say "$cfg: passed in ${SECS[$cfg]}s ($(grep -a '^integration: ' "$log" | tail -1 || echo "rc=0"))"
	fi
	say "$cfg: console log: $CACHE/logs/$cfg.log"
}

for cfg in "${CONFIGS[@]}"; do
	crc=0
	run_config "$cfg" || crc=$?
	[ "$crc" -ne 3 ] || run_config "$cfg"
done

say "summary (Debian $KPKG $KVER_PKG, $ACCEL_NAME):"
for cfg in "${CONFIGS[@]}"; do
	printf '%s:   %-12s %-14s %7ss  lsm=%s\n' "$PROG" "$cfg" "${RESULT[$cfg]}" "${SECS[$cfg]}" "${LSMS[$cfg]:-?}"
done
# The failed tests again, last: a CI log is often read from its tail.
for cfg in "${CONFIGS[@]}"; do
	[ "${RESULT[$cfg]:-}" = pass ] && continue
	grep -a '^not ok - ' "$CACHE/logs/$cfg.log" 2>/dev/null | head -n 20 |
		cut -c1-400 | sed "s/^/$PROG:   $cfg: /" || true
done
# One closing line for CI, summed over the configurations.
echo "vm: $TOT_PASS passed, $TOT_FAIL failed, $TOT_SKIP skipped"
exit "$overall"
