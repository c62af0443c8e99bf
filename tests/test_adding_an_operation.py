"""docs/adding-an-operation.md, walked on a scratch copy of the repository: an operation with a query
parameter added to the contract, generated, refused by mypy and at start-up until implemented, then
implemented, type-checked, served and covered by the repository's own Schemathesis test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OPERATION = "list_chat_locales"
PATH = "/v1/sessions/chat/locales"
ERRORS = ["400", "401", "403", "500", "503"]
CONTRACT_TEST = f'''
"""Schemathesis on the new operation only, with the repository's own fixtures and settings."""

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from tests.contract.test_schemathesis import MAX_EXAMPLES, api_key, contract_schema  # noqa: F401 - fixtures

schema = schemathesis.pytest.from_fixture("contract_schema").include(operation_id="{OPERATION}")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_new_operation_conforms(case: schemathesis.Case[Any], api_key: str) -> None:
    assert case.operation.label == "GET {PATH}"
    case.call_and_validate(headers={{"Authorization": api_key}})
'''
IMPLEMENTATION = """
    async def list_chat_locales(self, context: RequestContext, limit: int = 2) -> list[str]:
        return ["uk-UA", "en-US", "de-DE", "fr-FR", "ja-JP"][:limit]
"""


def scratch_copy(target: Path) -> Path:
    """The tracked files (and the type checker's cache, when there is one), with the installed tools linked."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    if (ROOT / ".mypy_cache").is_dir():
        shutil.copytree(ROOT / ".mypy_cache", target / ".mypy_cache")
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    return target


def add_operation(contract: Path) -> None:
    """Step 1: the contract (a GET with a query parameter, answered by a top-level array)."""
    document: dict[str, Any] = yaml.safe_load(contract.read_text())
    document["paths"][PATH] = {
        "get": {
            "tags": ["sessions"],
            "summary": "Locales the global chat session may take",
            "operationId": OPERATION,
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 5, "default": 2},
                }
            ],
            "responses": {
                "200": {
                    "description": "The locales",
                    "content": {
                        "application/json": {"schema": {"type": "array", "items": {"type": "string"}, "maxItems": 5}}
                    },
                },
                **{
                    code: {"$ref": f"#/components/responses/{name}"}
                    for code, name in zip(
                        ERRORS,
                        ["BadRequest", "Unauthorized", "Forbidden", "InternalServerError", "ServiceUnavailable"],
                        strict=True,
                    )
                },
            },
        }
    }
    contract.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


def run(scratch: Path, *command: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        # the scratch copy's packages, not the checkout's (installed editable)
        "PYTHONPATH": os.pathsep.join(str(scratch / p) for p in ("impl", "generated", "generated/client", ".")),
    }
    return subprocess.run(command, cwd=scratch, capture_output=True, text=True, timeout=timeout, env=env)


def test_the_steps_of_adding_an_operation(tmp_path: Path) -> None:
    scratch = scratch_copy(tmp_path / "repo")
    add_operation(scratch / "openapi" / "openapi.yaml")

    generated = run(scratch, sys.executable, "scripts/generate.py")  # step 2
    assert generated.returncode == 0, generated.stderr
    interface = (scratch / "generated/global_chat_generated/api/sessions.py").read_text()
    assert f"async def {OPERATION}(\n        self,\n        context: ContextT,\n        limit: int = 2,\n" in interface

    mypy = [sys.executable, "-m", "mypy", "impl/global_chat/app.py"]
    refused = run(scratch, *mypy)  # step 3
    assert refused.returncode == 1
    assert (
        f'Cannot instantiate abstract class "SessionsHandlers" with abstract attribute "{OPERATION}"' in refused.stdout
    )
    start = "from global_chat.app import create_app; from global_chat.settings import Settings; create_app(Settings())"
    refused_start = run(scratch, sys.executable, "-c", start)
    assert refused_start.returncode == 1 and OPERATION in refused_start.stderr

    handlers = scratch / "impl/global_chat/sessions/handlers.py"  # step 4
    handlers.write_text(handlers.read_text() + IMPLEMENTATION)
    checked = run(scratch, *mypy)
    assert checked.returncode == 0, checked.stdout

    contract_test = scratch / "tests/contract/test_new_operation.py"  # step 5
    contract_test.write_text(CONTRACT_TEST)
    served = run(scratch, sys.executable, "-m", "pytest", str(contract_test), "-q", "-p", "no:randomly")
    assert served.returncode == 0, served.stdout[-3000:]
    assert " passed" in served.stdout and "failed" not in served.stdout and "error" not in served.stdout
