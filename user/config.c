// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - the configuration file of `pidguard run`: the file checks, the
 * line syntax, and the merge with the command line. The syntax and the
 * precedence rules are described in config.h.
 *
 * This file only knows lines: which options exist, how each value is
 * validated and what it sets all live in cli.c (cli__apply_option), so that
 * a value means the same, and is refused in the same words, in a file and
 * on the command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"

/* More than run has options: the "set twice" bookkeeping is per option. */
#define MAX_OPTIONS	32

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static char *trim(char *s)
{
	char *end;

	while (is_blank(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_blank(end[-1]))
		*--end = '\0';
	return s;
}

/* The line number of byte off of text (1-based). */
static int line_of(const char *text, size_t off)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

/* Levenshtein distance of a and b, capped: only "is it 1 or 2 edits" matters. */
static int distance(const char *a, const char *b)
{
	int prev[32], cur[32];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la >= 32 || lb >= 32)
		return 99;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

/* "unknown option 'X'" and the way out: its spelling without dashes, a near name, or the list. */
static void unknown_option(const char *key, const char *where, char *err, size_t errlen)
{
	const char *bare = key, *name, *best = NULL;
	char b[PG_SHOW_BUF];
	int i, d, best_d = 3;	/* more than 2 edits away is another word */
	size_t off;

	while (*bare == '-')
		bare++;
	if (bare != key && cli__option_kind(bare) != PG_OPT_UNKNOWN) {
		snprintf(err, errlen, "%s: unknown option '%s' (options are written without dashes: '%s')",
			 where, cli__show(key, b), bare);
		return;
	}
	for (i = 0; (name = cli__option_name(i)); i++) {
		d = distance(bare, name);
		if (d < best_d) {
			best_d = d;
			best = name;
		}
	}
	if (best) {
		snprintf(err, errlen, "%s: unknown option '%s' (did you mean '%s'?)", where,
			 cli__show(key, b), best);
		return;
	}
	off = snprintf(err, errlen, "%s: unknown option '%s' (options:", where, cli__show(key, b));
	for (i = 0; (name = cli__option_name(i)) && off < errlen; i++)
		off += snprintf(err + off, errlen - off, "%s %s", i ? "," : "", name);
	if (off < errlen)
		snprintf(err + off, errlen - off, ")");
}

/*
 * The value after '=': quoted (literal up to the next '"', then only a
 * comment may follow) or bare (up to a '#' that follows whitespace). NULL
 * with err set when a quote is left open or followed by text.
 */
static char *line_value(char *v, const char *where, char *err, size_t errlen)
{
	char *raw = v, *q, *end;

	v = trim(v);
	if (*v == '"') {
		end = strchr(v + 1, '"');
		if (!end) {
			snprintf(err, errlen, "%s: the quoted value has no closing '\"'", where);
			return NULL;
		}
		*end = '\0';
		q = end + 1;
		while (is_blank(*q))
			q++;
		if (*q && *q != '#') {
			snprintf(err, errlen,
				 "%s: text after the closing '\"' (only a # comment may follow)",
				 where);
			return NULL;
		}
		return v + 1;
	}
	/* From just after '=': "warn = # none" is an empty value, "a=#1" is text. */
	for (q = raw; *q; q++) {
		if (*q == '#' && q > raw && is_blank(q[-1])) {
			*q = '\0';
			break;
		}
	}
	return trim(v);
}

/* One line, already cut at its end and known not to be blank or a comment. */
static int parse_line(char *line, const char *where, int lineno, int *seen, struct pg_cmdline *out,
		      char *err, size_t errlen)
{
	char b[PG_SHOW_BUF], cli_err[512];
	char *eq = strchr(line, '='), *key, *value;
	enum pg_opt_kind kind;
	const char *name;
	int i;

	if (!eq) {
		snprintf(err, errlen, "%s: '%s' is not 'option = value'", where, cli__show(line, b));
		return PG_EXIT_USAGE;
	}
	*eq = '\0';
	key = trim(line);
	if (!*key) {
		snprintf(err, errlen, "%s: no option name before '='", where);
		return PG_EXIT_USAGE;
	}
	if (!strcmp(key, "config")) {
		snprintf(err, errlen,
			 "%s: 'config' cannot be set in a config file (no includes: one file, given with --config)",
			 where);
		return PG_EXIT_USAGE;
	}
	kind = cli__option_kind(key);
	if (kind == PG_OPT_UNKNOWN) {
		unknown_option(key, where, err, errlen);
		return PG_EXIT_USAGE;
	}
	value = line_value(eq + 1, where, err, errlen);
	if (!value)
		return PG_EXIT_USAGE;
	if (kind != PG_OPT_LIST) {
		for (i = 0; (name = cli__option_name(i)) && i < MAX_OPTIONS; i++)
			if (!strcmp(name, key))
				break;
		if (i < MAX_OPTIONS && name) {
			if (seen[i]) {
				snprintf(err, errlen, "%s: '%s' is set twice (first on line %d)",
					 where, key, seen[i]);
				return PG_EXIT_USAGE;
			}
			seen[i] = lineno;
		}
	}
	if (cli__apply_option(out, key, value, cli_err, sizeof(cli_err))) {
		snprintf(err, errlen, "%s: %s", where, cli_err);
		return PG_EXIT_USAGE;
	}
	return 0;
}

int config__parse(char *text, size_t len, const char *name, struct pg_cmdline *out, char *err,
		  size_t errlen)
{
	int seen[MAX_OPTIONS] = { 0 }, lineno = 0, ret;
	char where[PG_SHOW_BUF + 16], b[PG_SHOW_BUF];
	char *line = text, *end, *nul;

	if (errlen)
		err[0] = '\0';
	/* A NUL would end a line early and hide the rest of it: refuse the file. */
	nul = memchr(text, '\0', len);
	if (nul) {
		snprintf(err, errlen, "%s:%d: a NUL byte (a config file is text)",
			 cli__show(name, b), line_of(text, nul - text));
		return PG_EXIT_USAGE;
	}
	while (line < text + len) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%d", cli__show(name, b), lineno);
		end = memchr(line, '\n', text + len - line);
		if (!end)
			end = text + len;	/* the last line, without '\n': text[len] is NUL */
		if (end - line > PG_CONF_MAX_LINE) {
			snprintf(err, errlen, "%s: a line longer than %d bytes", where,
				 PG_CONF_MAX_LINE);
			return PG_EXIT_USAGE;
		}
		*end = '\0';
		line = trim(line);
		if (*line && *line != '#') {
			ret = parse_line(line, where, lineno, seen, out, err, errlen);
			if (ret)
				return ret;
		}
		line = end + 1;
	}
	return 0;
}

