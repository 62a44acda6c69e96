# wsbench -- see README.md.  `make bench` and `make test` are the two
# commands; everything else is a step they call.

CC        ?= gcc
CFLAGS    ?= -O2 -g
WERROR    ?=
BUILD     := build
WS_CFLAGS := -std=gnu11 -Wall -Wextra $(if $(WERROR),-Werror) \
             -D_GNU_SOURCE -pthread -Ibench/lib -Ibench/workload -Ibench/vmm -Ibench/benchmarks \
             -Ibench/trackers -Ibench/tools -Ibench/attach -Ibench/nested -MMD -MP -I$(BUILD)/gen
LDLIBS    := -ljansson -lpthread -lm
# STATIC=1 links a static wsbench (for minimal guests).
WS_LDFLAGS := $(if $(STATIC),-static)

LIB_SRC   := $(wildcard bench/lib/*.c bench/trackers/*.c bench/benchmarks/*.c \
                       bench/workload/*.c bench/vmm/*.c bench/attach/*.c \
                       bench/nested/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

# Keep test objects: no "rm" noise after the test summary, faster rebuilds.
.SECONDARY:

.PHONY: all deps deps-host deps-plots deps-guest deps-test bench test unit integration vm-test kernel image plots \
        compare verify clean distclean help lava-deps lava-job lava-run

# The uffd handoff preload library (bench/attach/): PIC, libc only, its
# own symbols hidden; and the tiny target program attach's tests run.
HANDOFF_SO  := $(BUILD)/libwsbench-handoff.so
HANDOFF_SRC := bench/attach/preload/handoff_lib.c bench/attach/handoff_io.c \
               bench/attach/maps.c
HANDOFF_OBJ := $(HANDOFF_SRC:%.c=$(BUILD)/pic/%.o)
ATTACH_TARGET := $(BUILD)/tests/attach-target

all: $(BUILD)/wsbench $(HANDOFF_SO) $(ATTACH_TARGET) $(ATTACH_TARGET)-static

help:
	@sed -n 's/^## //p' Makefile

## make deps        install every dependency (apt, or dnf on Fedora); or only
##                  deps-host (build, run here, draw), deps-plots (draw
##                  figures), deps-guest (kernel, image, QEMU), deps-test
deps:
	@scripts/deps.sh all
deps-host:
	@scripts/deps.sh host
deps-plots:
	@scripts/deps.sh plots
deps-guest:
	@scripts/deps.sh guest
deps-test:
	@scripts/deps.sh test

# The harness commit goes into every result; regenerate the header only when
# it changes so a commit rebuilds env.o and nothing else.
GIT_COMMIT := $(shell git rev-parse -q --verify HEAD 2>/dev/null || echo uncommitted)$(shell git diff --quiet HEAD -- . ':!results' 2>/dev/null || echo -dirty)
$(BUILD)/gen/git_commit.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define WS_GIT_COMMIT "$(GIT_COMMIT)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/bench/lib/env.o: $(BUILD)/gen/git_commit.h
$(BUILD)/bench/tools/reproduce.o: $(BUILD)/gen/git_commit.h

.PHONY: FORCE
FORCE:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WS_CFLAGS) -c -o $@ $<

$(BUILD)/libws.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The commands: the driver, run's options, the result readers (tools/).
CLI_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(wildcard bench/*.c bench/tools/*.c))

$(BUILD)/wsbench: $(CLI_OBJ) $(BUILD)/libws.a
	$(CC) $(CFLAGS) -pthread $(WS_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WS_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(HANDOFF_SO): $(HANDOFF_OBJ)
	$(CC) $(CFLAGS) -shared -pthread -o $@ $^ -ldl

$(ATTACH_TARGET): tests/attach/target.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WS_CFLAGS) -o $@ $<

# The same, statically linked: LD_PRELOAD never reaches it (a test).
$(ATTACH_TARGET)-static: tests/attach/target.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WS_CFLAGS) -static -o $@ $<

# A static wsbench for the nested guest of BENCH_PROFILE=vmm (no libc there),
# stripped: the nested guest unpacks its initramfs under TCG inside TCG.
$(BUILD)/wsbench-static: $(CLI_OBJ) $(BUILD)/libws.a
	$(CC) $(CFLAGS) -pthread -static -s -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libws.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -pthread -o $@ $^ $(LDLIBS)

## make bench       run the default suite (BENCH_PROFILE=quick|default|vmm,
##                  TARGET=auto|host|vm); results in results/<run-id>/
bench: deps-host all
	@scripts/bench.sh

## make compare     A/B table: A=results/<id> B=results/<id> [FORCE=1]
compare: all
	@[ -n "$(A)" ] && [ -n "$(B)" ] || { \
		echo "make compare: set A=results/<id> B=results/<id>" >&2; exit 2; }
	@build/wsbench compare $(if $(FORCE),--force) "$(A)" "$(B)"

## make verify      re-run RESULT=results/<id> here, check its cited CIs
verify: deps-host all
	@[ -n "$(RESULT)" ] || { \
		echo "make verify: set RESULT=results/<id>" >&2; exit 2; }
	@build/wsbench verify "$(RESULT)"

## make test        unit + host integration (+ VM end-to-end) tests
test: deps all $(UNIT_BIN)
	@scripts/test.sh

## make kernel      build (or reuse) the pinned guest kernel
kernel: deps-guest
	@kernel/build.sh

## make image       build (or reuse) the guest image
image: deps-guest all
	@images/build.sh

## make plots       gnuplot figures for a result directory (RUN=results/<id>)
plots: deps-plots
	@plots/plot.sh $(RUN)

## make lava-deps   Debian's LAVA dispatcher and job schema, lavacli
lava-deps:
	@scripts/deps.sh lava

## make lava-job    LAVA jobs (QEMU, bare metal) in build/lava/, checked with
##                  LAVA's schema (KERNEL, BENCH_PROFILE, SUITE_BENCHMARKS,
##                  KERNEL_URL, RAMDISK_URL, REPO_URL, ...: see README)
lava-job: lava-deps
	@scripts/lava/job.sh

## make lava-run    the QEMU job through lava-run here; LAVA's results
##                  beside wsbench's summary, checked against the JSON
lava-run: lava-deps all
	@scripts/lava/run.sh

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(HANDOFF_OBJ:.o=.d) \
         $(ATTACH_TARGET).d \
         $(UNIT_BIN:$(BUILD)/tests/%=$(BUILD)/tests/unit/%.d)
