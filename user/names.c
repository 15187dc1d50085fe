// SPDX-License-Identifier: GPL-2.0
/*
 * names.c - the container table file shared by `run` and `status`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pidguard.h"
#include "names.h"
#include "paths.h"

#define NR_FIELDS 9

const char *names__path(void)
{
	static char path[300];
	const char *pin = paths__pin_dir(), *name = strrchr(pin, '/');

	snprintf(path, sizeof(path), "/run/%s/containers", name && name[1] ? name + 1 : "pidguard");
	return path;
}

/* A field as written: "-" for empty, control bytes and tabs as '?'. */
static int put_field(char *buf, size_t len, size_t *pos, const char *s, bool last)
{
	size_t i;

	if (!*s)
		s = "-";
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (*pos + 1 >= len)
			return -ENOSPC;
		buf[(*pos)++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (*pos + 1 >= len)
		return -ENOSPC;
	buf[(*pos)++] = last ? '\n' : '\t';
	buf[*pos] = '\0';
	return 0;
}

int names__format_line(const struct pg_container_ref *ref, char *buf, size_t len)
{
	char cg_id[24], limit[16];
	const char *fields[NR_FIELDS];
	size_t pos = 0;
	int i;

	if (!len)
		return -ENOSPC;
	snprintf(cg_id, sizeof(cg_id), "%llu", (unsigned long long)ref->cg_id);
	if (ref->limit == PG_NO_LIMIT)
		strcpy(limit, "none");
	else
		snprintf(limit, sizeof(limit), "%u", ref->limit);
	fields[0] = cg_id;
	fields[1] = ref->id;
	fields[2] = ref->name;
	fields[3] = ref->project;
	fields[4] = ref->service;
	fields[5] = limit;
	fields[6] = ref->source;
	fields[7] = ref->comp_case;
	fields[8] = ref->sentence;
	for (i = 0; i < NR_FIELDS; i++)
		if (put_field(buf, len, &pos, fields[i], i == NR_FIELDS - 1))
			return -ENOSPC;
	return (int)pos;
}

static int get_field(const char **p, char *dst, size_t len)
{
	const char *end = strpbrk(*p, "\t\n");
	size_t n = end ? (size_t)(end - *p) : strlen(*p);

	/* Never empty: an empty value is written as "-", so "" is a missing field. */
	if (!n || n >= len)
		return -EINVAL;
	memcpy(dst, *p, n);
	dst[n] = '\0';
	if (!strcmp(dst, "-"))
		dst[0] = '\0';
	*p += n;
	if (**p == '\t')
		(*p)++;
	return 0;
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

int names__parse_line(const char *line, struct pg_container_ref *out)
{
	char cg_id[24], limit[16];
	unsigned long long v;
	const char *p = line;

	memset(out, 0, sizeof(*out));
	if (get_field(&p, cg_id, sizeof(cg_id)) || get_field(&p, out->id, sizeof(out->id)) ||
	    get_field(&p, out->name, sizeof(out->name)) ||
	    get_field(&p, out->project, sizeof(out->project)) ||
	    get_field(&p, out->service, sizeof(out->service)) ||
	    get_field(&p, limit, sizeof(limit)) || get_field(&p, out->source, sizeof(out->source)) ||
	    get_field(&p, out->comp_case, sizeof(out->comp_case)) ||
	    get_field(&p, out->sentence, sizeof(out->sentence)))
		return -EINVAL;
	if (*p && *p != '\n')
		return -EINVAL;	/* more fields than this version writes */
	if (parse_u64(cg_id, ~0ull, &v) || !v)
		return -EINVAL;
	out->cg_id = v;
	if (!strcmp(limit, "none"))
		out->limit = PG_NO_LIMIT;
	else if (parse_u64(limit, 0xfffffffeull, &v))
		return -EINVAL;
	else
		out->limit = (__u32)v;
	if (!out->id[0] || !out->name[0])
		return -EINVAL;
	return 0;
}

int names__write(const char *path, const struct pg_container_ref *refs, int n)
{
	char tmp[4200], dir[4200], line[2048], *slash;
	FILE *f;
	int fd, ret = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		unlink(tmp);
		return ret;
	}
	fprintf(f, "%s\n", PG_NAMES_HEADER);
	for (int i = 0; i < n; i++)
		if (names__format_line(&refs[i], line, sizeof(line)) > 0)
			fputs(line, f);
	if (fflush(f) || ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int names__read(const char *path, struct pg_container_ref **refs)
{
	struct pg_container_ref *arr = NULL, *bigger;
	char line[2048];
	int n = 0, cap = 0;
	FILE *f;

	*refs = NULL;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	if (!fgets(line, sizeof(line), f) || strncmp(line, PG_NAMES_HEADER, strlen(PG_NAMES_HEADER))) {
		fclose(f);
		return 0;	/* empty or another version: no names, not an error */
	}
	while (fgets(line, sizeof(line), f)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			bigger = realloc(arr, cap * sizeof(*arr));
			if (!bigger) {
				free(arr);
				fclose(f);
				return -ENOMEM;
			}
			arr = bigger;
		}
		if (!names__parse_line(line, &arr[n]))
			n++;
	}
	fclose(f);
	*refs = arr;
	return n;
}

const struct pg_container_ref *names__find_cg(const struct pg_container_ref *refs, int n,
					      __u64 cg_id)
{
	for (int i = 0; i < n; i++)
		if (refs[i].cg_id == cg_id)
			return &refs[i];
	return NULL;
}

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

const struct pg_container_ref *names__find_target(const struct pg_container_ref *refs, int n,
						  const char *target, bool *ambiguous)
{
	const struct pg_container_ref *found = NULL;
	size_t len = strlen(target);

	*ambiguous = false;
	if (!len)
		return NULL;
	/* A name wins over an id prefix, as in the docker CLI. */
	for (int i = 0; i < n; i++)
		if (!strcmp(refs[i].name, target))
			return &refs[i];
	if (len < 12 || len > 64 || !is_hex(target))
		return NULL;
	for (int i = 0; i < n; i++) {
		if (strncmp(refs[i].id, target, len))
			continue;
		if (found && strcmp(found->id, refs[i].id)) {
			*ambiguous = true;
			return NULL;
		}
		found = &refs[i];
	}
	return found;
}
