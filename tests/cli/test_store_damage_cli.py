"""Damaged store files through the CLI, as a user meets them (issue 12): every open names
the damage and lists every member; ``check`` names it too and never prints a traceback; a
damaged key table is one clear line and exit 2."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.store.disk import store_file
from tests.cli.test_store_cli import run

MEMBERS = 7  # the demo team: employer, proxy, four assistants, payroll


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "store"
    run("demo", "--store", str(path))
    return path


@pytest.fixture
def store(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store"
    shutil.copytree(demo_template, path)
    return path


def _sql(path: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(store_file(path))
    conn.execute(sql, args)
    conn.commit()
    conn.close()


def _members(path: Path) -> tuple[int, str]:
    proc = run("members", "--store", str(path), check=False)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    return len(proc.stdout.strip().splitlines()), proc.stderr


def _non_utf8_scope_without_snapshot(path: Path) -> str:
    _sql(path, "DELETE FROM snapshot")
    _sql(path, "UPDATE envelopes SET scope = CAST(x'ff74656d' AS TEXT) WHERE id = 5")
    return "scope is not UTF-8"


def _flipped_body_byte(path: Path) -> str:
    conn = sqlite3.connect(store_file(path))
    body = bytearray(conn.execute("SELECT body FROM envelopes WHERE id = 7").fetchone()[0])
    conn.close()
    body[5] ^= 0x10
    _sql(path, "UPDATE envelopes SET body = ? WHERE id = 7", bytes(body))
    return "signature does not match"


def _body_turned_to_text(path: Path) -> str:
    _sql(path, "UPDATE envelopes SET body = body || x'00' WHERE id = 9")  # || makes it TEXT
    return "envelope"


@pytest.mark.parametrize("damage", [_non_utf8_scope_without_snapshot, _flipped_body_byte,
                                    _body_turned_to_text])
def test_damaged_row_named_on_every_open_and_by_check(store: Path, damage) -> None:
    reason = damage(store)
    run("check", "--store", str(store), check=False)  # records what it finds
    for _ in range(2):
        count, stderr = _members(store)
        assert count == MEMBERS
        assert stderr.count("warning:") == 1 and reason in stderr
        assert stderr.rstrip("\n").isprintable()
    proc = run("check", "--store", str(store), check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert "1 damaged" in proc.stdout and reason in proc.stdout


def test_damaged_keys_page_is_one_line_and_exit_2(store: Path) -> None:
    conn = sqlite3.connect(store_file(store))
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'keys'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(store_file(store).read_bytes())
    data[(root - 1) * size:root * size] = b"\x5a" * size
    store_file(store).write_bytes(bytes(data))
    for command in ("members", "check", "members"):
        proc = run(command, "--store", str(store), check=False)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "Schlüssel dieses Geräts im Speicher sind beschädigt" in lines[0]


def test_not_a_store_file_is_one_line_and_exit_2(store: Path) -> None:
    data = store_file(store).read_bytes()
    store_file(store).write_bytes(data[:100] + b"\x00" * 40 + data[140:4096])
    for command in ("members", "check"):
        proc = run(command, "--store", str(store), check=False, lang="en")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert proc.stderr.startswith("assistenzzeit: ") and "damaged" in proc.stderr
