# circlekeeper: `make run` and `make test` install whatever is missing, then do their job.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# System libraries: PortAudio for playback, espeak-ng for speech.
# For the tests: tmux drives the real terminal, a PulseAudio null sink is a paced audio device,
# headless chromium opens the shared view as a phone in the room would, strace watches every
# socket and program the real app opens.
SYS_LIBS := libportaudio.so.2:libportaudio2 libespeak-ng.so.1:libespeak-ng1
SYS_TOOLS := tmux:tmux pulseaudio:pulseaudio parec:pulseaudio-utils chromium:chromium strace:strace

.PHONY: run test fuzz check lint types bench library-index messages sysdeps sysdeps-test venv clean

run: sysdeps venv
	@$(VENV)/bin/circlekeeper

# Most of the suite's time is spent waiting (the real app in tmux, sound paced like a sound
# card, Pilot letting the app settle), so the rest of the suite runs on more workers than
# there are cores. The tests that hold sound to its time (marked realtime) run first, on their
# own: beside four busy workers a tick was once late enough to put a bell 87 ms off.
TEST_WORKERS ?= 4
test: sysdeps sysdeps-test venv
	@$(PY) -m pytest -m realtime -p no:xdist; alone=$$?; \
	$(PY) -m pytest -m "not realtime" -n $(TEST_WORKERS) --dist loadgroup; rest=$$?; \
	exit $$(( alone > rest ? alone : rest ))

# The fuzzers at length: twenty times the sequences and scripts `make test` runs (FUZZ=N to
# choose), with hypothesis shrinking a failure to its shortest form.
FUZZ ?= 20
fuzz: venv
	@CIRCLEKEEPER_FUZZ=$(FUZZ) $(PY) -m pytest tests/tui/test_fuzz_keys.py tests/script/test_script_fuzz_cli.py

check: venv lint types test

lint: venv
	@$(VENV)/bin/ruff check circlekeeper tests bench scripts
	@$(VENV)/bin/ruff format --check circlekeeper tests bench scripts

types: venv
	@$(VENV)/bin/mypy

bench: sysdeps venv
	@$(PY) -m bench

# The built-in practices ship with their library index, and docs/practices.md is made from
# the same records (tests say when either is out of date).
library-index: venv
	@$(PY) -c "from circlekeeper.library.index import write_builtin_index as w; print(w())"
	@$(PY) -c "from circlekeeper.library.catalogue import write_practices_page as w; print(w(__import__('pathlib').Path('docs')))"

# The message catalogue: extract the interface's strings, merge them into every language's
# .po (then translate what is new), compile the .mo files that ship (a test holds them to
# the .po files and the template to the code).
messages: venv
	@$(PY) scripts/messages.py

venv: $(STAMP)
	@# Bytecode for the editable sources, as pip makes for an installed wheel: start-up must
	@# not recompile every module where the environment forbids writing bytecode on import.
	@$(PY) -m compileall -q circlekeeper >/dev/null

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "circlekeeper: installing the package and its test tools into $(VENV)"
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

sysdeps:
	@bash scripts/sysdeps.sh $(SYS_LIBS)

sysdeps-test:
	@bash scripts/sysdeps.sh $(SYS_TOOLS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache dist build
