#!/usr/bin/env bash
# Set everything up and run every test: lint, unit, AppTest pages, slow tests, browser journeys.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
