"""Every error raised with a catalog key finds that key in German, English and Leichte Sprache,
English with the same {placeholders} as German, Leichte Sprache with the same or fewer (a plain
sentence may leave out a technical detail), and the raise site passes each placeholder.

Read from the source (AST), so a raise on a path no other test reaches is checked as well."""

from __future__ import annotations

import ast
import pickle
import string
from pathlib import Path

import pytest

from app import errors
from app.i18n import LANGUAGES, catalog
from app.sync import protocol

APP = Path(__file__).resolve().parents[1] / "app"
KEY_ARG = {"VerificationFailed": 1}  # VerificationFailed(check, key, ...)
IMPLIED = {"PinLocked": {"seconds"}}  # PinLocked(key, seconds) passes it on as a parameter
BILINGUAL_LEFT: set[str] = set()  # files still raising "Deutsch / English": none


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of AssistenzzeitError and its subclasses, wherever they are defined."""
    names = {n for n, v in vars(errors).items()
             if isinstance(v, type) and issubclass(v, errors.AssistenzzeitError)}
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        _name(b) in names for b in node.bases):
                    names.add(node.name)
                    grew = True
    return names


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _sites() -> list[tuple[str, str, set[str] | None]]:
    """(where, key, keyword names or None when the call spreads **params)."""
    trees = {p: ast.parse(p.read_text("utf-8")) for p in sorted(APP.rglob("*.py"))}
    classes = _error_classes(trees)
    sites = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node.func) not in classes:
                continue
            index = KEY_ARG.get(str(_name(node.func)), 0)
            arg = node.args[index] if len(node.args) > index else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                    and arg.value.startswith("error."):
                spread = any(k.arg is None for k in node.keywords)
                names = None if spread else {str(k.arg) for k in node.keywords} - {"field"} | \
                    IMPLIED.get(str(_name(node.func)), set())
                sites.append((f"{path.relative_to(APP.parent)}:{node.lineno}", arg.value, names))
    return sites


SITES = _sites()


def test_raise_sites_with_keys_are_found():
    # The walk itself must work: well over a hundred raise sites carry a key.
    assert len(SITES) >= 130
    assert any(key == "error.clock.running" for _, key, _ in SITES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_raised_key_exists_with_the_same_placeholders(lang: str):
    german = catalog("de")
    problems = []
    for where, key, names in SITES:
        if key not in catalog(lang):
            problems.append(f"{where}: {key} missing in {lang}")
            continue
        wanted, has = _placeholders(german.get(key, "")), _placeholders(catalog(lang)[key])
        if has != wanted and not (lang == "de-LS" and has < wanted):
            problems.append(f"{where}: {key} has other placeholders in {lang}")
        elif names is not None and not wanted <= names:
            problems.append(f"{where}: {key} needs {sorted(wanted - names)}")
    assert not problems, "\n".join(problems)


def test_no_bilingual_sentence_is_raised():
    """The old style, "Deutsch. / English.", shown word for word in every language."""
    trees = {p: ast.parse(p.read_text("utf-8")) for p in sorted(APP.rglob("*.py"))}
    classes = _error_classes(trees)
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in classes:
                texts = [n.value for a in node.args for n in ast.walk(a)
                         if isinstance(n, ast.Constant) and isinstance(n.value, str)]
                if any(" / " in text for text in texts) and \
                        str(path.relative_to(APP.parent)) not in BILINGUAL_LEFT:
                    found.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert not found, found


def test_relay_refusals_the_client_knows_are_the_relays_words():
    """``protocol.REFUSALS`` maps the relay's reasons to keys: each reason is one the relay
    raises word for word, and each key reads in all three languages."""
    raised = set()
    for path in sorted((APP / "sync").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) == "Refused" and \
                    len(node.args) == 2 and isinstance(node.args[1], ast.Constant):
                raised.add(node.args[1].value)
    assert set(protocol.REFUSALS) <= raised, set(protocol.REFUSALS) - raised
    for key in set(protocol.REFUSALS.values()) | {"error.relay.refused"}:
        for lang in LANGUAGES:
            assert _placeholders(catalog(lang)[key]) <= {"status", "reason"}, (key, lang)


def test_an_error_keeps_its_key_through_pickling():
    """The page opener's helper process sends errors back pickled: key, parameters and field
    survive, so the error still reads in every language."""
    sent = errors.InputError("error.case.not_json", "case", path="c.json", line=2, column=5)
    back = pickle.loads(pickle.dumps(sent))
    assert (type(back), back.key, back.field, back.params) == \
        (errors.InputError, sent.key, "case", sent.params)
    assert back.text("en") == "case file c.json is not JSON (line 2, column 5)"
    assert str(back) == str(sent) and str(back) != back.text("en")


def test_a_cause_given_as_a_parameter_reads_in_the_same_language():
    cause = errors.TooLarge("error.limits.inflates", mib=4)
    err = errors.DamagedEnvelope("error.envelope.damaged_why", label="envelope 3", reason=cause)
    assert err.text("en") == "envelope 3: cannot be decrypted or decoded (inflates past 4 MiB)"
    assert cause.text("de") in str(err) and "inflates" not in str(err)
