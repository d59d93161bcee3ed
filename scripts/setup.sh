#!/usr/bin/env bash
# Set up everything Aftersight needs, idempotently: Debian packages, a venv, pinned Python packages.
#   scripts/setup.sh          what the app needs (CJK fonts for charts, Chromium to print the report's PDF)
#   scripts/setup.sh --dev    plus what the tests need (pytest, Playwright, ruff; Java 17 and PySpark for the
#                             engine-equality test)
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

debs=(fonts-noto-cjk chromium)
[ "$dev" = 1 ] && debs+=(openjdk-17-jre-headless)
missing=()
for pkg in "${debs[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # Slim images drop /usr/share/man; Java's postinst links a man page there and fails without it.
  $sudo mkdir -p /usr/share/man/man1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
reqs=requirements.txt
[ "$dev" = 1 ] && reqs=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements*.txt "$reqs" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$reqs"
  touch "$stamp"
fi
