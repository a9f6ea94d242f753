"""What the domain refuses, in terms every interface can map to its own answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """Base of every refusal; nothing was changed when one is raised."""

    title = "Request refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationError(DomainError):
    """The input is invalid in itself (API: 422); `errors` maps each field to its messages."""

    title = "Invalid input"

    def __init__(self, errors: Mapping[str, Sequence[str]], detail: str | None = None) -> None:
        self.errors = {field: list(messages) for field, messages in errors.items()}
        if detail is None:
            detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())
        super().__init__(detail or "invalid input")

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: [message]})


class StateConflict(DomainError):
    """Well-formed, but the claim's state forbids it (API: 409)."""

    title = "Not allowed in the claim's current state"


class VersionConflict(DomainError):
    """The caller's copy is stale: someone changed the claim since (API: 412)."""

    title = "The claim has changed"


class PermissionDenied(DomainError):
    """The actor's role does not allow this (API: 403)."""

    title = "Not allowed"


class NotFound(DomainError):
    """No such claim, evidence, user or source (API: 404)."""

    title = "Not found"


class FieldErrors:
    """Collects messages per field so a form or request reports every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
