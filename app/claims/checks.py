"""Checks on single values shared by every entry point: URLs, tags, lengths."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from app.claims.errors import FieldErrors
from app.db import MAX_ID

MAX_URL = 2048
MAX_QUERY_TEXT = 200
TAG = re.compile(r"^[a-z0-9][a-z0-9._+-]{0,39}$")
# What separates the words of a tag: "Open Weights", "open_weights" and "open-weights" are one.
TAG_SEPARATORS = re.compile(r"[\s_-]+")
MAX_TAGS = 20
# Characters that never belong in a one-line text field (control characters other than tab).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Code points that are not characters: unpaired surrogates (UTF-8 cannot encode them, so they
# could be neither stored in PostgreSQL nor written as JSON) and the non-characters U+FFFE,
# U+FFFF and U+FDD0-U+FDEF (XML forbids the first two: one in a statement would break the
# Atom feed for every subscriber).
NOT_TEXT = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` cannot be stored as it is (naming the first bad character), or None."""
    bad = NOT_TEXT.search(text)
    if bad:
        return f"must not contain U+{ord(bad.group()):04X}, which is not a character"
    lines = text.replace("\n", "").replace("\t", "") if multiline else text
    bad = CONTROL.search(lines)
    if bad:
        return f"must not contain control characters (found U+{ord(bad.group()):04X})"
    return None


def check_id(errors: FieldErrors, field: str, raw: str | int | None) -> int | None:
    """An id given as text or a number: a whole number from 1 to MAX_ID, or None if absent."""
    if raw is None or raw == "":
        return None
    text = str(raw)
    # isascii: isdigit() alone also accepts "²", which int() refuses.
    if isinstance(raw, bool) or not (text.isascii() and text.isdigit()) or len(text) > 10:
        errors.add(field, "must be an id (a whole number)")
        return None
    if not 1 <= int(text) <= MAX_ID:
        errors.add(field, "names nothing: ids are whole numbers from 1 to 2147483647")
        return None
    return int(text)


def check_query_text(errors: FieldErrors, field: str, raw: str | None) -> str | None:
    """Text a list is filtered by (`q`, a tag): stripped, at most MAX_QUERY_TEXT characters of
    text; None when empty."""
    text = (raw or "").strip()
    if not text:
        return None
    if len(text) > MAX_QUERY_TEXT:
        errors.add(field, f"must be at most {MAX_QUERY_TEXT} characters")
        return None
    problem = text_problem(text)
    if problem:
        errors.add(field, problem)
        return None
    return text


def check_url(errors: FieldErrors, field: str, value: str | None, *, required: bool) -> str | None:
    """An http(s) URL with a host, or None when empty and optional."""
    url = (value or "").strip()
    if not url:
        if required:
            errors.add(field, "is required")
        return None
    if len(url) > MAX_URL:
        errors.add(field, f"must be at most {MAX_URL} characters")
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        errors.add(field, "is not a valid URL")
        return None
    if parts.scheme.lower() not in {"http", "https"}:
        errors.add(field, "must be an http or https URL")
        return None
    if not host or any(ch.isspace() for ch in url) or text_problem(url):
        errors.add(field, "must be an http or https URL with a host")
        return None
    return url


def check_text(
    errors: FieldErrors,
    field: str,
    value: str | None,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """Stripped text within `max_length` characters; one line unless `multiline`."""
    if value is not None and not isinstance(value, str):
        errors.add(field, "must be text")
        return ""
    text = (value or "").strip()
    if multiline:
        text = text.replace("\r\n", "\n")
    if required and not text:
        errors.add(field, "is required")
    elif len(text) > max_length:
        errors.add(field, f"must be at most {max_length} characters (got {len(text)})")
    elif problem := text_problem(text, multiline=multiline):
        errors.add(field, problem)
    return text


def normalise_tag(raw: str) -> str:
    """A tag in its one spelling: lower case, words joined by single hyphens."""
    return TAG_SEPARATORS.sub("-", raw.strip().lower()).strip("-")


def check_tags(errors: FieldErrors, values: Iterable[str] | str | None) -> list[str]:
    """Normalised (`normalise_tag`), de-duplicated, sorted tags; a string is split on commas."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(",")
    tags: set[str] = set()
    for raw in values:
        if not isinstance(raw, str):
            errors.add("tags", "must be a list of text labels")
            continue
        tag = normalise_tag(raw)
        if not tag:
            continue
        if not TAG.match(tag):
            errors.add(
                "tags",
                f"{tag[:50]!r} is not a tag: up to 40 letters, digits, hyphens or ._+",
            )
            continue
        tags.add(tag)
    if len(tags) > MAX_TAGS:
        errors.add("tags", f"at most {MAX_TAGS} tags")
    return sorted(tags)


def check_watch_terms(errors: FieldErrors, values: Iterable[str] | str | None) -> list[str]:
    """Phrases that find the claim's announcement in watched feeds, in the order given: a
    string is split on commas; each needs a letter or digit; repeats (same words) dropped."""
    from app.claims.terms import MAX_TERM_LENGTH, MAX_TERMS, words_of

    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(",")
    terms: dict[frozenset[str], str] = {}
    for raw in values:
        if not isinstance(raw, str):
            errors.add("watch_terms", "must be a list of phrases")
            continue
        term = " ".join(raw.split())
        if not term:
            continue
        if len(term) > MAX_TERM_LENGTH:
            errors.add("watch_terms", f"{term[:40]!r}… is longer than {MAX_TERM_LENGTH} characters")
        elif problem := text_problem(term):
            errors.add("watch_terms", problem)
        elif not (words := words_of(term)):
            errors.add("watch_terms", f"{term!r} has no letter or digit to look for")
        else:
            terms.setdefault(frozenset(words), term)
    if len(terms) > MAX_TERMS:
        errors.add("watch_terms", f"at most {MAX_TERMS} phrases")
    return list(terms.values())
