#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Regenerate vmlinux/vmlinux.h from a kernel's BTF. The result is committed so
# that building pidguard needs no BTF on the build host; CO-RE relocations
# adapt the compiled object to whatever kernel loads it.
# Usage: scripts/gen-vmlinux.sh [BTF_FILE]   (default /sys/kernel/btf/vmlinux)
set -eu
btf=${1:-/sys/kernel/btf/vmlinux}
out=$(dirname "$0")/../vmlinux/vmlinux.h
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)
[ -r "$btf" ] || { echo "gen-vmlinux: no BTF at $btf (kernel built without CONFIG_DEBUG_INFO_BTF?)" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$bpftool" btf dump file "$btf" format c > "$tmp"
chmod 0644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "gen-vmlinux: wrote $out from $btf ($(wc -l < "$out") lines)"
