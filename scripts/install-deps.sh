#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install everything pidguard's build, tests, VM harness and benchmarks need,
# from Debian's packages. Idempotent: packages already present are skipped,
# and apt-get is not even called when nothing is missing.
set -eu

PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev
pkg-config libcmocka-dev busybox-static qemu-system-x86 cpio gzip
libcurl4-openssl-dev libjansson-dev libyaml-dev docker.io iproute2 procps
libmicrohttpd-dev curl valgrind
libclang-rt-14-dev socat jq
groff-base man-db python3-yaml systemd"

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: must run as root (it calls apt-get)" >&2
	exit 1
fi

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
