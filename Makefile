# tarn - build, test, sanitize, fuzz and bench.
#
#   make deps            install every system and npm package needed (no-op when present)
#   make                 build build/tarn (and build/libtarn.a)
#   make test            run every test suite; ends with "N passed, N failed"
#   make sanitize [test] build with ASan+UBSan into build/san and run the tests there
#   make fuzz            run each libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench           run the benchmarks side by side with DuckDB
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
WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow=local -Wvla -Wformat=2 \
            -Wno-format-nonliteral
CPPFLAGS := -Iinclude -Isrc -D_GNU_SOURCE -DTARN_BUILD_ID="\"$(shell git rev-parse --short HEAD 2>/dev/null || echo dev)\""
CFLAGS   := -std=c11 $(OPT) $(WARN) -MMD -MP -pthread
LDLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lzstd -llz4 -lz -lxxhash) -lsnappy -lm -lpthread

LIB_SRC  := $(shell find src -name '*.c' ! -path 'src/cli/*' | sort)
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(shell find tests/unit -name '*.c' 2>/dev/null | sort)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)

LIB      := $(BUILD)/libtarn.a
TARN     := $(BUILD)/tarn
UNIT     := $(BUILD)/unit_tests

.PHONY: all deps test sanitize fuzz bench clean unit quick

all: $(TARN)

$(BUILD)/obj/%.o: %.c
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

unit: $(UNIT)

# Every suite prints its own "N passed, N failed"; tests/run.sh adds them up
# and prints the total as its last line.
test: $(TARN) $(UNIT)
	@BUILD=$(BUILD) SAN=$(SAN) tests/run.sh

# Quick tier: unit tests only.
quick: $(UNIT)
	@$(UNIT)

ifeq ($(filter test,$(MAKECMDGOALS)),)
sanitize: $(TARN) $(UNIT)
	@BUILD=$(BUILD) SAN=1 tests/run.sh
else
sanitize: $(TARN) $(UNIT)
	@true
endif

FUZZ_SECONDS ?= 60
fuzz:
	@tools/fuzz.sh $(FUZZ_SECONDS)

bench: $(TARN)
	@bench/run.sh

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
