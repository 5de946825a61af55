# Shared by the CI scripts: where downloaded tools live, and how Python tools are installed.
# shellcheck shell=bash

tools=${STRATA_CI_TOOLS:-${TMPDIR:-/tmp}/strata-ci-tools}
mkdir -p "$tools"

# py_tools NAME PKG...: installs pinned PyPI packages into "$tools/NAME" unless already there
# (checked by the first package's console script), and puts them on PYTHONPATH. A venv keeps
# them out of the system Python; where the venv module is missing (Debian without
# python3-venv), they go under a plain prefix instead.
py_tools() {
  local name=$1 first=${2%%=*}
  shift
  if [ ! -x "$tools/$name/bin/$first" ]; then
    if python3 -m venv "$tools/$name" 2>/dev/null; then
      "$tools/$name/bin/pip" install --quiet --disable-pip-version-check "$@"
    else
      rm -rf "${tools:?}/$name"
      python3 -m pip install --quiet --disable-pip-version-check --prefix "$tools/$name" "$@"
    fi
  fi
  # A prefix install needs its site-packages on the path (harmless for a venv).
  local site
  site=$(ls -d "$tools/$name"/lib/python3*/site-packages 2>/dev/null | head -n 1 || true)
  export PYTHONPATH="${site}${PYTHONPATH:+:$PYTHONPATH}"
}
