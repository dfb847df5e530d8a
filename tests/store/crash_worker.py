"""Clocks a member in and out in a loop, printing each entry once it is durable.

Run by test_store_crash.py, which kills this process with SIGKILL at a random moment.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.store.services import Services
from app.store.store import Store


def main(directory: str, passphrase: str) -> None:
    store = Store.open(Path(directory))
    store.unlock(passphrase)
    services = Services(store)
    ben = services.member_by_name("Ben Meyer")["id"]
    with store.acting_as(ben):
        if services.running_entry(ben):
            services.clock_out(ben)
        while True:
            entry = services.clock_in(ben, note="crash test")
            print(f"in {entry}", flush=True)
            services.clock_out(ben)
            print(f"out {entry}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
    sys.exit(0)
