"""What every store-using command shares: ``--store``, the passphrase, opening the store."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app import settings
from app.errors import StoreError
from app.store.services import Services
from app.store.store import Store


def add_store_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", type=Path, default=None,
                        help="folder of the store (default: ASSISTENZZEIT_STORE or the "
                             "user data folder)")


def store_dir(args: argparse.Namespace) -> Path:
    return Path(args.store) if args.store else Path(settings.get("store"))


def passphrase(confirm: bool = False) -> str:
    value = settings.get("passphrase")
    if value:
        return str(value)
    if not sys.stdin.isatty():
        raise StoreError("error.passphrase.missing")
    first = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("Passphrase wiederholen: ") != first:
        raise StoreError("error.passphrase.mismatch")
    return first


@contextmanager
def open_services(args: argparse.Namespace) -> Iterator[Services]:
    """Open and unlock the store; report damaged envelopes on stderr; lock on exit."""
    store = Store.open(store_dir(args))
    try:
        for damage in store.unlock(passphrase()):
            print(f"assistenzzeit: warning: {damage.envelope}: {damage.reason}", file=sys.stderr)
        yield Services(store)
    finally:
        store.close()
