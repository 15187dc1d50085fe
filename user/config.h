/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config.h - the configuration file of `pidguard run` (--config FILE).
 *
 * No file is read unless --config FILE is given: nothing changes behind an
 * operator's back, and the test suite's private `pidguard run` instances
 * never pick up the host's configuration. The systemd unit passes
 * /etc/pidguard/pidguard.conf; etc/pidguard.conf is the commented example.
 *
 * Syntax, one setting per line:
 *
 *	# a comment
 *	mode = kill			# a comment after whitespace
 *	limit = web=25			# repeatable: limit, compose
 *	limit = "/sys/fs/cgroup/unified/odd #dir=10"
 *	no-docker = false		# flags take true or false, nothing else
 *
 * - OPTION is a long option of `run` without its dashes: mode, limit,
 *   default-limit, warn, events-per-sec, compose, docker-host, no-docker,
 *   apply-pids-max, duration, metrics, log. `config` is refused: no
 *   includes, the one file named on the command line is the whole story.
 * - The first '=' separates OPTION from VALUE (a limit's TARGET may itself
 *   hold '=': the value "web=25" is split by --limit's own rule, its last
 *   '='). Whitespace around both is dropped; blank lines are skipped.
 * - '#' starts a comment at the start of a line or after a space or tab; a
 *   '#' inside a word is text (a cgroup directory may be named "a#b").
 * - VALUE may be written in double quotes, taken literally: for a value
 *   with leading or trailing spaces or with " #" in it (cgroup names may
 *   hold anything but '/' and newline). There are no escapes; a quoted
 *   value cannot hold '"' (write such a value unquoted).
 * - Every value goes through the command line's validation (cli.c), and an
 *   error reads "FILE:LINE: --warn: '150' is not a percentage from 1 to
 *   100": exit status 2 before anything is loaded.
 * - A scalar or flag set twice is an error, unlike on the command line
 *   where the last one wins: a config file is edited over months, often by
 *   appending, and a silent "the other line wins" about enforcement is how
 *   a limit quietly stops being the one the operator believes in.
 * - Refused too: an unknown option (with "did you mean" or the list of
 *   valid ones), a line longer than 4096 bytes, a file larger than 1 MiB,
 *   a NUL byte, anything but a regular file. A file that group or others
 *   may write, or that root does not own, is read with a warning: whoever
 *   can write it decides what is enforced the next time pidguard starts.
 *
 * Precedence: the command line overrides the file. A scalar given on both
 * takes the command line's value; a --limit for a TARGET the file limits
 * replaces the file's limit; other limits and compose files add up, within
 * the caps of 256 limits and 16 compose files. A flag (no-docker,
 * apply-pids-max) that the file sets to true cannot be turned off from the
 * command line: there is no --no-no-docker, edit the file. The cross-option
 * checks (no-docker against docker-host, compose, apply-pids-max) judge
 * the merged result.
 *
 * Strings (compose, docker-host) point into the file's text, which the
 * struct pg_conf_file owns until config__free().
 */
#ifndef PG_CONFIG_H
#define PG_CONFIG_H

#include <stddef.h>
#include "cli.h"

#define PG_CONF_MAX_SIZE	(1024 * 1024)	/* a config file is a few dozen lines */
#define PG_CONF_MAX_LINE	4096		/* a TARGET is at most 4095 bytes */

struct pg_conf_file {
	char *text;	/* the file's bytes and a NUL, parsed in place */
	size_t len;
};

/*
 * Parse the config text of len bytes (text[len] must be '\0'; the buffer is
 * modified in place and out keeps pointers into it) named name in messages,
 * applying each setting to out. 0, or PG_EXIT_USAGE with err set to
 * "NAME:LINE: what was wrong". No file is touched: unit-testable.
 */
int config__parse(char *text, size_t len, const char *name, struct pg_cmdline *out, char *err,
		  size_t errlen);

/*
 * Read path into cf with the file checks (regular file, at most
 * PG_CONF_MAX_SIZE). warn is set to a warning about the file's owner or
 * mode, or "". 0, or PG_EXIT_USAGE with err set ("PATH: ..."); on error cf
 * holds nothing.
 */
int config__read(struct pg_conf_file *cf, const char *path, char *warn, size_t warnlen,
		 char *err, size_t errlen);

/*
 * The --config step of run: cl is argv parsed alone (cli__parse); read
 * cl->config_path into cf, start again from the defaults, apply the file,
 * then argv on top of it (cli__parse_over). 0, or PG_EXIT_USAGE with err
 * set; warn as config__read.
 */
int config__apply(struct pg_conf_file *cf, int argc, char **argv, struct pg_cmdline *cl,
		  char *warn, size_t warnlen, char *err, size_t errlen);

/* Free what cf holds; cf may be zeroed or freed already. */
void config__free(struct pg_conf_file *cf);

#endif
