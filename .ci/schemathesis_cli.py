"""Runs the schemathesis CLI, guarded against one CPython bug.

CPython 3.11.0–3.11.7 can raise `SystemError: AST constructor recursion depth mismatch` from
`ast.parse` deep in a call stack (python/cpython gh-106905, fixed in 3.11.8). Hypothesis
parses source files only to describe a lambda in a strategy's repr; when the bug strikes
there, schemathesis reports a "Runtime Error" for an operation although nothing about the
API is wrong. The guard gives such a lambda hypothesis's own "unknown source" description
instead. Nothing else changes.
"""

import re
import sys

from hypothesis.internal import lambda_sources

_describe = lambda_sources._lambda_description


def _guarded(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _guarded

from schemathesis.cli import schemathesis  # noqa: E402

if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\.pyw|\.exe)?$", "", sys.argv[0])
    sys.exit(schemathesis())
