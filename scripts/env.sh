# Shared environment for the project's scripts (sourced).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/.tools/bun/node_modules/.bin:$ROOT/.venv/bin:$PATH"
export REFLEX_CHECK_LATEST_VERSION=0
export REFLEX_TELEMETRY_ENABLED=0
export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org/}"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
