"""Breaking-change comparison of two OpenAPI 3.0 documents (`make diff-spec`, scripts/diff_spec.py):
model.py (a Change, its levels), document.py (one side, normalized), schemas.py and operations.py (the
comparison, judged from the client's side)."""

from __future__ import annotations

from scripts.spec_diff.model import Change, SpecError
from scripts.spec_diff.operations import diff

__all__ = ["Change", "SpecError", "diff"]
