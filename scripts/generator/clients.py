"""The typed clients: a Python package (openapi-python-client) and a TypeScript client (openapi-typescript's
types and, from our template, openapi-fetch's client over them)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from scripts.generator.contract import Contract
from scripts.generator.names import model_class
from scripts.generator.operations import OperationSpec
from scripts.generator.process import ToolFailed, run, tool
from scripts.generator.server import environment

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CLIENT_CONFIG = HERE.parent / "client-config.yaml"
NODE_BIN = ROOT / "node_modules" / ".bin"
DEFAULT_CLIENT_PACKAGE = "global_chat_client"


def generate_client(contract: Contract, out: Path, package: str | None) -> None:
    """out/client: the client package (named by client-config.yaml, or `package` for another contract)."""
    # openapi-python-client refuses to write into an existing folder and names files after the
    # contract path, so it works in a scratch folder and the result is moved into place.
    with tempfile.TemporaryDirectory() as scratch:
        config = CLIENT_CONFIG
        if package is not None:
            settings: dict[str, Any] = yaml.safe_load(CLIENT_CONFIG.read_text())
            settings.update(package_name_override=package, project_name_override=package.replace("_", "-"))
            config = Path(scratch) / "client-config.yaml"
            config.write_text(yaml.safe_dump(settings))
        target = Path(scratch) / "client"
        run(
            tool("openapi-python-client"), "generate",
            "--path", str(contract.path),
            "--config", str(config),
            "--meta", "setup",
            "--output-path", str(target),
            "--fail-on-warning",
        )  # fmt: skip
        shutil.move(str(target), out / "client")


def generate_typescript(contract: Contract, operations: list[OperationSpec], out: Path) -> None:
    """typescript/schema.ts (openapi-typescript) and typescript/index.ts (the client, from our template)."""
    generator = NODE_BIN / "openapi-typescript"
    if not generator.exists():
        raise ToolFailed(f"{generator} is missing: run `make generate` (it installs package-lock.json)")
    target = out / "typescript"
    target.mkdir()
    # from the checkout's root, so that the Redocly configuration it reads is always the same one
    run(str(generator), str(contract.path), "--output", str(target / "schema.ts"), cwd=ROOT)
    info = contract.document.get("info", {})
    schemas = [{"name": name, "alias": model_class(name)} for name in contract.schemas]
    index = (
        environment()
        .get_template("typescript_index.ts.j2")
        .render(title=info.get("title", ""), version=info.get("version", ""), operations=operations, schemas=schemas)
    )
    (target / "index.ts").write_text(index)
