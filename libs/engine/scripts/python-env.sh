#!/usr/bin/env bash
# Creates (once) and caches a Python virtual environment holding Hugging Face's reference implementations
# (torch, transformers, peft, safetensors, tokenizers), used as oracles by the engine's parity tests.
#
#   libs/engine/scripts/python-env.sh          -> prints the venv's python path on stdout (progress goes to stderr)
#   libs/engine/scripts/python-env.sh --check  -> the same, but first proves the cached venv still imports everything
#
# Environment:
#   FOUNDRY_PYTHON_VENV  where the venv lives (default: $HOME/.cache/lora-foundry/venv)
#   FOUNDRY_PYTHON_BASE  the interpreter that creates it (default: python3)
#   PIP_*                any pip setting (index, find-links, ...) as pip itself reads it
#
# The venv is considered ready once all packages import; a half-built venv is rebuilt.
set -euo pipefail

VENV="${FOUNDRY_PYTHON_VENV:-$HOME/.cache/lora-foundry/venv}"
BASE="${FOUNDRY_PYTHON_BASE:-python3}"
PACKAGES=(torch transformers peft safetensors tokenizers)
CHECK='import torch, transformers, peft, safetensors, tokenizers'

log() { echo "[python-env] $*" >&2; }

# Fast path: the marker is written only after every package imported once (importing torch takes seconds).
if [[ -x "$VENV/bin/python" ]] && [[ -f "$VENV/.foundry-ready" ]]; then
  if [[ "${1:-}" != "--check" ]] || "$VENV/bin/python" -c "$CHECK" 2>/dev/null; then
    echo "$VENV/bin/python"
    exit 0
  fi
  log "venv at $VENV does not import ${PACKAGES[*]}: rebuilding"
fi

if ! command -v "$BASE" >/dev/null 2>&1; then
  log "no '$BASE' on PATH: install Python 3.10+ or set FOUNDRY_PYTHON_BASE"
  exit 2
fi

start=$(date +%s)
log "creating venv at $VENV with $("$BASE" --version 2>&1)"
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$BASE" -m venv "$VENV"
log "installing ${PACKAGES[*]} (this takes a few minutes the first time; the venv is cached afterwards)"
# --retries 0: on machines that carry a local wheelhouse, an unreachable public index is not retried for minutes.
"$VENV/bin/pip" install --retries 0 --progress-bar off "${PACKAGES[@]}" 1>&2
"$VENV/bin/python" -c "$CHECK" 1>&2
"$VENV/bin/python" - <<'PY' 1>&2
import torch, transformers, peft, safetensors, tokenizers
print(f"[python-env] torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}, "
      f"safetensors {safetensors.__version__}, tokenizers {tokenizers.__version__}")
PY
touch "$VENV/.foundry-ready"
log "ready in $(( $(date +%s) - start )) s"
echo "$VENV/bin/python"
