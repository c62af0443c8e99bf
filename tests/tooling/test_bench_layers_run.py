"""`make bench-layers` end to end, briefly and in process (the part under load needs wrk and two CPUs, and is
`make bench`'s business): every layer of the app gets a row, each with a figure or the reason it has none,
and py-spy, from the lock, records the child process it starts. No timing is asserted."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from scripts.bench import layers
from tests.tooling.test_bench_layers import production_app


async def layer_names(folder: Path) -> list[str]:
    async with production_app(folder) as app:
        return [layer.name for layer in layers.discover_layers(app)]


def test_a_short_run_reports_every_layer_with_a_figure_or_what_its_pass_through_broke(tmp_path: Path) -> None:
    output = tmp_path / "layers.md"

    assert (
        layers.main(
            ["--rounds", "2", "--requests", "3", "--profile-seconds", "1", "--no-load", "--output", str(output)]
        )
        == 0
    )

    rows = [row.strip("|").split("|") for row in output.read_text().splitlines() if re.match(r"\| \d+ \|", row)]
    assert [re.findall(r"`([^`]+)`", row[1])[0] for row in rows] == asyncio.run(layer_names(tmp_path))
    for row in rows:
        hot, error, in_process = (cell.strip() for cell in row[2:5])
        for cell in (hot, error):
            assert re.fullmatch(r"-?\d+\.\d \(per round: .*\)|needed \(.+\)", cell), row
        assert re.fullmatch(r"\d+\.\d \(\d+\.\d%\)", in_process), row  # py-spy recorded the loop
    assert any("needed" in row[2] for row in rows)  # the routing, at least: the answer cannot do without it
