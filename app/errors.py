"""Every error the app raises on purpose, in one hierarchy.

    AssistenzzeitError            base: a message meant for a person, never a traceback
    ├── InputError                bad input from a person or a file; names the field
    │   ├── CaseError             a pay case file (``assistenzzeit pay``)
    │   └── TooLarge              compressed data that inflates past its cap
    ├── StoreError                the local encrypted store
    │   ├── WrongPassphrase       the passphrase does not unwrap the master key
    │   ├── StoreLocked           an operation needs an unlocked store
    │   ├── StoreNotFound         no store at that path
    │   ├── SnapshotOutdated      a snapshot of an older app version (rebuilt from the log)
    │   ├── WrongPin              a person's PIN does not match its verifier
    │   ├── PinLocked             too many wrong PINs: wait before the next try
    │   └── IntegrityError        an envelope or snapshot failed verification
    │       ├── DamagedEnvelope   an authentic envelope that cannot be opened or decoded
    │       └── DamagedKeys       the device's keys in the store cannot be read
    ├── PermissionDenied          the member's role does not allow the operation
    ├── NotFound                  a member, shift or entry that does not exist
    ├── VerificationFailed        a signed bundle fails one check (``assistenzzeit verify``)
    └── SyncError                 talking to a relay or a peer
        ├── ProtocolError         a malformed or unverifiable message on the wire
        │   └── ClockSkewError    a remote timestamp too far in the future
        ├── RelayRefused          the relay answered 4xx (the client's view)
        └── Refused               the relay refuses a request (the relay's side)

An error is raised with an i18n key and its parameters, ``InputError("error.clock.running",
"clock")``; ``str(err)`` is the German text (logs, tests), ``err.text(lang)`` the text a person
reads in their language. A plain sentence that is no key still works (key ``None``).
"""

from __future__ import annotations

from app.i18n import catalog, t


class AssistenzzeitError(Exception):
    """Base class; ``str(err)`` is a complete German sentence fit to show a user."""

    def __init__(self, message: str = "", **params: object) -> None:
        # A key of the German catalog is rendered; anything else is a sentence as it is.
        self.key = message if message in catalog("de") else None
        self.params = params
        super().__init__(self.text("de") if self.key else message)

    def text(self, lang: str = "de") -> str:
        """The message in ``lang`` (de, en, de-LS). A parameter that is itself a key (the
        name of an action) or an error (the cause) is put in the same language."""
        if self.key is None:
            return str(self)
        values = {name: v.text(lang) if isinstance(v, AssistenzzeitError)
                  else t(v, lang) if isinstance(v, str) and v in catalog("de") else v
                  for name, v in self.params.items()}
        return t(self.key, lang, **values)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled (the page opener's helper process): keep key, parameters and field, which
        # the default (the class called with the German text) would lose.
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[AssistenzzeitError], args: tuple[object, ...],
             state: dict[str, object]) -> AssistenzzeitError:
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class InputError(AssistenzzeitError, ValueError):
    """Bad input. ``field`` names where, so a form or a CLI can point at it."""

    def __init__(self, message: str, field: str | None = None, **params: object) -> None:
        super().__init__(message, **params)
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


class WrongPin(StoreError):
    """The PIN does not match the person's stored verifier; nothing was switched."""


class PinLocked(StoreError):
    """Too many wrong tries; ``seconds`` until the next try is allowed."""

    def __init__(self, message: str, seconds: int) -> None:
        super().__init__(message, seconds=seconds)
        self.seconds = seconds


class IntegrityError(StoreError):
    """A stored envelope or snapshot failed its authentication check."""


class DamagedEnvelope(IntegrityError):
    """An envelope that does not decrypt, inflate (or inflates past the cap) or decode.
    Sync quarantines it on its own instead of stopping (``app/store/quarantine.py``)."""


class DamagedKeys(IntegrityError):
    """The key table (or one key in it) is damaged: the store cannot be unlocked until it is
    restored. Nothing is written meanwhile, so a restored file has lost nothing."""


class PermissionDenied(AssistenzzeitError):
    """The acting member's role does not allow this."""


class NotFound(AssistenzzeitError, LookupError):
    """A referenced record does not exist."""


class SyncError(AssistenzzeitError):
    """Sync with a relay or peer failed."""


class ProtocolError(SyncError):
    """A message on the wire is malformed or fails verification."""


class ClockSkewError(ProtocolError):
    """A remote timestamp lies too far in the future to be trusted."""


class RelayRefused(SyncError):
    """The relay answered 4xx: ``status`` and the relay's reason (its English words). ``key``
    says it to a person when the client knows that refusal (``protocol.REFUSALS``)."""

    def __init__(self, status: int, reason: str, key: str = "error.relay.refused") -> None:
        super().__init__(key, status=status, reason=reason)
        self.status, self.reason = status, reason


class Refused(SyncError):
    """A request the relay refuses; ``status`` is the HTTP status, the message the reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class SnapshotOutdated(StoreError, ValueError):
    """The snapshot was made for other tables (an older app version)."""


class TooLarge(InputError):
    """The data inflates past the cap: damaged or hostile, refused whole."""


class VerificationFailed(AssistenzzeitError):
    """One check of a signed bundle failed: ``check`` names it, ``reason`` says why (English);
    ``text(lang)`` says it in a person's language."""

    def __init__(self, check: str, message: str, /, **params: object) -> None:
        super().__init__(message, **params)
        # ``reason`` stays English, the words of the bundle format's checks (README, tests).
        self.check, self.reason = check, self.text("en")
