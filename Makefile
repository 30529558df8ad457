# Thin wrapper over meson/ninja.  Every target installs what is missing first
# (scripts/install-deps.sh is idempotent), so a fresh Debian 12 clone needs
# only `make run` or `make test`.
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=

.PHONY: all deps build web run test test-unit test-asan bench clean

all: build

deps:
	@sh scripts/install-deps.sh build

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The web interface: the locked packages, then Vite's build into web/dist,
# which `huikuan serve` (and the demo) find beside build/.
web: deps
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build

# The demo always starts from a fresh database of its own, then serves it
# (the web interface and the API) on 127.0.0.1:8080 until Ctrl-C.
DEMO_DB ?= $(BUILD)/demo.db
run: build web
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BUILD)/huikuan --config data/demo.ini demo --db $(DEMO_DB)

test:
	@sh scripts/install-deps.sh test
	@sh scripts/run-tests.sh $(BUILD) $(ASAN_BUILD)

bench:
	@sh scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory build BUILD=build-release MESON_OPTS="--buildtype=release"
	@sh bench/run.sh build-release
	@sh bench/pg.sh build-release
	@sh bench/letters.sh build-release
	@sh bench/api.sh build-release
	@sh bench/reports.sh build-release

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-release web/dist web/node_modules
