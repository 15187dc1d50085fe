// SPDX-License-Identifier: GPL-2.0
/*
 * jitdump - a loaded BPF program's machine code, for reading next to a
 * profile (scripts/bpf-hot.sh). Debian's bpftool cannot print it (built
 * without libbfd); objdump can, from the raw bytes this writes.
 *
 *   jitdump PROG_ID FILE
 *
 * Writes the JIT image of every function of the program (its main function,
 * then its subprograms, bpf_loop callbacks included), back to back, to FILE,
 * and prints one line per function:
 *
 *   func 0 addr ffffffffc0025bac len 6250 off 0
 *
 * addr: the function's kernel address (where perf's samples fall); off:
 * where its bytes start in FILE. Exit status: 0 written, 1 failure (no such
 * program, not root, a kernel that hides JIT images: bpf_jit_kallsyms or
 * kptr_restrict), 2 usage error.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what)
{
	fprintf(stderr, "jitdump: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nfuncs, nlens, size, off = 0;
	unsigned char *image;
	__u64 *addrs;
	__u32 *lens;
	char *end;
	FILE *f;
	long id;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: jitdump PROG_ID FILE\n");
		return 2;
	}
	id = strtol(argv[1], &end, 10);
	if (*end || id <= 0) {
		fprintf(stderr, "jitdump: PROG_ID: want a program id (bpftool prog show), got '%s'\n",
			argv[1]);
		return 2;
	}
	fd = bpf_prog_get_fd_by_id((__u32)id);
	if (fd < 0)
		return fail("program id");
	/* First the sizes, then the arrays sized for them. */
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return fail("program info");
	size = info.jited_prog_len;
	nfuncs = info.nr_jited_ksyms;
	nlens = info.nr_jited_func_lens;
	if (!size || !nfuncs || nlens != nfuncs) {
		errno = EPERM;
		return fail("no JIT image visible (not root, or kptr_restrict)");
	}
	image = malloc(size);
	addrs = calloc(nfuncs, sizeof(*addrs));
	lens = calloc(nlens, sizeof(*lens));
	if (!image || !addrs || !lens)
		return fail("memory");
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = size;
	info.jited_prog_insns = (__u64)(unsigned long)image;
	info.nr_jited_ksyms = nfuncs;
	info.jited_ksyms = (__u64)(unsigned long)addrs;
	info.nr_jited_func_lens = nlens;
	info.jited_func_lens = (__u64)(unsigned long)lens;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return fail("program image");
	f = fopen(argv[2], "w");
	if (!f)
		return fail(argv[2]);
	if (fwrite(image, 1, size, f) != size || fclose(f))
		return fail(argv[2]);
	for (__u32 i = 0; i < nfuncs; i++) {
		printf("func %u addr %llx len %u off %u\n", i, (unsigned long long)addrs[i], lens[i],
		       off);
		off += lens[i];
	}
	return 0;
}
