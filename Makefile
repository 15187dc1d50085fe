# SPDX-License-Identifier: GPL-2.0
# pidguard build: a chain of pattern rules, as in libbpf-bootstrap.
#   bpf/*.bpf.c --clang -target bpf--> $(OUT)/*.bpf.o --bpftool gen skeleton-->
#   $(OUT)/*.skel.h --> user objects --> $(OUT)/pidguard
# Everything built lands in $(OUT) (build/, or build-asan/ with SANITIZE=1).
# `make V=1` shows the full commands.

PREFIX	?= /usr/local
DESTDIR	?=
SANITIZE ?= 0
STATIC	?= 0

ifeq ($(SANITIZE),1)
OUT	?= build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(STATIC),1)
OUT	?= build-static
else
OUT	?= build
endif

CLANG	?= clang
BPFTOOL	?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
CC	?= cc
ARCH	:= $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

WARNINGS := -Wall -Wextra -Werror
CFLAGS	?= -g -O2
CFLAGS	+= $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(OUT) $(SANFLAGS)
LDFLAGS	+= $(SANFLAGS)
LDLIBS	:= -lbpf -lelf -lz -lcurl -ljansson -lyaml -lmicrohttpd
ifeq ($(STATIC),1)
LDFLAGS	+= -static
LDLIBS	+= -lzstd -lpthread
endif
# -mcpu=v3: the atomics whose result we use (fetch-and-add, cmpxchg) need it.
# -Wno-unused-parameter: BPF_PROG() declares ctx and every tracepoint argument.
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) $(WARNINGS) -Wno-unused-parameter \
	-Ivmlinux -Iinclude -Ibpf

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS		:= $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
BPF_HDRS	:= $(wildcard bpf/*.bpf.h) $(wildcard include/*.h)

USER_SRCS	:= $(wildcard user/*.c)
USER_OBJS	:= $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS))
# Everything but main(): what unit tests link against.
LIB_OBJS	:= $(filter-out $(OUT)/user/main.o,$(USER_OBJS))
USER_HDRS	:= $(wildcard user/*.h) $(wildcard include/*.h)

UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
TOOL_SRCS	:= $(wildcard tests/tools/*.c)
TOOL_BINS	:= $(patsubst tests/tools/%.c,$(OUT)/tools/%,$(TOOL_SRCS))
BENCH_SRCS	:= $(filter-out %.bpf.c,$(wildcard tests/bench/*.c))
BENCH_BINS	:= $(patsubst tests/bench/%.c,$(OUT)/bench/%,$(BENCH_SRCS))

.DELETE_ON_ERROR:
# Keep the BPF objects: the VM harness and bpftool users want them.
.SECONDARY: $(BPF_OBJS)
.PHONY: all clean test unit-test integration-test test-asan install uninstall demo vm-test vm-bench bench soak fuzz fmt

all: $(OUT)/pidguard $(TOOL_BINS) $(BENCH_BINS)

$(OUT) $(OUT)/user $(OUT)/tests $(OUT)/tools $(OUT)/bench:
	$(Q)mkdir -p $@

$(OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) vmlinux/vmlinux.h | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .,_,$*)_bpf > $@

$(OUT)/user/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(OUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/pidguard: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Unit tests: cmocka, one binary per tests/unit/test_*.c, linked with the
# userspace modules (not main). -Werror=unused-function catches a test that
# was written but left out of its cmocka_unit_test list.
$(OUT)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(OUT)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(CFLAGS) -Werror=unused-function $(LDFLAGS) $< $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

# Test tools and benchmarks are the workload, not the code under test: never
# sanitized. (LeakSanitizer clones a tracer task at exit: in a cgroup at its
# limit that is one more fork past the limit, and the counts would be off.)
TOOL_CFLAGS := $(filter-out $(SANFLAGS),$(CFLAGS))
TOOL_LDFLAGS := $(filter-out $(SANFLAGS),$(LDFLAGS))

$(OUT)/tools/%: tests/tools/%.c | $(OUT)/tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(TOOL_CFLAGS) $(TOOL_LDFLAGS) $< -lpthread -o $@

$(OUT)/bench/%: tests/bench/%.c | $(OUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(TOOL_CFLAGS) $(TOOL_LDFLAGS) $< -lpthread -o $@

# The hook-cost floor: empty BPF programs and the loader that holds them.
$(OUT)/bench/hookfloor.bpf.o: tests/bench/hookfloor.bpf.c vmlinux/vmlinux.h | $(OUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bench/hookfloor: tests/bench/hookfloor.c $(OUT)/bench/hookfloor.bpf.o | $(OUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(TOOL_CFLAGS) $(TOOL_LDFLAGS) $< $(filter -lbpf -lelf -lz -lzstd,$(LDLIBS)) -o $@

# The verifier's work per program, for comparing builds (libbpf, no skeleton).
$(OUT)/bench/verifstat: tests/bench/verifstat.c | $(OUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(TOOL_CFLAGS) $(TOOL_LDFLAGS) $< $(filter -lbpf -lelf -lz -lzstd,$(LDLIBS)) -o $@

# A loaded program's JIT image, for scripts/bpf-hot.sh.
$(OUT)/bench/jitdump: tests/bench/jitdump.c | $(OUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(TOOL_CFLAGS) $(TOOL_LDFLAGS) $< $(filter -lbpf -lelf -lz -lzstd,$(LDLIBS)) -o $@

unit-test: $(UNIT_BINS)
	$(Q)tests/run-unit.sh $(UNIT_BINS)

integration-test: all
	$(Q)PG_BUILD=$(OUT) sh tests/integration/run.sh

# The README's test command: unit tests, then the integration suite on the
# real kernel (root), then the same suite under ASan/UBSan.
test: unit-test integration-test
	$(Q)$(MAKE) --no-print-directory test-asan

test-asan:
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 unit-test integration-test

demo: all
	$(Q)PG_BUILD=$(OUT) sh scripts/demo.sh

# VM_TEST_ARGS: e.g. "--config lsm-on" or "--timeout 900"; see --help.
vm-test:
	$(Q)scripts/vm-test.sh $(VM_TEST_ARGS)

bench: all
	$(Q)PG_BUILD=$(OUT) scripts/bench.sh

# The fork and bomb sections of `make bench` inside Debian's 6.1 under qemu
# (lsm-on): the only kernel here that runs deny mode. TCG-emulated, so its
# ratios are not the hardware's (docs/BENCHMARKS.md). Sections, rounds and
# ms per timed run:
VM_BENCH_ONLY	?= fork,bomb
VM_BENCH_ROUNDS	?= 7
VM_BENCH_MS	?= 1000
VM_BENCH_CMD	= PG_BUILD=build PG_BENCH_ONLY=$(VM_BENCH_ONLY) PG_BENCH_ROUNDS=$(VM_BENCH_ROUNDS) \
		  PG_BENCH_MS=$(VM_BENCH_MS) bash scripts/bench.sh
vm-bench:
	$(Q)PG_VM_EXTRA_BINS="bpftool bash jq join flock" scripts/vm-test.sh --config lsm-on \
		--timeout 2400 --cmd '$(VM_BENCH_CMD)'

# Exactness under load with loader kills: minutes, never part of `make test`.
# SOAK_OPS (1000000), SOAK_CGROUPS (20), SOAK_KILLS (10) tune it.
soak: all
	$(Q)PG_BUILD=$(OUT) sh tests/soak/soak.sh

# libFuzzer harnesses of tests/fuzz/ (clang -fsanitize=fuzzer,address,undefined), built
# into FUZZ_OUT and run FUZZ_SECONDS each, one at a time; fails on any finding.
FUZZ_OUT	?= build-fuzz
FUZZ_SECONDS	?= 30
fuzz:
	$(Q)OUT=$(FUZZ_OUT) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# Installed layout (DESTDIR honoured). The config file is installed only
# where there is none yet: an operator's config is never overwritten, and
# uninstall never removes it.
SBINDIR		?= $(PREFIX)/sbin
UNITDIR		?= $(PREFIX)/lib/systemd/system
MANDIR		?= $(PREFIX)/share/man
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR	?= /etc
INSTALLED	:= $(SBINDIR)/pidguard $(UNITDIR)/pidguard.service $(MANDIR)/man8/pidguard.8 \
		   $(BASHCOMPDIR)/pidguard

install: $(OUT)/pidguard
	install -D -m 0755 $(OUT)/pidguard $(DESTDIR)$(SBINDIR)/pidguard
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' deploy/pidguard.service.in > $(DESTDIR)$(UNITDIR)/pidguard.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/pidguard.service
	install -D -m 0644 docs/pidguard.8 $(DESTDIR)$(MANDIR)/man8/pidguard.8
	install -D -m 0644 completions/pidguard.bash $(DESTDIR)$(BASHCOMPDIR)/pidguard
	$(Q)if [ ! -f etc/pidguard.conf ]; then :; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/pidguard/pidguard.conf ]; then \
		echo "  keeping $(DESTDIR)$(SYSCONFDIR)/pidguard/pidguard.conf"; \
	else \
		install -D -m 0644 etc/pidguard.conf $(DESTDIR)$(SYSCONFDIR)/pidguard/pidguard.conf; \
	fi

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)! [ -e $(DESTDIR)$(SYSCONFDIR)/pidguard/pidguard.conf ] || \
		echo "  kept $(DESTDIR)$(SYSCONFDIR)/pidguard/pidguard.conf (remove it by hand)"

fmt:
	clang-format -i bpf/*.c bpf/*.h user/*.c user/*.h include/*.h tests/unit/*.c tests/tools/*.c

clean:
	rm -rf build build-asan build-static build-vm build-fuzz
