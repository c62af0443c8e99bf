"""The load: wrk, pinned to its own CPU, with a Lua script per scenario that reports its figures as JSON."""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scripts.bench.config import HOST, Config
from scripts.bench.machine import PROCESSES
from scripts.bench.serving import Server
from scripts.bench.wire import BODY, CHAT_PATH, MCP_ACCEPT, MCP_BODY, MCP_PATH

LUA_DONE = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%.1f,"p90_us":%.1f,"p99_us":%.1f,"max_us":%.1f,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


LUA_STATIC = r"""
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
{auth}
"""


LUA_ROTATING = r"""
-- A new user every request: one pre-issued JWT per line of the file given after `--`.
wrk.method = "POST"
wrk.body = '{body}'
local tokens, count, next_index = {{}}, 0, 0
function init(args)
  for line in io.lines(args[1]) do
    count = count + 1
    tokens[count] = "Bearer " .. line
  end
end
function request()
  next_index = next_index + 1
  if next_index > count then next_index = 1 end
  return wrk.format(nil, nil, {{["Content-Type"] = "application/json", ["Authorization"] = tokens[next_index]}}, nil)
end
"""


def write_lua(workdir: Path, scenario: str, api_key: str = "") -> Path:
    body = BODY.decode()
    if scenario == "create":
        text = LUA_ROTATING.format(body=body)
    elif scenario == "mcp":
        auth = f'wrk.headers["Authorization"] = "{api_key}"\nwrk.headers["Accept"] = "{MCP_ACCEPT}"'
        text = LUA_STATIC.format(body=MCP_BODY.decode(), auth=auth) + f'wrk.path = "{MCP_PATH}"\n'
    else:
        auth = f'wrk.headers["Authorization"] = "{api_key}"' if scenario == "hot" else ""
        text = LUA_STATIC.format(body=body, auth=auth)
    path = workdir / f"{scenario}-{secrets.token_hex(3)}.lua"
    path.write_text(text + LUA_DONE)
    return path


def run_wrk(config: Config, server: Server, script: Path, seconds: int, args: Sequence[str] = ()) -> dict[str, Any]:
    argv = [
        "taskset", "-c", config.wrk_cpu, "wrk", "-t1", f"-c{config.connections}", f"-d{seconds}s",
        "--timeout", "5s", "-s", str(script), f"http://{HOST}:{server.port}{CHAT_PATH}",
    ]  # fmt: skip
    if args:
        argv += ["--", *args]
    process = PROCESSES.start("wrk", argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=seconds + 60)
    finally:
        PROCESSES.stop(process)
    for line in out.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            return result
    raise RuntimeError(f"wrk printed no result (exit {process.returncode}):\n{out}\n{err}")
