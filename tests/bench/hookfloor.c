// SPDX-License-Identifier: GPL-2.0
/*
 * hookfloor - attach the empty programs of hookfloor.bpf.o (on the three
 * tracepoints of pidguard's fork path) and hold them until SIGINT or
 * SIGTERM: configuration (f) of `make bench`, the cost of the hooks alone.
 *
 *   hookfloor [OBJECT]     OBJECT defaults to hookfloor.bpf.o next to this
 *                          binary
 *
 * Prints "ready: N empty programs attached, ids: ID..." on stdout once
 * every program is attached (the ids for bpftool prog show: the bench
 * reads their run time); the links go when the process does. Exit status: 0 after a signal, 1 setup failure.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINKS 8

static int default_object(char *buf, size_t len)
{
	char *slash;
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n < 0)
		return -1;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (!slash || (size_t)(slash - buf) + sizeof("/hookfloor.bpf.o") > len)
		return -1;
	strcpy(slash, "/hookfloor.bpf.o");
	return 0;
}

/* The kernel's id of the program loaded at fd (0 if unknown). */
static __u32 prog_id(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_LINKS];
	__u32 ids[MAX_LINKS];
	struct bpf_program *prog;
	struct bpf_object *obj;
	char path[PATH_MAX];
	int n = 0, sig, err;
	sigset_t set;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: hookfloor [OBJECT]\n");
		return 1;
	}
	if (argc == 2)
		snprintf(path, sizeof(path), "%s", argv[1]);
	else if (default_object(path, sizeof(path))) {
		fprintf(stderr, "hookfloor: cannot find hookfloor.bpf.o next to this binary\n");
		return 1;
	}
	/* Block the signals first: one sent right after "ready" must not
	 * kill us before the wait (it would still end us, but with 143). */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "hookfloor: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "hookfloor: cannot load %s: %s\n", path, strerror(-err));
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (n == MAX_LINKS) {
			fprintf(stderr, "hookfloor: more than %d programs in %s\n", MAX_LINKS, path);
			return 1;
		}
		links[n] = bpf_program__attach(prog);
		if (!links[n]) {
			fprintf(stderr, "hookfloor: cannot attach %s: %s\n",
				bpf_program__name(prog), strerror(errno));
			return 1;
		}
		ids[n++] = prog_id(bpf_program__fd(prog));
	}
	printf("ready: %d empty programs attached, ids:", n);
	for (int i = 0; i < n; i++)
		printf(" %u", ids[i]);
	printf("\n");
	fflush(stdout);
	sigwait(&set, &sig);
	while (n--)
		bpf_link__destroy(links[n]);
	bpf_object__close(obj);
	return 0;
}
