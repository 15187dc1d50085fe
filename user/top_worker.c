// SPDX-License-Identifier: GPL-2.0
/*
 * top_worker.c - top task groups read by a thread of their own (see the
 * header). One table of slots, one lock: the event loop asks (marks a slot
 * wanted) and copies the last answer; the worker reads the wanted slots'
 * cgroups one at a time, outside the lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mountinfo.h"
#include "top_worker.h"

/* Cgroups followed at once; the least recently asked about makes room. */
#define TOP_WORKER_SLOTS	64
/* A read stops after this many processes (task_groups.h). */
#define TOP_SCAN_MAX		2048

struct top_slot {
	__u64 key;			/* cgroup id; 0: free */
	char dir[PG_PATH_MAX];
	bool wanted;			/* a read is asked for */
	bool have;			/* group is the last read's answer */
	__u64 read_ns;			/* when the last read ended; 0: never */
	__u64 used_ns;			/* when last asked about */
	struct pg_task_group group;
};

struct top_worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* to the worker: a slot is wanted, or stop */
	pthread_cond_t done;		/* to a waiting get: a read ended */
	bool stop;
	struct top_slot slots[TOP_WORKER_SLOTS];
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static struct top_slot *find(struct top_worker *w, __u64 key)
{
	for (int i = 0; i < TOP_WORKER_SLOTS; i++)
		if (w->slots[i].key == key)
			return &w->slots[i];
	return NULL;
}

static void *worker_main(void *arg)
{
	struct top_worker *w = arg;
	char dir[PG_PATH_MAX];

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		struct pg_tg_scan opts = { .max = TOP_SCAN_MAX };
		struct pg_task_group *groups = NULL;
		struct top_slot *s = NULL;
		__u64 key;
		int n;

		for (int i = 0; i < TOP_WORKER_SLOTS && !s; i++)
			if (w->slots[i].key && w->slots[i].wanted)
				s = &w->slots[i];
		if (!s) {
			pthread_cond_wait(&w->wake, &w->lock);
			continue;
		}
		key = s->key;
		memcpy(dir, s->dir, sizeof(dir));
		pthread_mutex_unlock(&w->lock);

		n = task_groups__of_cgroup(dir, &opts, &groups);

		pthread_mutex_lock(&w->lock);
		s = find(w, key);	/* its slot may have gone to another cgroup meanwhile */
		if (s) {
			s->wanted = false;
			s->have = n > 0;
			if (n > 0)
				s->group = groups[0];
			s->read_ns = now_ns();
		}
		pthread_cond_broadcast(&w->done);
		if (n >= 0)
			free(groups);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct top_worker *top_worker__new(void)
{
	struct top_worker *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;
	int ret;

	if (!w)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	/* get's bounded wait runs on the monotonic clock, as every deadline here. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->done, &ca);
	pthread_condattr_destroy(&ca);
	ret = pthread_create(&w->thread, NULL, worker_main, w);
	if (ret) {
		pthread_cond_destroy(&w->done);
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w);
		errno = ret;
		return NULL;
	}
	return w;
}

void top_worker__free(struct top_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* key's slot: its own, else a free one, else the least recently asked about. */
static struct top_slot *slot_for(struct top_worker *w, __u64 key, const char *dir)
{
	struct top_slot *s = find(w, key), *lru = &w->slots[0];

	if (s)
		return s;
	for (int i = 0; i < TOP_WORKER_SLOTS && !s; i++) {
		if (!w->slots[i].key)
			s = &w->slots[i];
		else if (w->slots[i].used_ns < lru->used_ns)
			lru = &w->slots[i];
	}
	if (!s)
		s = lru;
	memset(s, 0, sizeof(*s));
	s->key = key;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	return s;
}

bool top_worker__get(struct top_worker *w, __u64 key, const char *dir, __u64 refresh_ns,
		     __u64 wait_ns, struct pg_task_group *out)
{
	__u64 now = now_ns(), deadline = now + wait_ns;
	struct timespec until = { .tv_sec = deadline / 1000000000ull,
				  .tv_nsec = deadline % 1000000000ull };
	struct top_slot *s;
	bool have;

	if (!key)
		return false;	/* 0 marks a free slot */
	pthread_mutex_lock(&w->lock);
	s = slot_for(w, key, dir);
	s->used_ns = now;
	if (!s->wanted && (!s->read_ns || now - s->read_ns >= refresh_ns)) {
		s->wanted = true;
		pthread_cond_signal(&w->wake);
	}
	/* Only this thread hands out slots: s stays key's while it waits. */
	while (!s->read_ns && wait_ns &&
	       pthread_cond_timedwait(&w->done, &w->lock, &until) != ETIMEDOUT)
		;
	have = s->have;
	if (have)
		*out = s->group;
	pthread_mutex_unlock(&w->lock);
	return have;
}
