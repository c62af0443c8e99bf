"""The generator speaks OpenAPI 3.0 beyond our contract (docs/generator.md): each feature contract is
generated, type-checked with a tiny implementation (mypy --strict), and served through the generated
server behind Connexion, with its stock request validation and without any; each refusal is one line
naming the operation and the feature, exit code 2, and the output folder untouched."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from connexion import ConnexionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.resolver import Resolver

from scripts import mcp_tools
from scripts.generator import cli, models
from scripts.generator.names import header_attribute, snake
from tests.generator.conftest import Generated
from tests.generator.contracts import PARAMETERS, REFUSALS

pytestmark = pytest.mark.anyio
TRACE = "0b7c6e6a-3c4a-4f53-9a53-3e3e2d1d8e01"


def test_everything_generated_type_checks_and_a_drifted_implementation_does_not(generated: Generated) -> None:
    output = generated.mypy.stdout
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert all("impl_drifted.py" in line for line in errors), output
    assert any('Return type "Coroutine[Any, Any, Pet]" of "create_pet" incompatible' in line for line in errors), output
    assert any('Argument 2 of "get_pet" is incompatible' in line for line in errors), output
    assert any('Argument "location" to "CreatePet201" has incompatible type "int"' in line for line in errors), output


def test_a_public_contract_of_another_api_generates_and_type_checks(generated: Generated) -> None:
    """The Rebilly slice (PROVENANCE.md): its server package and its client among the checked outputs."""
    interfaces = sorted(path.stem for path in (generated.root / "gen_rebilly" / "api").glob("*.py"))
    assert "tags" in interfaces and "reports" in interfaces
    assert (generated.root / "gen_rebilly_client" / "client.py").exists()
    assert not [line for line in generated.mypy.stdout.splitlines() if "gen_rebilly" in line and ": error:" in line]


def app_of(generated: Generated, feature: str, validation: str, **implementations: Any) -> ConnexionMiddleware:
    server = importlib.import_module(f"gen_{feature}.server")
    binding = server.bind(**implementations, context=lambda scope, operation_id: None)
    middlewares = [
        m
        for m in ConnexionMiddleware.default_middlewares
        if validation == "stock" or m is not RequestValidationMiddleware
    ]
    app = ConnexionMiddleware(binding.app(), middlewares=middlewares)
    app.add_api(generated.contracts[feature], resolver=Resolver(function_resolver=binding.endpoint))
    return app


@pytest.fixture(params=["stock", "none"], ids=["connexion-validation", "no-validation"])
def validation(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def items(generated: Generated, validation: str) -> AsyncIterator[httpx.AsyncClient]:
    impl = importlib.import_module("impl_parameters")
    app = app_of(generated, "parameters", validation, item_store=impl.Items(), default=impl.Default())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client


@pytest.fixture
async def pets(generated: Generated, validation: str) -> AsyncIterator[httpx.AsyncClient]:
    app = app_of(generated, "responses", validation, pets=importlib.import_module("impl_responses").Pets())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client


async def test_parameters_of_every_place_arrive_typed(items: httpx.AsyncClient, validation: str) -> None:
    query = "limit=5&pageSize=2.5&kind=cat&tags=a&tags=b&ids=1,2&since=2024-01-01T10:00:00Z&day=2024-01-02"
    query += "&mode=fast&class=abc"
    headers = {"X-Trace-Id": TRACE, "Cookie": "session=xyz"}
    if validation == "none":  # Connexion's own validator does not split an array header ("not of type 'array'")
        headers["X-Flags"] = "x, y"
    response = await items.get(f"/items?{query}", headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "x_trace_id": f"UUID('{TRACE}')",
        "limit": 5,
        "page_size": 2.5,
        "kind": "<Kind.cat: 'cat'>",
        "tags": ["a", "b"],
        "ids": [1, 2],
        "since": "datetime.datetime(2024, 1, 1, 10, 0, tzinfo=TzInfo(0))",
        "day": "datetime.date(2024, 1, 2)",
        "mode": "fast",
        "class": "abc",
        "session": "xyz",
    } | ({"x_flags": ["x", "y"]} if validation == "none" else {})


async def test_optional_parameters_take_the_schema_default_or_none(items: httpx.AsyncClient) -> None:
    response = await items.get("/items", headers={"X-Trace-Id": TRACE})

    assert response.status_code == 200
    body = response.json()
    assert body["limit"] == 20 and "tags" not in body and "session" not in body  # None: left out
    assert (await items.get("/items/7?verbose=true")).json() == {"item_id": 7, "verbose": True}
    assert (await items.get("/ping")).status_code == 204  # the untagged operation


@pytest.mark.parametrize(
    ("request_line", "named"),
    [
        ("/items?limit=abc", "query parameter limit"),
        ("/items?limit=1.0", "query parameter limit"),
        ("/items?limit=500", "query parameter limit"),
        ("/items?kind=bird", "query parameter kind"),
        ("/items?ids=1,x", "query parameter ids"),
        ("/items?since=1700000000", "query parameter since"),
        ("/items?class=ABC", "query parameter class"),
        ("/items/1?verbose=yes", "query parameter verbose"),
        ("/items/0", "path parameter item_id"),
    ],
)
async def test_values_that_do_not_convert_are_a_400_naming_the_parameter(
    items: httpx.AsyncClient, validation: str, request_line: str, named: str
) -> None:
    response = await items.get(request_line, headers={"X-Trace-Id": TRACE})

    assert response.status_code == 400, response.text
    if validation == "none":  # Connexion's own validator answers first otherwise, in its words
        assert named in response.json()["detail"]


async def test_a_missing_required_header_is_a_400(items: httpx.AsyncClient, validation: str) -> None:
    response = await items.get("/items")

    assert response.status_code == 400
    if validation == "none":
        assert response.json()["detail"] == "header parameter X-Trace-Id is required"


async def test_several_answers_each_with_its_status_headers_and_body(pets: httpx.AsyncClient) -> None:
    empty = await pets.get("/pets")
    assert (empty.status_code, empty.json()) == (503, {"message": "no pets yet"})  # `default`

    created = await pets.post("/pets", json={"name": "rex"})
    assert (created.status_code, created.headers["location"], created.json()) == (
        201,
        "/pets/1",
        {"id": 1, "name": "rex"},
    )
    again = await pets.post("/pets", json={"name": "rex"})
    assert (again.status_code, "location" in again.headers) == (200, False)

    listed = await pets.get("/pets")
    assert (listed.status_code, listed.headers["x-total"], listed.json()) == (200, "1", [{"id": 1, "name": "rex"}])
    assert (await pets.get("/pets/1")).json() == {"pet": {"id": 1, "name": "rex"}, "age": 3}  # an inline schema
    assert (await pets.put("/pets/1")).status_code == 204  # an optional body left out
    tagged = await pets.put("/pets/1", json={"id": 1, "name": "rex", "tag": "good"})
    assert (tagged.status_code, tagged.json()["tag"]) == (200, "good")
    assert (await pets.delete("/pets/1")).status_code == 204


async def test_bodies_are_checked(pets: httpx.AsyncClient, validation: str) -> None:
    missing = await pets.post("/pets", headers={"Content-Type": "application/json"})
    invalid = await pets.post("/pets", json={"name": ""})
    not_json = await pets.post("/pets", content=b"{", headers={"Content-Type": "application/json"})
    text = await pets.post("/pets", content=b"rex", headers={"Content-Type": "text/plain"})

    assert [r.status_code for r in (missing, invalid, not_json, text)] == [400, 400, 400, 415]
    if validation == "none":
        assert missing.json()["detail"] == "the request body is required"
        assert invalid.json()["detail"].startswith("name: String should have at least 1 character")


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refusal_is_one_line_naming_the_operation_and_feature_and_nothing_is_written(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document, expected = REFUSALS[case]
    contract = tmp_path / "contract.yaml"
    contract.write_text(yaml.safe_dump(document))
    out = tmp_path / "generated"
    out.mkdir()
    (out / "kept.txt").write_text("before")

    code = cli.main(
        ["--contract", str(contract), "--out", str(out), "--package", "refused", "--targets", "models,server"]
    )

    lines = capsys.readouterr().err.splitlines()
    assert code == 2
    assert any(
        (line.startswith("generate: refused: ") and line.endswith(expected)) or expected in line for line in lines
    ), lines
    assert all("Traceback" not in line for line in lines)
    assert [p.name for p in out.iterdir()] == ["kept.txt"] and not list(tmp_path.glob(".generated*"))


def test_the_mcp_table_lists_a_tools_arguments_in_the_contracts_order(generated: Generated) -> None:
    """Not the records' order (by location): listItems declares its `class` query after its headers (its
    cookie is the caller's, never an argument)."""
    (tool,) = [t for t in importlib.import_module("gen_parameters.mcp_tools").TOOLS if t.name == "listItems"]
    declared = [p["name"] for p in PARAMETERS["paths"]["/items"]["get"]["parameters"] if p["in"] != "cookie"]

    assert [p.name for p in tool.parameters] == declared
    assert list(tool.input_schema["properties"]) == declared
    assert declared.index("class") > declared.index("X-Trace-Id")


