# Fine-tuning Studio: the two set-up commands are `make run` and `make test`.
# Both install the missing Debian packages (packaging/debian-packages.txt), configure CMake + Ninja
# into build/, build, and make the example data from Debian's fortunes packages when it is missing.

BUILD_DIR   ?= build
BUILD_TYPE  ?= Release
CMAKE_FLAGS ?=
PROJECT     ?= projects/fortune-topics/fortune-topics.ftproject
JOBS        ?= $(shell nproc)
EXAMPLE_DATA = projects/fortune-topics/data/train.csv

.PHONY: all deps configure build data run test interop clean

all: build

deps:
	@bash packaging/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS); \
	fi

build: configure
	@cmake --build $(BUILD_DIR) --parallel $(JOBS)

$(EXAMPLE_DATA):
	@bash projects/fortune-topics/make-data.sh

data: deps $(EXAMPLE_DATA)

run: build data
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ -z "$$QT_QPA_PLATFORM" ]; then \
	  echo "No display here: run 'xvfb-run -a make run' for a virtual one, or train headless: $(BUILD_DIR)/bin/ftstudio train --project $(PROJECT)"; \
	else \
	  $(BUILD_DIR)/bin/finetune-studio $(PROJECT); \
	fi

test: build data
	@cd $(BUILD_DIR) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --parallel $(JOBS)

# Checks against outside tools (transformers, gguf, sentencepiece from PyPI in .venv-interop/, made
# on first use): they load our exports and match our logits. See interop/run.sh.
interop: build
	@FTSTUDIO_BIN=$(CURDIR)/$(BUILD_DIR)/bin/ftstudio bash interop/run.sh

clean:
	rm -rf $(BUILD_DIR)
