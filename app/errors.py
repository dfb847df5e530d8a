"""Every error the app raises on purpose, in one hierarchy.

    AssistenzzeitError            base: a message meant for a person, never a traceback
    ├── InputError                bad input from a person or a file; names the field
    │   └── CaseError             a pay case file (``assistenzzeit pay``)
    ├── StoreError                the local encrypted store
    │   ├── WrongPassphrase       the passphrase does not unwrap the master key
    │   ├── StoreLocked           an operation needs an unlocked store
    │   ├── StoreNotFound         no store at that path
    │   └── IntegrityError        an envelope or snapshot failed verification
    ├── PermissionDenied          the member's role does not allow the operation
    ├── NotFound                  a member, shift or entry that does not exist
    └── SyncError                 talking to a relay or a peer
        └── ProtocolError         a malformed or unverifiable message on the wire
"""

from __future__ import annotations


class AssistenzzeitError(Exception):
    """Base class; ``str(err)`` is a complete sentence fit to show a user."""


class InputError(AssistenzzeitError, ValueError):
    """Bad input. ``field`` names where, so a form or a CLI can point at it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CaseError(InputError):
    """A pay case file that cannot be read."""


class StoreError(AssistenzzeitError):
    """The local store cannot do what was asked."""


class WrongPassphrase(StoreError):
    """The passphrase does not unwrap the master key; nothing was changed."""


class StoreLocked(StoreError):
    """The store is locked; unlock it first."""


class StoreNotFound(StoreError):
    """There is no store at the given place."""


class IntegrityError(StoreError):
    """A stored envelope or snapshot failed its authentication check."""


class PermissionDenied(AssistenzzeitError):
    """The acting member's role does not allow this."""


class NotFound(AssistenzzeitError, LookupError):
    """A referenced record does not exist."""


class SyncError(AssistenzzeitError):
    """Sync with a relay or peer failed."""


class ProtocolError(SyncError):
    """A message on the wire is malformed or fails verification."""
