"""The README's plain-OpenSSL commands verify a real bundle (subprocess, real openssl).

The commands are read from the ``sh verify-bundle`` block of README.md, exactly as a reader
would copy them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.exports import bundle as bundle_file
from app.store import timesheets

REPO = Path(__file__).resolve().parents[2]
SOURCES = (REPO / "README.md",)
FENCE = "```sh verify-bundle"


def readme_commands() -> str:
    for source in SOURCES:
        if source.exists() and FENCE in source.read_text("utf-8"):
            text = source.read_text("utf-8").split(FENCE, 1)[1]
            return text.split("\n```", 1)[0].strip("\n") + "\n"
    raise AssertionError(f"no '{FENCE}' block in {', '.join(map(str, SOURCES))}")


@pytest.fixture
def bundle_dir(case_store, tmp_path: Path) -> tuple[Path, dict]:
    cs = case_store([("Deniz Kaya", "1003", "minijob-april-ok")])
    deniz = cs.members["Deniz Kaya"]
    timesheets.submit(cs.services, deniz, "2026-04")
    timesheets.approve(cs.services, deniz, "2026-04")
    bundle = timesheets.bundle(cs.services, deniz, "2026-04")
    work = tmp_path / "openssl"
    work.mkdir()
    # The README names the file of this very case: stundennachweis-2026-04-1003-v1.
    bundle_file.write(bundle, work)
    return work, bundle


def _run(work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", readme_commands()], cwd=work,
                          capture_output=True, text=True)


def test_readme_openssl_commands_verify_both_signatures(bundle_dir) -> None:
    work, bundle = bundle_dir
    assert "B=stundennachweis-2026-04-1003-v1.bundle.json" in readme_commands()
    done = _run(work)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Signature Verified Successfully") == 2
    lines = done.stdout.splitlines()
    assert lines[0].split()[0] == bundle["doc_hash"]  # openssl's SHA-256 of the document
    assert lines[1] == bundle["doc_hash"]
    assert lines[-1] == bundle["signatures"][0]["fingerprint"].replace(" ", "").lower()


def test_readme_openssl_commands_fail_on_a_changed_document(bundle_dir) -> None:
    work, _bundle = bundle_dir
    path = work / "stundennachweis-2026-04-1003-v1.bundle.json"
    path.write_bytes(path.read_bytes().replace(b'\\"gross\\":\\"658.00', b'\\"gross\\":\\"758.00'))
    done = _run(work)
    assert done.returncode != 0
    assert "Signature Verification Failure" in done.stdout + done.stderr
