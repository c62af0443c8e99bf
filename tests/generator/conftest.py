"""The generator's own suite: each feature contract (contracts.py) generated once per run, in parallel, into
a package of its own, and everything generated, with the tiny implementations the tests serve, type-checked
by one mypy run."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.generator.contracts import FEATURES
from tests.generator.implementations import IMPLEMENTATIONS

ROOT = Path(__file__).resolve().parents[2]
GENERATE = ROOT / "scripts" / "generate.py"


@dataclass(frozen=True)
class Generated:
    root: Path
    """On sys.path: the packages gen_<feature>, and impl_<feature>.py beside them."""
    contracts: dict[str, Path]
    mypy: subprocess.CompletedProcess[str]


def generate_command(contract: Path, out: Path, package: str, targets: str = "models,server") -> list[str]:
    return [sys.executable, str(GENERATE), "--contract", str(contract), "--out", str(out), "--package", package,
            "--targets", targets]  # fmt: skip


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    work = tmp_path_factory.mktemp("generator")
    root = work / "packages"
    root.mkdir()
    contracts, runs = {}, []
    for name, document in FEATURES.items():
        contracts[name] = work / f"{name}.yaml"
        contracts[name].write_text(yaml.safe_dump(document, sort_keys=False))
        command = generate_command(contracts[name], work / f"out-{name}", f"gen_{name}")
        runs.append((name, subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
    for name, run in runs:
        output, _ = run.communicate(timeout=240)
        assert run.returncode == 0, f"{name}: {output}"
        (work / f"out-{name}" / f"gen_{name}").rename(root / f"gen_{name}")
    for name, source in IMPLEMENTATIONS.items():
        (root / f"impl_{name}.py").write_text(source)
    targets = [str(path) for path in sorted(root.iterdir())]
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(work / "mypy-cache"), *targets]
    env = {"MYPYPATH": str(root), "PATH": str(Path(sys.executable).parent)}
    mypy = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    sys.path.insert(0, str(root))
    return Generated(root=root, contracts=contracts, mypy=mypy)
