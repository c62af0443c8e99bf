"""The checkout stands on its own: no tracked file reaches for a folder beside it or a path of one
machine, the vendored upstream slice is the one its provenance names, and the locks install anywhere."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT / "tests" / "fixtures" / "upstream"

# Built from pieces so that this file does not match itself.
SHARED = "sha" + "red"
OUTSIDE_THE_CHECKOUT = re.compile(
    "|".join(
        [
            re.escape("../" + SHARED),  # the folder beside the checkout, relative
            re.escape("/work/" + SHARED),  # the same folder, absolute, on our machines
            re.escape(SHARED + "/reference"),  # its reference folder from anywhere
            r"""\.parent\s*/\s*["']""" + SHARED + "[\"']",  # pathlib's spelling: ROOT.parent / that name
        ]
    )
)


def tracked_files() -> list[Path]:
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60)
    return [ROOT / name for name in listing.stdout.decode().split("\0") if name]


def test_no_tracked_file_reads_a_folder_beside_the_checkout() -> None:
    files = tracked_files()
    assert ROOT / ".ci" / "run" in files  # the listing is the repository's
    offenders = []
    for path in files:
        if not path.is_file():  # deleted in the working tree, not yet committed
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE_THE_CHECKOUT.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert offenders == [], "files that reach outside the checkout:\n" + "\n".join(offenders)


def test_the_pattern_catches_what_it_is_meant_to() -> None:
    caught = ["cat ../" + SHARED + "/x", "ROOT.parent / '" + SHARED + "' / 'reference'", SHARED + "/reference/a.json"]
    for line in caught:
        assert OUTSIDE_THE_CHECKOUT.search(line), line
    assert not OUTSIDE_THE_CHECKOUT.search("shared errors types; shared session state")


def test_the_vendored_upstream_slice_is_the_one_its_provenance_names() -> None:
    data = (UPSTREAM / "everruns-openapi-chat-slice.json").read_bytes()
    provenance = (UPSTREAM / "PROVENANCE.md").read_text()
    source = json.loads(data)["x-source"]
    assert source["repo"] == "everruns/everruns"
    assert f"`{source['commit']}`" in provenance
    assert f"`{hashlib.sha256(data).hexdigest()}`" in provenance


@pytest.mark.parametrize("name", ["requirements.lock", "requirements-node.lock"])
def test_a_lock_names_no_path_of_one_machine_and_pins_every_package_with_hashes(name: str) -> None:
    lock = (ROOT / name).read_text()
    options = [line for line in lock.splitlines() if line.startswith("-")]
    assert options == [], f"options in the lock tie it to one machine or index: {options}"
    assert "file://" not in lock and "/opt/" not in lock
    # one requirement per block: "name==version \" followed by its "--hash=sha256:..." lines
    requirements = "\n".join(line for line in lock.splitlines() if not line.lstrip().startswith("#"))
    blocks = re.split(r"\n(?=[a-z0-9])", requirements.strip())
    assert blocks != [""]
    for block in blocks:
        first = block.splitlines()[0]
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*==\S+ \\", first), first
        assert "--hash=sha256:" in block, f"no hash for {first}"
