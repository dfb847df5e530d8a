"""Settings in one typed table (STYLE.md #10): name, type, default, help.

Each is read from an ``ASSISTENZZEIT_<NAME>`` variable; the CLI's options override them.
``docs/settings.md`` is generated from this table and a test checks it is complete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"ASSISTENZZEIT_{self.name.upper()}"

    def value(self) -> Any:
        raw = os.environ.get(self.env)
        if raw is None or raw == "":
            return self.default
        if self.type is bool:
            return raw.strip().lower() in ("1", "true", "yes", "ja")
        return self.type(raw)


SETTINGS = [
    Setting("store", Path, Path(user_data_dir("assistenzzeit")),
            "Folder of the encrypted local store."),
    Setting("passphrase", str, None,
            "Passphrase for unattended use (kiosk, tests, scripts); otherwise it is asked for."),
    Setting("host", str, "127.0.0.1", "Address the local web app listens on."),
    Setting("port", int, 8550, "Port of the local web app."),
    Setting("idle_lock_minutes", int, 15,
            "Lock the app after this many minutes without input (0: never)."),
    Setting("kdf_n", int, 2**16, "Scrypt cost N for new stores (a power of two)."),
    Setting("language", str, "de", "Language of a new install: de, de-LS or en."),
    Setting("relay", str, "", "Default relay URL for sync and calendar publishing."),
    Setting("pdf_font_dir", Path, Path("/usr/share/fonts/truetype/dejavu"),
            "Folder with the DejaVu Sans fonts the PDF exports embed."),
    Setting("relay_fault", str, "",
            "Tests only: the relay sleeps at these points (point:seconds,…), to be killed there."),
]
BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> Any:
    return BY_NAME[name].value()


def markdown() -> str:
    lines = ["# Settings", "", "| variable | type | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = ("(user data folder)" if s.name == "store"
                   else f"`{s.default}`" if isinstance(s.default, Path) else repr(s.default))
        lines.append(f"| `{s.env}` | {s.type.__name__} | {default} | {s.help} |")
    return "\n".join(lines) + "\n"
