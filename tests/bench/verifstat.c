// SPDX-License-Identifier: GPL-2.0
/*
 * verifstat - how hard the kernel's verifier works on each program of a BPF
 * object: the instructions it processed (of the 1,000,000 it allows a
 * program), its states, and its time.
 *
 *   verifstat OBJECT [PROG...]     every program, or the ones named
 *
 * Each program is loaded alone, from a fresh open of OBJECT, with the
 * verifier's statistics log (BPF_LOG_STATS), then closed: nothing stays
 * loaded. The read-only data keeps the object's compiled-in defaults,
 * not the values `pidguard run` sets, so the figures compare builds; they
 * are not those of a running instance. Prints one line per program:
 *
 *   fork_kill insns=57407 states=5068 peak_states=1595 verify_us=41234
 *   deny_alloc failed: Operation not permitted
 *
 * (an LSM program fails where the BPF LSM is not active). Exit status: 0
 * every named program was found, 1 setup failure or a name not found,
 * 2 usage error.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BPF_LOG_STATS: only the closing statistics, not the whole trace. */
#define LOG_STATS	4
#define LOG_SIZE	(1u << 20)

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static long log_field(const char *log, const char *key)
{
	const char *p = strstr(log, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* Load program name of path alone and print its statistics; -1 when the
 * object cannot be opened or has no such program. */
static int measure(const char *path, const char *name, char *log)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog, *want = NULL;
	int err;

	if (!obj) {
		fprintf(stderr, "verifstat: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	bpf_object__for_each_program(prog, obj) {
		bool is = !strcmp(bpf_program__name(prog), name);

		bpf_program__set_autoload(prog, is);
		if (is)
			want = prog;
	}
	if (!want) {
		fprintf(stderr, "verifstat: %s has no program %s\n", path, name);
		bpf_object__close(obj);
		return -1;
	}
	log[0] = 0;
	bpf_program__set_log_level(want, LOG_STATS);
	bpf_program__set_log_buf(want, log, LOG_SIZE);
	err = bpf_object__load(obj);
	if (err)
		printf("%s failed: %s\n", name, strerror(-err));
	else
		printf("%s insns=%ld states=%ld peak_states=%ld verify_us=%ld\n", name,
		       log_field(log, "processed "), log_field(log, "total_states "),
		       log_field(log, "peak_states "), log_field(log, "verification time "));
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	char *log;
	int rc = 0;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: verifstat OBJECT [PROG...]\n");
		return 2;
	}
	libbpf_set_print(quiet);
	log = malloc(LOG_SIZE);
	if (!log) {
		fprintf(stderr, "verifstat: out of memory\n");
		return 1;
	}
	if (argc > 2) {
		for (int i = 2; i < argc; i++)
			if (measure(argv[1], argv[i], log))
				rc = 1;
		free(log);
		return rc;
	}
	/* Every program: their names from one open. */
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "verifstat: cannot open %s: %s\n", argv[1], strerror(errno));
		free(log);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		if (measure(argv[1], bpf_program__name(prog), log))
			rc = 1;
	bpf_object__close(obj);
	free(log);
	return rc;
}
