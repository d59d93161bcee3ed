#!/usr/bin/env bash
# Set everything up and start Aftersight on the bundled sample data: http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec .venv/bin/python -m streamlit run app.py "$@"
