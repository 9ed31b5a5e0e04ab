# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both create .venv with a Python >= 3.12 found by tools/find-python, then install the package.
VENV ?= .venv
PY := $(VENV)/bin/python
ABM := $(VENV)/bin/abm
PYTEST_ARGS ?=

.PHONY: demo test lint bench identical clean venv check-replication

$(VENV)/bin/activate:
	@python=$$(tools/find-python) || exit 1; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: $(VENV)/bin/activate pyproject.toml
	$(PY) -m pip install --quiet -e '.[sweep,viz]'
	@touch $@

$(VENV)/.installed-test: $(VENV)/bin/activate pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,sweep,viz]'
	@touch $@ $(VENV)/.installed-run

venv: $(VENV)/.installed-run

demo: $(VENV)/.installed-run
	$(ABM) run

test: $(VENV)/.installed-test
	@tools/ensure-chromium
	$(VENV)/bin/ruff check abm tests experiments tools
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -m "slow or not slow" $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory check-replication

# The committed report must be the code's: rerun the 10-seed replication (about 2-4 minutes
# on 2 workers) into a scratch folder and compare values.csv within 1e-9 relative.
check-replication: $(VENV)/.installed-test
	@scratch=$$(mktemp -d); \
	$(ABM) replicate --seeds 10 --workers 2 --out "$$scratch/replication" >"$$scratch/log" 2>&1; \
	status=$$?; \
	if [ $$status -gt 1 ]; then cat "$$scratch/log"; rm -rf "$$scratch"; exit $$status; fi; \
	$(PY) -m abm.replicate.check results/replication/values.csv "$$scratch/replication/values.csv"; \
	status=$$?; rm -rf "$$scratch"; exit $$status

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check abm tests experiments tools
	$(VENV)/bin/ruff format --check abm tests experiments tools
	$(VENV)/bin/mypy

bench: $(VENV)/.installed-run
	$(ABM) bench

# Are the results bit-identical to the checksums in tools/identical.json (every built-in
# scenario, seeds 1-3)? Refactors must keep them; a change that moves results records them
# again (`$(PY) tools/identical record tools/identical.json`) and says so in its commit.
identical: $(VENV)/.installed-run
	$(PY) tools/identical check tools/identical.json

clean:
	rm -rf $(VENV) build *.egg-info
