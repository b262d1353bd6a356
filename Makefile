# tarn - build, test, sanitize, fuzz and bench.
#
#   make deps            install every system and npm package needed (no-op when present)
#   make                 build build/tarn (and build/libtarn.a)
#   make test            run every test suite; ends with "N passed, N failed"
#   make sanitize [test] build with ASan+UBSan into build/san and run the tests there
#   make fuzz            run each libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench           run the benchmarks side by side with DuckDB (+ Delta figures)
#   make bench-delta     only the Delta figures (bench/delta.sh)
#   make bench-tpch      only the TPC-H query figures (bench/tpch_queries.sh)
#   make bench-ingest    only tarn ingest kafka vs a plain librdkafka consumer, latency (bench/ingest.sh)
#   make bench-server    only tarn serve vs PostgreSQL 15: pgbench point reads, COPY TO STDOUT (bench/server.sh)
#   make demo            the main job: generate lineitem-like rows, write Parquet, read back
#
# Sources are discovered: every .c under src/ goes into libtarn.a except
# src/cli/, which makes the tarn binary.  Unit tests are every .c under
# tests/unit/, linked into one runner.

CC      ?= cc
ifeq ($(CC),cc)
CC      := gcc
endif

ifneq ($(filter sanitize,$(MAKECMDGOALS)),)
SAN := 1
endif

ifeq ($(SAN),1)
BUILD   ?= build/san
OPT     ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN   := -fsanitize=address,undefined
else
BUILD   ?= build
OPT     ?= -O2 -g
LDSAN   :=
endif

PKGS     := libzstd liblz4 zlib libxxhash
# librdkafka (tarn ingest kafka) and OpenSSL (TLS in tarn serve).  libavro-c is
# not linked: tarn decodes Avro itself (src/format/avro); tests use it as an
# independent writer (tests/ingest_files/avro_gen.c).
NET_PKGS := rdkafka openssl
# -Wno-format-truncation: snprintf into fixed buffers truncates on purpose.
WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow=local -Wvla -Wformat=2 -Wno-format-truncation \
            -Wno-format-nonliteral
CPPFLAGS := -Iinclude -Isrc -D_GNU_SOURCE -DTARN_BUILD_ID="\"$(shell git rev-parse --short HEAD 2>/dev/null || echo dev)\""
CFLAGS   := -std=c11 $(OPT) $(WARN) -MMD -MP -pthread
LDLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lzstd -llz4 -lz -lxxhash) -lsnappy -lpg_query -lm -lpthread

# libedit: line editing and history for the interactive `tarn sql` shell.
CPPFLAGS += $(shell pkg-config --cflags libedit 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs libedit 2>/dev/null || echo -ledit)
CPPFLAGS += $(shell pkg-config --cflags $(NET_PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(NET_PKGS) 2>/dev/null || echo -lrdkafka -lssl -lcrypto)

LIB_SRC  := $(shell find src -name '*.c' ! -path 'src/cli/*' | sort)
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(shell find tests/unit -name '*.c' 2>/dev/null | sort)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)

LIB      := $(BUILD)/libtarn.a
TARN     := $(BUILD)/tarn
UNIT     := $(BUILD)/unit_tests

.PHONY: all deps deps-quiet test sanitize fuzz fuzz-build bench bench-delta bench-tpch bench-server bench-ingest demo clean unit quick sqltest

# Goals a newcomer runs on a fresh machine install what they need first:
# every compile waits for the (quiet, usually no-op) bootstrap.
ifneq ($(filter test sanitize demo bench bench-delta bench-tpch bench-server bench-ingest fuzz fuzz-build,$(MAKECMDGOALS)),)
DEPS_FIRST := deps-quiet
endif

all: $(TARN)

$(BUILD)/obj/%.o: %.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(TARN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDSAN) -pthread -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(UNIT): $(TEST_OBJ) $(LIB)
	$(CC) $(LDSAN) -pthread -o $@ $(TEST_OBJ) $(LIB) $(LDLIBS)

deps:
	@tools/bootstrap.sh

deps-quiet:
	@tools/bootstrap.sh --quiet

unit: $(UNIT)

# tests/interop/write_cases.c writes the interop suite's Parquet files with pq_writer.
INTEROP_BIN := $(BUILD)/interop_write_cases

$(INTEROP_BIN): tests/interop/write_cases.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDSAN) -o $@ $< $(LIB) $(LDLIBS)

# tests/delta/crash_writer.c writes, races and checks Delta tables through the
# library for the Delta suite (tests/delta/run.sh: crashes, concurrency).
DELTA_HELPER := $(BUILD)/delta_crash_writer

$(DELTA_HELPER): tests/delta/crash_writer.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDSAN) -o $@ $< $(LIB) $(LDLIBS)

# tests/ingest/kafka_test.c hosts a librdkafka mock cluster and drives
# `tarn ingest kafka` against it (tests/ingest/run.sh).
KAFKA_TEST := $(BUILD)/kafka_test

$(KAFKA_TEST): tests/ingest/kafka_test.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDSAN) -o $@ $< $(LIB) $(LDLIBS)

# bench/kafka_ceiling.c: the mock cluster, the events, a plain consumer (the
# ceiling) and the latency probe for bench/ingest.sh.
KAFKA_BENCH := $(BUILD)/kafka_bench

$(KAFKA_BENCH): bench/kafka_ceiling.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# tests/sql/runner.c runs the sqllogictest files (tests/sql/run.sh).
SQL_RUNNER := $(BUILD)/sql_runner

$(SQL_RUNNER): tests/sql/runner.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDSAN) -o $@ $< $(LIB) $(LDLIBS)

# tests/pgdiff/driver.c runs the same statements through tarn and a real
# PostgreSQL server (libpq) and compares the answers (tests/pgdiff/run.sh).
PGDIFF_DRIVER := $(BUILD)/pgdiff_driver

$(PGDIFF_DRIVER): tests/pgdiff/driver.c $(LIB)
	$(CC) $(CPPFLAGS) -I$(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql) $(CFLAGS) $(LDSAN) -o $@ $< $(LIB) $(LDLIBS) -lpq

sqltest: $(SQL_RUNNER)
	@BUILD=$(BUILD) tests/sql/run.sh

# Every suite prints its own "N passed, N failed"; tests/run.sh adds them up
# and prints the total as its last line.
test: $(DEPS_FIRST) $(TARN) $(UNIT) $(INTEROP_BIN) $(DELTA_HELPER) $(SQL_RUNNER) $(PGDIFF_DRIVER) $(KAFKA_TEST)
	@BUILD=$(BUILD) SAN=$(SAN) tests/run.sh

# Quick tier: unit tests only.
quick: $(UNIT)
	@$(UNIT)

ifeq ($(filter test,$(MAKECMDGOALS)),)
sanitize: $(DEPS_FIRST) $(TARN) $(UNIT) $(INTEROP_BIN) $(DELTA_HELPER) $(SQL_RUNNER) $(PGDIFF_DRIVER) $(KAFKA_TEST)
	@BUILD=$(BUILD) SAN=1 tests/run.sh
else
sanitize: $(DEPS_FIRST) $(TARN) $(UNIT) $(INTEROP_BIN) $(DELTA_HELPER) $(SQL_RUNNER) $(PGDIFF_DRIVER) $(KAFKA_TEST)
	@true
endif

# ---- Demo (the README's main job) -----------------------------------------
DEMO_ROWS ?= 1000000
DEMO_SF ?= 0.1
demo: $(DEPS_FIRST) $(TARN)
	@tools/demo.sh $(TARN) $(BUILD)/demo-out $(DEMO_ROWS) $(DEMO_SF)

# ---- Fuzzing: libFuzzer targets tests/fuzz/fuzz_*.c ------------------------
# The library is compiled again with clang (-fsanitize=fuzzer-no-link plus
# ASan/UBSan) into build/fuzz/; each target links it with -fsanitize=fuzzer.
# tools/fuzz.sh builds these (make fuzz-build) and runs each target.
FUZZ_SECONDS ?= 60
FUZZ_DIR     := build/fuzz
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -std=c11 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined -Wall -Wno-unused-parameter -MMD -MP -pthread
FUZZ_CPPFLAGS := -Iinclude -Isrc -D_GNU_SOURCE -DTARN_FUZZING -DTARN_BUILD_ID="\"fuzz\""
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)

$(FUZZ_DIR)/obj/%.o: %.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/libtarn.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/libtarn.a
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libtarn.a $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: $(DEPS_FIRST)
	@tools/fuzz.sh $(FUZZ_SECONDS)

# ---- Benchmarks: tarn and DuckDB side by side ------------------------------
BENCH_BIN := $(BUILD)/bench_parquet

$(BENCH_BIN): bench/bench_parquet.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# bench/delta_bench.c: Delta commit rate, snapshot load time, data skipping
# (run by bench/delta.sh, which bench/run.sh calls).
BENCH_DELTA_BIN := $(BUILD)/bench_delta

$(BENCH_DELTA_BIN): bench/delta_bench.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# bench/sql_bench.c: tarn's side of the SQL benchmarks
# (bench/tpch_queries.sh and bench/micro.sh, which bench/run.sh calls).
SQL_BENCH_BIN := $(BUILD)/sql_bench

$(SQL_BENCH_BIN): bench/sql_bench.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench: $(DEPS_FIRST) $(TARN) $(BENCH_BIN) $(BENCH_DELTA_BIN) $(SQL_BENCH_BIN) $(KAFKA_BENCH)
	@BUILD=$(BUILD) bench/run.sh

# Only the TPC-H query figures (bench/tpch_queries.sh; TPCH_SF=1 by default).
bench-tpch: $(DEPS_FIRST) $(TARN) $(SQL_BENCH_BIN)
	@BUILD=$(BUILD) bench/tpch_queries.sh

# Only tarn serve against a throwaway PostgreSQL 15 (bench/server.sh).
bench-server: $(DEPS_FIRST) $(TARN)
	@BUILD=$(BUILD) bench/server.sh

# Only the Kafka ingest figures (bench/ingest.sh).
bench-ingest: $(DEPS_FIRST) $(TARN) $(KAFKA_BENCH)
	@BUILD=$(BUILD) bench/ingest.sh

# Only the Delta figures (a few minutes less than the whole of make bench).
bench-delta: $(DEPS_FIRST) $(BENCH_DELTA_BIN)
	@BUILD=$(BUILD) bench/delta.sh

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d)
-include $(KAFKA_TEST).d $(KAFKA_BENCH).d
-include $(INTEROP_BIN).d $(BENCH_BIN).d $(DELTA_HELPER).d $(BENCH_DELTA_BIN).d $(SQL_RUNNER).d $(SQL_BENCH_BIN).d
