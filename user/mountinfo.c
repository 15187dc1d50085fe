// SPDX-License-Identifier: GPL-2.0
/*
 * mountinfo.c - find the cgroup v2 mount, the v1 pids/freezer hierarchies
 * and bpffs in /proc/self/mountinfo. Mounts differ between hosts (pure v2
 * at /sys/fs/cgroup, hybrid with v2 at /sys/fs/cgroup/unified, v1 only), so
 * they are always read from here and never hard-coded.
 *
 * Line format (proc(5)):
 *   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw
 *   id parent maj:min root mountpoint options [optional...] - fstype source super
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mountinfo.h"

#define MI_MAX_FIELDS 64	/* optional fields are few; more is garbage */

struct mi_field {
	const char *s;
	size_t len;
};

static bool field_is(const struct mi_field *f, const char *word)
{
	return f->len == strlen(word) && !memcmp(f->s, word, f->len);
}

static bool all_digits(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "major:minor", both decimal. */
static bool is_dev(const struct mi_field *f)
{
	const char *colon = memchr(f->s, ':', f->len);

	if (!colon)
		return false;
	return all_digits(f->s, colon - f->s) &&
	       all_digits(colon + 1, f->len - (colon + 1 - f->s));
}

/* Does the comma-separated option list f contain exactly opt? */
static bool has_option(const struct mi_field *f, const char *opt)
{
	size_t optlen = strlen(opt);
	const char *p = f->s, *end = f->s + f->len;

	while (p < end) {
		const char *comma = memchr(p, ',', end - p);
		size_t len = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (len == optlen && !memcmp(p, opt, len))
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

static int octal_digit(char c)
{
	return c >= '0' && c <= '7' ? c - '0' : -1;
}

/*
 * Undo the kernel's escaping of a mount point (space, tab, newline and
 * backslash become \ooo). The kernel escapes every backslash, so a
 * backslash not followed by three octal digits, or an escaped NUL, means
 * the line is not mountinfo. Returns 0 or -EINVAL.
 */
static int unescape(const struct mi_field *f, char *dst, size_t dstlen)
{
	size_t i = 0, n = 0;

	while (i < f->len) {
		char c = f->s[i];

		if (c == '\\') {
			int a, b, d, v;

			if (f->len - i < 4)
				return -EINVAL;
			a = octal_digit(f->s[i + 1]);
			b = octal_digit(f->s[i + 2]);
			d = octal_digit(f->s[i + 3]);
			if (a < 0 || b < 0 || d < 0)
				return -EINVAL;
			v = a * 64 + b * 8 + d;
			if (v == 0 || v > 0xff)
				return -EINVAL;
			c = (char)v;
			i += 4;
		} else {
			i++;
		}
		if (n + 1 >= dstlen)
			return -EINVAL;
		dst[n++] = c;
	}
	dst[n] = '\0';
	return 0;
}

/* Parse one line (without its '\n') and record what it mounts. */
static int parse_line(const char *line, size_t len, struct pg_mounts *out)
{
	struct mi_field fields[MI_MAX_FIELDS];
	const char *p = line, *end = line + len;
	int nr = 0, sep = -1, i;
	const struct mi_field *fstype, *super;
	char mnt[PG_PATH_MAX];

	while (p < end) {
		const char *start;

		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		start = p;
		while (p < end && *p != ' ')
			p++;
		if (nr == MI_MAX_FIELDS)
			return -EINVAL;
		fields[nr].s = start;
		fields[nr].len = p - start;
		nr++;
	}

	/* Six fixed fields, optional ones, "-", then exactly three more. */
	for (i = 6; i < nr; i++) {
		if (field_is(&fields[i], "-")) {
			sep = i;
			break;
		}
	}
	if (sep < 0 || nr != sep + 4)
		return -EINVAL;
	/* The root field is not always a path (nsfs shows "net:[4026531840]"). */
	if (!all_digits(fields[0].s, fields[0].len) || !all_digits(fields[1].s, fields[1].len) ||
	    !is_dev(&fields[2]) || fields[4].s[0] != '/')
		return -EINVAL;
	if (unescape(&fields[4], mnt, sizeof(mnt)))
		return -EINVAL;

	fstype = &fields[sep + 1];
	super = &fields[sep + 3];
	if (field_is(fstype, "cgroup2")) {
		if (!out->cgroup2[0])
			strcpy(out->cgroup2, mnt);
	} else if (field_is(fstype, "cgroup")) {
		if (!out->pids_v1[0] && has_option(super, "pids"))
			strcpy(out->pids_v1, mnt);
		if (!out->freezer_v1[0] && has_option(super, "freezer"))
			strcpy(out->freezer_v1, mnt);
	} else if (field_is(fstype, "bpf")) {
		if (!strcmp(mnt, "/sys/fs/bpf"))
			out->bpffs_at_pin_root = true;
	}
	return 0;
}

int mountinfo__parse(const char *text, struct pg_mounts *out, int *bad_line)
{
	const char *p = text;
	int lineno = 0, err;

	memset(out, 0, sizeof(*out));
	if (bad_line)
		*bad_line = 0;
	if (!text)
		return -EINVAL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		if (len) {	/* the kernel writes no empty lines; tolerate one */
			err = parse_line(p, len, out);
			if (err) {
				if (bad_line)
					*bad_line = lineno;
				return err;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* Read a whole file; procfs reports size 0, so read until EOF. */
static int read_all(const char *path, char **text)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap), *bigger;
	int fd, err;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	for (;;) {
		if (len + 1 >= cap) {
			cap *= 2;
			bigger = realloc(buf, cap);
			if (!bigger) {
				err = -ENOMEM;
				goto fail;
			}
			buf = bigger;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (strlen(buf) != len) {	/* a NUL byte: not a text file */
		free(buf);
		return -EINVAL;
	}
	*text = buf;
	return 0;
fail:
	close(fd);
	free(buf);
	return err;
}

int mountinfo__load_file(const char *path, struct pg_mounts *out, int *bad_line)
{
	char *text = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if (bad_line)
		*bad_line = 0;
	err = read_all(path, &text);
	if (err)
		return err;
	err = mountinfo__parse(text, out, bad_line);
	free(text);
	return err;
}

int mountinfo__load(struct pg_mounts *out)
{
	return mountinfo__load_file("/proc/self/mountinfo", out, NULL);
}
