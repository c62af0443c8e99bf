"""scripts/diff_spec.py and scripts/spec_diff/: which contract changes break clients, and the exit status
`make diff-spec` relies on."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.spec_diff import SpecError, diff

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "diff_spec.py"


def base_spec() -> dict[str, Any]:
    """A small contract in the shape of ours: $refs, allOf, a nullable $ref, an enum, a path parameter."""
    spec: dict[str, Any] = yaml.safe_load(
        """
openapi: 3.0.3
info: {title: t, version: '1'}
security:
- ApiKeyAuth: []
paths:
  /v1/sessions/chat:
    post:
      operationId: get_or_create_chat_session
      tags: [sessions]
      requestBody:
        required: false
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/ChatRequest'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/WithUrls_Session'
        '429':
          description: slow down
          headers:
            Retry-After:
              required: true
              schema: {type: integer}
  /v1/sessions/{session_id}:
    parameters:
    - name: session_id
      in: path
      required: true
      schema: {type: string, pattern: '^session_[0-9a-f]{32}$'}
    get:
      operationId: get_session
      tags: [sessions]
      parameters:
      - name: expand
        in: query
        schema: {type: string, enum: [owner, usage]}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/WithUrls_Session'
components:
  securitySchemes:
    ApiKeyAuth: {type: apiKey, in: header, name: Authorization}
  schemas:
    ChatRequest:
      type: object
      nullable: true
      properties:
        locale: {type: string, nullable: true, maxLength: 128}
        mode: {type: string, enum: [fast, careful]}
        count: {type: integer}
    WithUrls_Session:
      allOf:
      - $ref: '#/components/schemas/Session'
      - type: object
        required: [self_url]
        properties:
          self_url: {type: string}
    Session:
      type: object
      required: [id, status, title]
      properties:
        id: {type: string}
        title: {type: string}
        status:
          $ref: '#/components/schemas/SessionStatus'
        count: {type: integer}
        owner:
          nullable: true
          allOf:
          - $ref: '#/components/schemas/Principal'
        parent:
          $ref: '#/components/schemas/Session'
    Principal:
      type: object
      required: [id]
      properties:
        id: {type: string}
    SessionStatus:
      type: string
      enum: [started, active, idle]
