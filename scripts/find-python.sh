#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter (3.13 preferred), or explain why there is none.
set -u
candidates=()
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for v in 3.13 3.12; do
    for d in $(ls -d "$root"/versions/"$v"* 2>/dev/null | sort -rV); do candidates+=("$d/bin/python3"); done
  done
fi
for d in $(ls -d "$HOME"/.pyenv/versions/3.1[23]* 2>/dev/null | sort -rV); do candidates+=("$d/bin/python3"); done
for n in python3.13 python3.12 /usr/bin/python3.13 /usr/bin/python3.12 /usr/local/bin/python3.13 /usr/local/bin/python3.12 python3; do
  candidates+=("$n")
done
for c in "${candidates[@]}"; do
  if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
    "$c" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
echo "Rapport needs Python 3.12 or newer (3.13 preferred), and none was found." >&2
echo "Install one (for example 'pyenv install 3.13') or put python3.13 / python3.12 on PATH." >&2
exit 1
