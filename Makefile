# Marquee build. `make` builds build/marquee; `make test` runs the whole suite;
# `make SANITIZE=1` builds with AddressSanitizer + UBSan into build-asan/.
# Dependencies are the Debian packages in deps/debian-packages.txt.

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libsodium inih liboath libqrencode libcbor
# libcrypto and libpng: headers only, loaded at run time (src/crypto/libcrypto.h, qr.c).
CFLAGS_DL := $(shell pkg-config --cflags libcrypto libpng)
# libpq's headers only: the PostgreSQL backend loads the library at run time
# (src/store/libpq.h says why). Unit tests link it to prepare their database.
CFLAGS_PQ := $(shell pkg-config --cflags libpq)
VERSION := $(shell cat VERSION)
COMMIT  := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wnull-dereference -Wundef -Wpointer-arith -Wcast-align \
           -Wwrite-strings -Wimplicit-fallthrough -Werror=implicit-function-declaration
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c17 -D_GNU_SOURCE $(WARN) -fstack-protector-strong -Isrc -I$(BUILD)/gen \
           -DMQ_VERSION='"$(VERSION)"' -DMQ_COMMIT='"$(COMMIT)"' \
           $(shell pkg-config --cflags $(PKGS)) $(CFLAGS_PQ) $(CFLAGS_DL)
LDLIBS  := $(shell pkg-config --libs $(PKGS) libmagic) -lpthread -ldl

ifeq ($(SANITIZE),1)
BUILD   ?= build-asan
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
BUILD   ?= build
CFLAGS  += -D_FORTIFY_SOURCE=2
endif

SRC     := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
OBJ     := $(SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/openapi.o $(BUILD)/obj/gen/migrations.o \
           $(BUILD)/obj/gen/common_passwords.o $(BUILD)/obj/gen/mail_templates.o
MIGRATIONS := $(shell find src/store/migrations -name '*.sql' | sort)
UNIT_SRC := $(shell find tests/unit -name '*_test.c' | sort)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run test unit check-banned bench bench-drivers fuzz fuzz-replay format clean
all: $(BUILD)/marquee

$(BUILD)/marquee: $(BUILD)/obj/main.o $(BUILD)/libmarquee.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmarquee.a: $(OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/mq-embed: tools/mq-embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE -O1 -Wall -Wextra -o $@ $< \
	    $(shell pkg-config --cflags --libs yaml-0.1 jansson)

$(BUILD)/gen/openapi.c: docs/openapi.yaml $(BUILD)/mq-embed
	@mkdir -p $(dir $@)
	$(BUILD)/mq-embed openapi $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/migrations.c: $(MIGRATIONS) src/store/migrations $(BUILD)/mq-embed
	@mkdir -p $(dir $@)
	$(BUILD)/mq-embed migrations src/store/migrations > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/common_passwords.c: share/common-passwords.txt $(BUILD)/mq-embed
	@mkdir -p $(dir $@)
	$(BUILD)/mq-embed wordlist $< mq_common_passwords > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/mail_templates.c: $(wildcard share/mail/*) $(BUILD)/mq-embed
	@mkdir -p $(dir $@)
	$(BUILD)/mq-embed mail share/mail > $@.tmp && mv $@.tmp $@

# libvips is loaded at run time (src/users/libvips.h); its headers, with
# GLib's, are seen only by the avatar code, as system headers (their
# warnings are not ours).
VIPS_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags vips))
$(BUILD)/obj/users/avatar.o $(BUILD)/obj/users/libvips.o: CFLAGS += $(VIPS_CFLAGS)

# Unit tests: one cmocka binary per tests/unit/<area>/<name>_test.c.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmarquee.a
	@mkdir -p $(dir $@)
	@echo "  TEST  $<"
	@$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libmarquee.a $(LDFLAGS) $(LDLIBS) \
	    $(shell pkg-config --libs libpq) -lcmocka

unit: $(UNIT_BIN)

# Benchmark drivers link the library like the tests do (bench/README.md).
$(BUILD)/bench/%: bench/%.c $(BUILD)/libmarquee.a
	@mkdir -p $(dir $@)
	@echo "  BENCH $<"
	@$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libmarquee.a $(LDFLAGS) $(LDLIBS)

run: $(BUILD)/marquee
	./$(BUILD)/marquee serve

test:
	tests/run.sh

check-banned:
	scripts/check-banned

format:
	find src tests/unit tools -name '*.[ch]' | xargs clang-format -i

# Fuzz drivers: replayed over their corpus by the suite (any compiler), and
# run for real by `make fuzz` with clang's libFuzzer (Debian group "fuzz").
FUZZ_SRC := $(shell find tests/fuzz -name '*_fuzz.c' | sort)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)

$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libmarquee.a
	@mkdir -p $(dir $@)
	@echo "  FUZZ  $<"
	@$(CC) $(CFLAGS) -o $@ $< tests/fuzz/replay.c $(BUILD)/libmarquee.a $(LDFLAGS) $(LDLIBS)

fuzz-replay: $(FUZZ_REPLAY)

fuzz:
	scripts/install-deps build fuzz
	$(MAKE) BUILD=build-fuzz CC=clang SANITIZE=1 build-fuzz/libmarquee.a
	@mkdir -p build-fuzz/fuzz
	for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	    clang $(CFLAGS) -O1 -fsanitize=fuzzer,address,undefined -o build-fuzz/fuzz/$$n $$f \
	        build-fuzz/libmarquee.a $(LDLIBS); done
	@echo "run: build-fuzz/fuzz/input_fuzz tests/fuzz/corpus/input -max_total_time=60"

bench-drivers: $(BUILD)/bench/jobs_bench

bench: $(BUILD)/marquee bench-drivers
	bench/healthz.sh
	bench/jobs.sh

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
