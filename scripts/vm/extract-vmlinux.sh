#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# extract-vmlinux.sh BZIMAGE OUT: write the ELF vmlinux held compressed inside
# an x86 bzImage to OUT. Booting the ELF (qemu's PVH entry) skips the
# kernel's own decompression, which costs seconds under TCG. Exit 1 when no
# supported payload is found (the caller then boots the bzImage).
set -u
img=$1
out=$2

is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

# try MAGIC(grep -P pattern) DECOMPRESSOR...: every offset where MAGIC occurs.
try() {
	magic=$1
	shift
	command -v "$1" >/dev/null 2>&1 || return 1
	for off in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1); do
		tail -c "+$((off + 1))" "$img" | "$@" >"$out.tmp" 2>/dev/null
		if is_elf "$out.tmp"; then
			mv "$out.tmp" "$out"
			return 0
		fi
	done
	rm -f "$out.tmp"
	return 1
}

try '\xfd\x37\x7a\x58\x5a\x00' xz -dc --single-stream ||
	try '\x28\xb5\x2f\xfd' zstd -dc ||
	try '\x1f\x8b\x08' gzip -dc ||
	try '\x02\x21\x4c\x18' lz4 -dc ||
	try '\x5d\x00\x00\x00' xz -dc --format=lzma ||
	exit 1