"""
    )
    return spec


Mutation = Callable[[dict[str, Any]], Any]
CHAT = ("paths", "/v1/sessions/chat", "post")
GET = ("paths", "/v1/sessions/{session_id}", "get")


def at(spec: dict[str, Any], *keys: str) -> Any:
    node: Any = spec
    for key in keys:
        node = node[key]
    return node


def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


def rename_path_parameter(spec: dict[str, Any], old: str, new: str) -> None:
    item = spec["paths"].pop(f"/v1/sessions/{{{old}}}")
    item["parameters"][0]["name"] = new
    spec["paths"][f"/v1/sessions/{{{new}}}"] = item


def changed(mutate: Mutation) -> dict[str, Any]:
    spec = copy.deepcopy(base_spec())
    mutate(spec)
    return spec


def rules(mutate: Mutation) -> dict[str, str]:
    """rule id -> level of every change the mutation causes."""
    return {c.rule: c.level for c in diff(base_spec(), changed(mutate))}


BREAKING_CASES: dict[str, tuple[Mutation, str]] = {
    "path removed": (lambda s: s["paths"].pop("/v1/sessions/{session_id}"), "api-path-removed"),
    "operation removed": (lambda s: at(s, "paths", "/v1/sessions/chat").pop("post"), "api-operation-removed"),
    "operationId changed": (lambda s: at(s, *CHAT).update(operationId="chat"), "api-operation-id-changed"),
    "response status removed": (lambda s: at(s, *CHAT, "responses").pop("429"), "response-status-removed"),
    "response media type removed": (
        lambda s: at(s, *CHAT, "responses", "200", "content").update(
            {"text/plain": at(s, *CHAT, "responses", "200", "content").pop("application/json")}
        ),
        "response-media-type-removed",
    ),
    "response property removed": (
        lambda s: schemas(s)["Session"]["properties"].pop("title"),
        "response-property-removed",
    ),
    "response property removed from an allOf part": (
        lambda s: schemas(s)["WithUrls_Session"]["allOf"][1]["properties"].pop("self_url"),
        "response-property-removed",
    ),
    "response property no longer required": (
        lambda s: schemas(s)["Session"]["required"].remove("title"),
        "response-property-became-optional",
    ),
    "response enum widened": (
        lambda s: schemas(s)["SessionStatus"]["enum"].append("paused"),
        "response-enum-value-added",
    ),
    "response type changed": (
        lambda s: schemas(s)["Session"]["properties"].update(count={"type": "string"}),
        "response-type-changed",
    ),
    "response type widened integer to number": (
        lambda s: schemas(s)["Session"]["properties"].update(count={"type": "number"}),
        "response-type-changed",
    ),
    "response property became nullable": (
        lambda s: schemas(s)["Session"]["properties"]["title"].update(nullable=True),
        "response-property-became-nullable",
    ),
    "nested response property removed through a nullable $ref": (
        lambda s: schemas(s)["Principal"]["properties"].pop("id"),
        "response-property-removed",
    ),
    "required response header removed": (
        lambda s: at(s, *CHAT, "responses", "429").pop("headers"),
        "response-header-removed",
    ),
    "new response variant": (
        lambda s: schemas(s)["Session"]["properties"].update(
            title={"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/Principal"}]}
        ),
        "response-schema-variant-added",
    ),
    "new required query parameter": (
        lambda s: (
            at(s, *GET)
            .setdefault("parameters", [])
            .append({"name": "fields", "in": "query", "required": True, "schema": {"type": "string"}})
        ),
        "request-parameter-added-required",
    ),
    "parameter became required": (
        lambda s: at(s, *GET, "parameters")[0].update(required=True),
        "request-parameter-became-required",
    ),
    "query parameter enum narrowed": (
        lambda s: at(s, *GET, "parameters")[0]["schema"]["enum"].remove("usage"),
        "request-enum-value-removed",
    ),
    "path parameter pattern changed": (
        lambda s: at(s, "paths", "/v1/sessions/{session_id}", "parameters")[0]["schema"].update(pattern="^s_[0-9]+$"),
        "request-pattern-changed",
    ),
    "new required body property": (
        lambda s: schemas(s)["ChatRequest"].update(required=["title"], properties={"title": {"type": "string"}}),
        "request-property-added-required",
    ),
    "body property became required": (
        lambda s: schemas(s)["ChatRequest"].update(required=["locale"]),
        "request-property-became-required",
    ),
    "body maxLength narrowed": (
        lambda s: schemas(s)["ChatRequest"]["properties"]["locale"].update(maxLength=64),
        "request-max-length-decreased",
    ),
    "body pattern added": (
        lambda s: schemas(s)["ChatRequest"]["properties"]["locale"].update(pattern="^[a-z]{2}$"),
        "request-pattern-changed",
    ),
    "body enum narrowed": (
        lambda s: schemas(s)["ChatRequest"]["properties"]["mode"].update(enum=["fast"]),
        "request-enum-value-removed",
    ),
    "body type changed": (
        lambda s: schemas(s)["ChatRequest"]["properties"]["count"].update(type="string"),
        "request-type-changed",
    ),
    "body no longer nullable": (
        lambda s: schemas(s)["ChatRequest"].pop("nullable"),
        "request-property-became-not-nullable",
    ),
    "body became required": (
        lambda s: at(s, *CHAT, "requestBody").update(required=True),
        "request-body-became-required",
    ),
    "request media type removed": (
        lambda s: at(s, *CHAT, "requestBody", "content").update(
            {"application/merge-patch+json": at(s, *CHAT, "requestBody", "content").pop("application/json")}
        ),
        "request-media-type-removed",
    ),
    "additional body properties forbidden": (
        lambda s: schemas(s)["ChatRequest"].update(additionalProperties=False),
        "request-additional-properties-changed",
    ),
    "accepted credentials changed": (
        lambda s: at(s, *GET).update(security=[{"BearerAuth": []}]),
        "api-security-removed",
    ),
    "security scheme header renamed": (
        lambda s: s["components"]["securitySchemes"]["ApiKeyAuth"].update(name="X-Api-Key"),
        "api-security-scheme-changed",
    ),
}

COMPATIBLE_CASES: dict[str, tuple[Mutation, str | None]] = {
    "nothing": (lambda s: None, None),
    "documentation only": (
        lambda s: (
            at(s, *CHAT).update(summary="Chat", description="new words"),
            schemas(s)["Session"].update(description="d", example={"id": "x"}),
        ),
        None,
    ),
    "new path": (
        lambda s: s["paths"].update({"/v1/health": {"get": {"responses": {"200": {"description": "ok"}}}}}),
        "api-path-added",
    ),
    "new response status": (
        lambda s: at(s, *CHAT, "responses").update({"400": {"description": "bad"}}),
        "response-status-added",
    ),
    "new response property": (
        lambda s: schemas(s)["Session"]["properties"].update(preview={"type": "string"}),
        "response-property-added",
    ),
    "response enum narrowed": (
        lambda s: schemas(s)["SessionStatus"]["enum"].remove("idle"),
        "response-enum-value-removed",
    ),
    "new optional query parameter": (
        lambda s: at(s, *GET, "parameters").append({"name": "fields", "in": "query", "schema": {"type": "string"}}),
        "request-parameter-added",
    ),
    "new optional body property": (
        lambda s: schemas(s)["ChatRequest"]["properties"].update(title={"type": "string"}),
        "request-property-added",
    ),
    "body maxLength widened": (
        lambda s: schemas(s)["ChatRequest"]["properties"]["locale"].update(maxLength=256),
        "request-max-length-increased",
    ),
    "body enum widened": (
        lambda s: schemas(s)["ChatRequest"]["properties"]["mode"]["enum"].append("slow"),
        "request-enum-value-added",
    ),
    "body type widened integer to number": (
        lambda s: schemas(s)["ChatRequest"]["properties"]["count"].update(type="number"),
        "request-type-widened",
    ),
    "path parameter renamed": (lambda s: rename_path_parameter(s, "session_id", "id"), None),
    "authentication became optional": (
        lambda s: at(s, *GET).update(security=[{}, {"ApiKeyAuth": []}]),
        "api-security-optional",
    ),
    "$ref inlined": (
        lambda s: at(s, *CHAT, "requestBody", "content", "application/json").update(
            schema=copy.deepcopy(schemas(s)["ChatRequest"])
        ),
        None,
    ),
    "nullable $ref written as anyOf with a null variant": (
        lambda s: schemas(s)["Session"]["properties"].update(
            owner={
                "anyOf": [
                    {"$ref": "#/components/schemas/Principal"},
                    {"type": "string", "nullable": True, "enum": [None]},
                ]
            }
        ),
        None,
    ),
    "response property became required": (
        lambda s: schemas(s)["Session"]["required"].append("count"),
        "response-property-became-required",
    ),
    "operation deprecated": (lambda s: at(s, *GET).update(deprecated=True), "api-deprecated"),
}


@pytest.mark.parametrize("case", BREAKING_CASES)
def test_breaking_change_is_reported(case: str) -> None:
    mutate, rule = BREAKING_CASES[case]
    found = rules(mutate)
    assert found.get(rule) == "breaking", found


@pytest.mark.parametrize("case", COMPATIBLE_CASES)
def test_compatible_change_is_not_breaking(case: str) -> None:
    mutate, rule = COMPATIBLE_CASES[case]
    found = rules(mutate)
    assert "breaking" not in found.values(), found
    if rule is None:
        assert found == {}
    else:
        assert rule in found


def test_the_same_change_is_judged_by_direction() -> None:
    # adding an enum value: a request accepts more (fine), a response may return more (breaking)
    request = rules(lambda s: schemas(s)["ChatRequest"]["properties"]["mode"]["enum"].append("slow"))
    response = rules(lambda s: schemas(s)["SessionStatus"]["enum"].append("paused"))
    assert request == {"request-enum-value-added": "info"}
    assert response == {"response-enum-value-added": "breaking"}


def test_authentication_required_where_none_was() -> None:
    open_api = changed(lambda s: s.pop("security"))
    found = {c.rule: c.level for c in diff(open_api, base_spec())}
    assert found == {"api-security-added": "breaking"}


def test_a_shared_schema_is_reported_for_every_operation_that_uses_it() -> None:
    changes = diff(base_spec(), changed(lambda s: schemas(s)["Session"]["properties"].pop("count")))
    assert {c.operation for c in changes} == {"GET /v1/sessions/{session_id}", "POST /v1/sessions/chat"}
    # Session.parent is a Session: the change is also found one level down, then the recursion stops
    assert {c.location for c in changes} == {
        "response 200 application/json: count",
        "response 200 application/json: parent.count",
    }
    assert len(changes) == 4


def test_a_rename_is_a_removal_with_a_hint() -> None:
    def rename(spec: dict[str, Any]) -> None:
        session = schemas(spec)["Session"]
        session["properties"]["name"] = session["properties"].pop("title")
        session["required"] = ["name" if name == "title" else name for name in session["required"]]

    messages = [c.message for c in diff(base_spec(), changed(rename)) if c.level == "breaking"]
    assert "property removed (renamed to `name`?)" in messages


def test_recursive_schemas_terminate() -> None:
    # Session.parent is a Session: a change deep inside is found once per level the walk enters
    found = rules(lambda s: schemas(s)["Session"]["properties"].pop("count"))
    assert found == {"response-property-removed": "breaking"}


def test_the_real_contract_against_itself_has_no_changes() -> None:
    contract = yaml.safe_load((ROOT / "openapi" / "openapi.yaml").read_text(encoding="utf-8"))
    assert diff(contract, copy.deepcopy(contract)) == []


def test_unsupported_input_is_an_error() -> None:
    with pytest.raises(SpecError, match=r"3\.0\.x only"):
        diff({**base_spec(), "openapi": "3.1.0"}, base_spec())
    broken = changed(
        lambda s: at(s, *CHAT, "requestBody", "content", "application/json").update(schema={"$ref": "x.yaml"})
    )
    with pytest.raises(SpecError, match="only local"):
        diff(base_spec(), broken)


# --------------------------------------------------------------------------- the command line


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        [sys.executable, SCRIPT, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def write(path: Path, spec: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def test_cli_exits_1_on_a_breaking_change_and_says_what_broke(tmp_path: Path) -> None:
    base = write(tmp_path / "base.yaml", base_spec())
    head = write(tmp_path / "head.yaml", changed(lambda s: at(s, *CHAT).update(operationId="chat")))
    result = run("--base-file", base, "--head-file", head)
    assert result.returncode == 1, result.stderr
    assert "1 breaking, 0 warning, 0 info" in result.stdout
    assert "POST /v1/sessions/chat" in result.stdout
    assert "BREAKING  operationId changed from `get_or_create_chat_session` to `chat`" in result.stdout


@pytest.mark.parametrize(("old", "new", "code"), [("1.0.0", "2.0.0", 0), ("0.3.1", "0.4.0", 0), ("1.0.0", "1.1.0", 1)])
def test_a_breaking_change_lands_only_with_a_major_version_bump(tmp_path: Path, old: str, new: str, code: int) -> None:
    def rename_and_version(spec: dict[str, Any]) -> None:
        at(spec, *CHAT).update(operationId="chat")
        spec["info"]["version"] = new

    base_doc = base_spec()
    base_doc["info"]["version"] = old
    base = write(tmp_path / "base.yaml", base_doc)
    head = write(tmp_path / "head.yaml", changed(rename_and_version))

    result = run("--base-file", base, "--head-file", head)

    assert result.returncode == code, result.stdout + result.stderr
    assert "operationId changed" in result.stdout  # reported either way


def test_cli_exits_0_on_compatible_changes(tmp_path: Path) -> None:
    base = write(tmp_path / "base.yaml", base_spec())
    head = write(tmp_path / "head.yaml", changed(COMPATIBLE_CASES["new response status"][0]))
    result = run("--base-file", base, "--head-file", head)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 breaking, 0 warning, 1 info" in result.stdout
    assert "INFO      response 400: new response status 400  [response-status-added]" in result.stdout


def test_cli_fail_on_warning_and_json_output(tmp_path: Path) -> None:
    base = write(tmp_path / "base.yaml", base_spec())
    head = write(tmp_path / "head.yaml", changed(lambda s: at(s, *GET).update(tags=["chat"])))
    assert run("--base-file", base, "--head-file", head).returncode == 0
    result = run("--base-file", base, "--head-file", head, "--fail-on", "warning", "--format", "json")
    assert result.returncode == 1
    report = yaml.safe_load(result.stdout)  # JSON is YAML
    assert report["summary"] == {"breaking": 0, "warning": 1, "info": 0}
    assert report["changes"][0]["rule"] == "api-tags-changed"


def test_cli_exits_2_on_unreadable_input(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("openapi: [", encoding="utf-8")
    result = run("--base-file", tmp_path / "bad.yaml", "--head-file", tmp_path / "bad.yaml")
    assert result.returncode == 2
    assert "not valid YAML" in result.stderr
    assert run("--base-file", tmp_path / "missing.yaml", "--head-file", tmp_path / "bad.yaml").returncode == 2


def git(repo: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *identity, *args], cwd=repo, env=env, check=True, capture_output=True, timeout=60)


def test_cli_reads_base_from_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README").write_text("x", encoding="utf-8")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "no contract yet")
    spec = write(repo / "openapi" / "openapi.yaml", base_spec())

    result = run("--base", "HEAD", "--spec", spec, cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "does not exist" in result.stdout

    git(repo, "add", "openapi/openapi.yaml")
    git(repo, "commit", "-q", "-m", "contract")
    assert run("--base", "HEAD", "--spec", spec, cwd=repo).returncode == 0
    write(spec, changed(lambda s: at(s, *CHAT, "responses").pop("429")))
    result = run("--base", "HEAD", "--spec", spec, cwd=repo)
    assert result.returncode == 1
    assert "openapi/openapi.yaml at HEAD" in result.stdout
    assert "response status 429 was removed" in result.stdout

    unknown = run("--base", "no-such-ref", "--spec", spec, cwd=repo)
    assert unknown.returncode == 2
    assert "unknown git ref" in unknown.stderr
