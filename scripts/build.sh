#!/usr/bin/env bash
# Configure and build adkcd into build/ (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DADKCD_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