static const char *file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	}
	return "not a regular file";
}

/*
 * The file decides what is enforced: one that others may rewrite is a way
 * around pidguard the next time it starts. Not refused (a config management
 * tool may deploy it that way, and refusing would leave a host unprotected),
 * but said.
 */
static void check_owner(const struct stat *st, const char *shown, char *warn, size_t warnlen)
{
	bool writable = st->st_mode & (S_IWGRP | S_IWOTH), foreign = st->st_uid != 0;
	const char *what;

	if (!writable && !foreign)
		return;
	if (!foreign)
		what = "writable by group or others";
	else if (!writable)
		what = "not owned by root";
	else
		what = "writable by group or others and not owned by root";
	snprintf(warn, warnlen,
		 "%s is %s (mode %04o, uid %u): whoever can write it decides what pidguard enforces from its next start; chown root and chmod go-w it",
		 shown, what, (unsigned int)(st->st_mode & 07777), (unsigned int)st->st_uid);
}

int config__read(struct pg_conf_file *cf, const char *path, char *warn, size_t warnlen,
		 char *err, size_t errlen)
{
	char b[PG_SHOW_BUF];
	size_t cap, len = 0;
	struct stat st;
	char *text = NULL, *bigger;
	ssize_t n;
	int fd;

	cf->text = NULL;
	cf->len = 0;
	if (warnlen)
		warn[0] = '\0';
	cli__show(path, b);
	/* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open the config file: %s", b, strerror(errno));
		return PG_EXIT_USAGE;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: cannot stat the config file: %s", b, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: is %s, not a regular file", b, file_type(st.st_mode));
		goto fail;
	}
	if (st.st_size > PG_CONF_MAX_SIZE) {
		snprintf(err, errlen, "%s: %lld bytes, larger than a config file may be (1 MiB)", b,
			 (long long)st.st_size);
		goto fail;
	}
	check_owner(&st, b, warn, warnlen);
	/*
	 * The size is a hint (the file may change while it is read, and some
	 * files report 0): read to the end, growing, within the cap.
	 */
	cap = st.st_size + 64;
	for (;;) {
		if (len + 1 >= cap || !text) {
			cap = text ? cap * 2 : cap;
			bigger = realloc(text, cap);
			if (!bigger) {
				snprintf(err, errlen, "%s: out of memory", b);
				goto fail;
			}
			text = bigger;
		}
		n = read(fd, text + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: cannot read the config file: %s", b,
				 strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
		if (len > PG_CONF_MAX_SIZE) {
			snprintf(err, errlen, "%s: larger than a config file may be (1 MiB)", b);
			goto fail;
		}
	}
	close(fd);
	text[len] = '\0';
	cf->text = text;
	cf->len = len;
	return 0;
fail:
	free(text);
	close(fd);
	return PG_EXIT_USAGE;
}

int config__apply(struct pg_conf_file *cf, int argc, char **argv, struct pg_cmdline *cl,
		  char *warn, size_t warnlen, char *err, size_t errlen)
{
	/* Points into argv: it survives cli__init(cl) below. */
	const char *path = cl->config_path;
	char merged_err[512], b[PG_SHOW_BUF];
	int ret;

	ret = config__read(cf, path, warn, warnlen, err, errlen);
	if (ret)
		return ret;
	cli__init(cl);
	ret = config__parse(cf->text, cf->len, path, cl, err, errlen);
	if (ret)
		return ret;
	/*
	 * argv alone parsed cleanly before, so what fails now fails because of
	 * the file too (--no-docker here, docker-host there; one limit too many).
	 */
	ret = cli__parse_over(argc, argv, cl, merged_err, sizeof(merged_err));
	if (ret)
		snprintf(err, errlen, "%s and the command line: %s", cli__show(path, b), merged_err);
	return ret;
}

void config__free(struct pg_conf_file *cf)
{
	free(cf->text);
	cf->text = NULL;
	cf->len = 0;
}
