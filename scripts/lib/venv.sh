# Sourced by scripts/*: create or reuse .venv and install the requirements when they changed.
# Usage: ensure_venv requirements.txt   (or requirements-dev.txt for tests and tools)
ensure_venv() {
    local requirements="$1"
    local python="${PYTHON:-python3}"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "error: Claimwatch needs Python 3.11 or newer (set PYTHON=...)" >&2
        return 1
    fi
    if [ ! -x .venv/bin/python ]; then
        echo "creating .venv" >&2
        "$python" -m venv .venv
    fi
    local stamp=".venv/.installed-$(basename "$requirements")"
    local digest
    digest=$(cat requirements*.txt | sha256sum | cut -c1-16)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
        echo "installing $requirements into .venv" >&2
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
        echo "$digest" > "$stamp"
    fi
}
