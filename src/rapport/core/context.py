"""The request id of the current request, attached to change records and events."""

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("rapport_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def new_request_id() -> contextvars.Token:
    return _request_id.set(uuid.uuid4().hex)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)