@pytest.mark.parametrize("case", ["OpenAPI 3.1", "two operationIds, one method name", "an unknown x-mcp member"])
def test_the_mcp_table_alone_reads_the_contract_as_the_generator_does(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python scripts/mcp_tools.py` refuses what `make generate` refuses, with the same line."""
    document, expected = REFUSALS[case]
    contract = tmp_path / "contract.yaml"
    contract.write_text(yaml.safe_dump(document))
    monkeypatch.setattr(mcp_tools, "CONTRACT", contract)
    monkeypatch.setattr(sys, "argv", ["mcp_tools.py", "--out", str(tmp_path / "mcp_tools.py")])

    assert mcp_tools.main() == 2

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mcp_tools: refused: ") and lines[0].endswith(expected), lines
    assert not (tmp_path / "mcp_tools.py").exists()


def test_a_failing_generator_leaves_the_output_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contract = tmp_path / "contract.yaml"
    contract.write_text(yaml.safe_dump({**REFUSALS["callbacks"][0], "paths": {}}))
    out = tmp_path / "generated"
    out.mkdir()
    (out / "kept.txt").write_text("before")
    monkeypatch.setattr(models, "tool", lambda name: "false")  # datamodel-code-generator fails

    assert cli.main(["--contract", str(contract), "--out", str(out), "--targets", "models,server"]) == 1
    assert [p.name for p in out.iterdir()] == ["kept.txt"] and not list(tmp_path.glob(".generated*"))


@pytest.mark.parametrize(
    ("name", "python"),
    [("listPets", "list_pets"), ("list-pets", "list_pets"), ("Get Pet By ID", "get_pet_by_id"),
     ("getHTTPStatus", "get_http_status"), ("get_session", "get_session"), ("import", "import_"), ("2fa", "n_2_fa")],
)  # fmt: skip
def test_names_become_deterministic_python_names(name: str, python: str) -> None:
    assert snake(name) == python
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", python)


def test_header_names_are_only_lower_cased() -> None:
    assert [header_attribute(h) for h in ("ETag", "X-Org-Id", "RateLimit-Policy")] == [
        "etag",
        "x_org_id",
        "ratelimit_policy",
    ]


async def test_operations_without_security_head_and_a_media_type_with_parameters(
    generated: Generated, validation: str
) -> None:
    """`security: []` in a contract that asks for credentials: recorded without credentials, served without any;
    a HEAD operation beside its GET answers its own headers; a JSON media type with a parameter is sent as the
    contract writes it (behind Connexion's stock layers, response validation off: it compares such a key whole)."""
    operations = importlib.import_module("gen_discovery.operations").OPERATIONS
    assert operations["get_catalog"].credentials == operations["head_catalog"].credentials == ()
    app = app_of(generated, "discovery", validation, default=importlib.import_module("impl_discovery").Catalog())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        got = await client.get("/.well-known/api-catalog")
        head = await client.head("/.well-known/api-catalog")

    assert got.status_code == 200
    assert got.headers["content-type"] == 'application/linkset+json; profile="https://www.rfc-editor.org/info/rfc9727"'
    assert got.json() == {"linkset": [{"anchor": "https://x.example/"}]}
    assert head.status_code == 200
    assert head.headers["link"] == '<https://x.example/.well-known/api-catalog>; rel="api-catalog"'
    assert head.content == b""
