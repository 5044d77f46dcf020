# Two commands: `make serve` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# where `make serve` listens; only the command line changes it (`make serve PORT=9000`): an exported PORT or HOST
# (tcsh exports HOST, many tools PORT) is not read
HOST   := 127.0.0.1
PORT   := 8080
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: serve test test-sqlite lint typecheck pytest soak bench clean install fixtures

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mockown serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check mockown tests bench contracts
	$(BIN)/ruff format --check mockown tests bench contracts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "not soak"

test: lint typecheck pytest

# the behaviour suite again, every app on the SQLite store (--state-file) instead of memory
test-sqlite: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -p tests.persistence.sqlite_everywhere tests \
		--ignore=tests/persistence --ignore=tests/docker --ignore=tests/tls

# the long profile (README, "Guarantees"): deeper fuzzing and state machines, more storms and crash runs
SOAK_TESTS ?= tests/reliability tests/security tests/salesforce/test_model.py tests/salesforce/test_fuzz.py \
	tests/interop/test_jsforce.py tests/interop/test_openid_client.py \
	tests/interop/test_commerce_sdk.py tests/interop/test_sfmc_sdk.py tests/interop/test_sfcore.py \
	tests/interop/test_sfcc_ci.py
soak: $(STAMP)
	MOCKOWN_SOAK=1 $(BIN)/python -m pytest -n 2 -q -p no:randomly $(SOAK_TESTS)

# side-by-side ratios against oauth2-mock-server and bare Starlette (installs wrk and the peer; BENCHMARKS.md)
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# after editing fixtures/default.yaml: its parsed twin, which start-up reads instead of parsing YAML
fixtures: $(STAMP)
	$(BIN)/python -c 'from mockown.seed import write_default_twin; print("wrote", write_default_twin())'

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist
