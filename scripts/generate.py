"""Rebuild generated/ from the contract: `make generate` runs this; `--help` lists the options.

The generator itself is the package scripts/generator/ (docs/generator.md: what it supports).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file (python scripts/generate.py) rather than a module
    sys.path.insert(0, str(ROOT))

from scripts.generator.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
