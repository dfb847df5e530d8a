"""UI state: the one store of this process, and the state of one browser session.

The machine running the local web app is *the device*: there is one ``Store`` per process,
held by ``StoreHolder`` and shared by every browser session (a shared tablet in the flat,
the employer's PC). Each session keeps its own language, theme, text size and *who* is using
it; writes go through ``store.acting_as(member_id)``. Device preferences (language, theme,
text size) are kept in a small JSON file beside the store — never secrets.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app import settings
from app.i18n import LANGUAGES, t
from app.store import demo
from app.store.damage import Damage
from app.store.disk import store_file
from app.store.services import Services
from app.store.store import Store

PREFS_FILE = "device-settings.json"
THEMES = ("light", "dark", "contrast")
TEXT_SCALES = (100, 150, 200)
EMPLOYER_ROLES = ("employer", "proxy")


class StoreHolder:
    """The process-wide store, created, unlocked and locked under one lock.

    Sessions subscribe with ``on_change`` to hear when the store is locked or unlocked,
    so every open tab shows the unlock screen after *Sperren*."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.lock_ = threading.RLock()
        self.store: Store | None = None
        self.services: Services | None = None
        self.is_demo = False
        self._listeners: list[Callable[[str], None]] = []
        # Set when the process stops: sessions' watcher threads end on it, so nothing keeps
        # the interpreter from exiting (a service manager's SIGTERM).
        self.closed = threading.Event()

    # -------------------------------------------------------------- state
    def exists(self) -> bool:
        return store_file(self.directory).exists()

    @property
    def unlocked(self) -> bool:
        return self.store is not None and self.store.unlocked

    def damage(self) -> list[Damage]:
        """Damaged rows of the unlocked store, named until repaired (``app/store/damage.py``)."""
        return list(self.store.damaged) if self.store is not None and self.unlocked else []

    def kdf_n(self) -> int:
        return int(settings.get("kdf_n"))

    # -------------------------------------------------------------- life cycle
    def create_team(self, passphrase: str, team_name: str, your_name: str, state: str) -> None:
        """A new store with a new team; this device's owner is its employer. On a bad input
        nothing stays behind: the half-made store folder is removed again."""
        with self.lock_:
            store = Store.create(self.directory, passphrase, kdf_n=self.kdf_n())
            services = Services(store)
            try:
                services.create_team(team_name, your_name, state=state)
            except Exception:
                store.close()
                _remove_store_files(self.directory)
                raise
            self.store, self.services, self.is_demo = store, services, False
        self._notify("unlocked")

    def create_demo(self, passphrase: str, today: date | None = None) -> None:
        with self.lock_:
            store = Store.create(self.directory, passphrase, kdf_n=self.kdf_n())
            services = Services(store)
            try:
                demo.build(services, today or store.clock().date())
                store.write_snapshot()
            except Exception:
                store.close()
                _remove_store_files(self.directory)  # no half-made demo left behind
                raise
            self.store, self.services, self.is_demo = store, services, True
            self._save_meta()
        self._notify("unlocked")

    def unlock(self, passphrase: str) -> None:
        """Raises WrongPassphrase and leaves everything as it was when the phrase is wrong."""
        with self.lock_:
            if self.unlocked:
                return
            store = self.store or Store.open(self.directory)
            store.unlock(passphrase)
            self.store, self.services = store, Services(store)
            self.is_demo = bool(self._meta().get("demo"))
        self._notify("unlocked")

    def lock(self) -> None:
        with self.lock_:
            if self.store is not None and self.store.unlocked:
                self.store.lock()
            self.services = None
        self._notify("locked")

    def close(self) -> None:
        self.closed.set()
        with self.lock_:
            if self.store is not None:
                self.store.close()
            self.store = self.services = None

    # -------------------------------------------------------------- listeners
    def on_change(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def off_change(self, listener: Callable[[str], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _notify(self, what: str) -> None:
        for listener in list(self._listeners):
            try:
                listener(what)
            except Exception:  # a closed tab must not stop the others
                self.off_change(listener)

    # -------------------------------------------------------------- device files
    def _meta(self) -> dict[str, Any]:
        meta = load_prefs(self.directory).get("meta")
        return meta if isinstance(meta, dict) else {}

    def _save_meta(self) -> None:
        prefs = load_prefs(self.directory)
        prefs["meta"] = {"demo": self.is_demo}
        save_prefs(self.directory, prefs)


def _remove_store_files(directory: Path) -> None:
    main = store_file(directory)
    for path in (main, main.with_name(main.name + "-wal"), main.with_name(main.name + "-shm")):
        path.unlink(missing_ok=True)


def load_prefs(directory: Path) -> dict[str, Any]:
    """Device preferences; a missing or unreadable file means defaults."""
    try:
        data = json.loads((Path(directory) / PREFS_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save_prefs(directory: Path, prefs: dict[str, Any]) -> None:
    path = Path(directory) / PREFS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(prefs, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)  # atomic: a crash leaves the old or the new file, never half of one


@dataclass
class Session:
    """What one browser session remembers: language, look, who is using it, where it is."""

    holder: StoreHolder
    lang: str = "de"
    theme: str = "light"
    text_scale: int = 100
    member_id: str | None = None
    # This session typed the passphrase (or the device unlocks itself): its first pick of a
    # person is free; any later switch to more rights asks for a PIN (``views/who.py``).
    proven: bool = False
    screen: str = "start"
    month: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    last_input: float = field(default_factory=time.monotonic)
    message: str = ""
    message_is_error: bool = False
    # Keyboard focus across a rebuild: the name of the button to focus next (the one just
    # pressed, or what an action names), and that button once the new screen has it.
    focus_name: str = ""
    focus_target: Any = None
    focus_first: Any = None  # the screen's first button: where focus goes if the named one left
    scroll: dict[str, float] = field(default_factory=dict)  # screen -> offset in px
    # The text fields shown (``widgets.bound``), by (form, key): a button press first copies
    # their values into their forms, since a change event may still be on its way in another
    # thread when the click arrives (typed text was then lost).
    bound_fields: dict[tuple[int, str], tuple[dict[str, Any], str, Any]] = field(
        default_factory=dict)

    @classmethod
    def for_device(cls, holder: StoreHolder) -> Session:
        prefs = load_prefs(holder.directory)
        lang = prefs.get("lang") or settings.get("language")
        return cls(holder=holder,
                   lang=lang if lang in LANGUAGES else "de",
                   theme=str(prefs.get("theme")) if prefs.get("theme") in THEMES else "light",
                   text_scale=int(prefs["text_scale"]) if prefs.get("text_scale") in TEXT_SCALES
                   else 100)

    def save_device_prefs(self) -> None:
        prefs = load_prefs(self.holder.directory)
        prefs.update(lang=self.lang, theme=self.theme, text_scale=self.text_scale)
        save_prefs(self.holder.directory, prefs)

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    @property
    def services(self) -> Services:
        services = self.holder.services
        if services is None:
            from app.errors import StoreLocked

            raise StoreLocked("error.locked")
        return services

    def member(self) -> dict[str, Any] | None:
        if not self.member_id or not self.holder.unlocked:
            return None
        try:
            return self.services.member(self.member_id)
        except Exception:  # a removed member simply means "pick again"
            return None

    @property
    def role(self) -> str:
        member = self.member()
        return str(member["role"]) if member else ""

    @property
    def is_employer(self) -> bool:
        return self.role in EMPLOYER_ROLES

    def touch(self) -> None:
        self.last_input = time.monotonic()

    def idle_seconds(self) -> float:
        return time.monotonic() - self.last_input
