// SPDX-License-Identifier: GPL-2.0
/*
 * hookfloor.bpf.c - the least any per-task BPF enforcer pays on this kernel.
 *
 * Design: programs that do nothing, attached to the three tracepoints that
 * pidguard's fork path runs on (sched_process_fork, sched_process_exit,
 * sched_process_free). What they cost is the kernel's dispatch alone: the
 * tracepoint's static call, bpf_trace_run, the recursion guard and RCU
 * section around each program. `make bench` measures the fork loops with
 * them attached as configuration (f): no design of pidguard's programs can
 * go below that figure, so it says how much of pidguard's cost is its own
 * work and how much is the price of hooking every task at all.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_process_fork")
int BPF_PROG(floor_fork, struct task_struct *parent, struct task_struct *child)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(floor_exit, struct task_struct *task)
{
	return 0;
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(floor_free, struct task_struct *task)
{
	return 0;
}
