"""The CLI end to end in real subprocesses: timesheet, export, verify (exit codes, output)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.exports.conftest import PASSPHRASE


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTENZZEIT_PASSPHRASE": PASSPHRASE}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, env=env)


def test_cli_sign_approve_export_verify(case_store, tmp_path: Path) -> None:
    cs = case_store([("Deniz Kaya", "1003", "minijob-april-ok")])
    store_dir = str(cs.store.directory)
    cs.store.close()
    common = ["--store", store_dir, "--member", "Deniz Kaya", "--month", "2026-04"]

    done = _cli("timesheet", "reject", *common)
    assert done.returncode == 2
    assert "comment" in done.stderr or "Grund" in done.stderr

    done = _cli("timesheet", "submit", *common)
    assert done.returncode == 0, done.stderr
    assert "version 1 submitted" in done.stdout

    done = _cli("timesheet", "approve", *common, "--by", "Frank Huber")
    assert done.returncode == 0, done.stderr
    assert "version 1 approved" in done.stdout

    out = tmp_path / "out"
    # No BeraterNr/MandantenNr yet: refused with exit 2, naming both and where to set them,
    # and nothing is written (not even the formats before it).
    done = _cli("export", "--store", store_dir, "--month", "2026-04", "--format", "all",
                "--out", str(out), "--mark-exported")
    assert done.returncode == 2
    assert "BeraterNr" in done.stderr and "MandantenNr" in done.stderr
    assert "export-settings.json" in done.stderr and "Export" in done.stderr
    assert not out.exists() or not list(out.iterdir())
    (Path(store_dir) / "export-settings.json").write_text(
        '{"berater_nr": "12345", "mandanten_nr": "678"}', "utf-8")
    done = _cli("export", "--store", store_dir, "--month", "2026-04", "--format", "all",
                "--out", str(out), "--mark-exported")
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["lexware-2026-04.txt", "lodas-2026-04.txt", "lohn-2026-04.csv",
                     "stundennachweis-2026-04-1003-v1.bundle.json",
                     "stundennachweis-2026-04-1003-v1.pdf",
                     "verwendungsnachweis-2026-04.csv", "verwendungsnachweis-2026-04.pdf"]

    done = _cli("verify", str(out / "stundennachweis-2026-04-1003-v1.pdf"))
    assert done.returncode == 0, done.stderr
    assert "Deniz Kaya (assistant)" in done.stdout
    assert "Frank Huber (proxy) im Auftrag von / on behalf of Anna Becker" in done.stdout

    bundle = out / "stundennachweis-2026-04-1003-v1.bundle.json"
    bundle.write_bytes(bundle.read_bytes().replace(b'\\"43.00\\"', b'\\"44.00\\"', 1))
    done = _cli("verify", str(bundle))
    assert done.returncode == 1
    assert "doc_hash" in done.stderr

    # Exported: the month is locked, a second submission is refused with a reason.
    done = _cli("timesheet", "submit", *common)
    assert done.returncode == 2
    assert "exported" in done.stderr
    done = _cli("timesheet", "reopen", *common)
    assert done.returncode == 0 and "version 2 draft" in done.stdout
