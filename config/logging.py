"""Logging: one JSON object per line on standard error (structlog over the standard library).

Every record, from Django, gunicorn, the tasks framework or our code, goes through the same
processors: an ISO timestamp (UTC), level, logger, the request id of the request being served
(``structlog.contextvars``, bound by ``xinfang.ops.middleware``), the fields passed as
``extra=``, and last a mask over every string: identity numbers and phones never reach a log
in clear (``xinfang.core.masking``). Names, titles and texts of petitions are never logged in
the first place: the access log has the route and the status, not the query string or the body.
"""

from __future__ import annotations

from typing import Any

import structlog

from xinfang.core.masking import mask_text


def _mask(value: Any) -> Any:
    """Every value as the renderer will write it, masked: a string, and also any other object
    (the renderers write it by ``repr``, after this processor: a request's repr carries its
    query string) and a number (a phone passed as an int)."""
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int):
        text = str(value)
        return value if mask_text(text) == text else mask_text(text)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_mask(v) for v in value]
    return mask_text(repr(value))


#: Extras never written: Django's ``django.request`` passes the request object with a 500, whose
#: repr holds the path and the query string (a searched name or phone).
_DROPPED = frozenset({"request"})


def mask_processor(logger: Any, method: str, event_dict: dict) -> dict:
    return {k: _mask(v) for k, v in event_dict.items() if k not in _DROPPED}


def _pre_chain() -> list:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def formatter(fmt: str = "json") -> structlog.stdlib.ProcessorFormatter:
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_pre_chain(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            mask_processor,
            renderer,
        ],
    )


def logging_config(*, fmt: str = "json", level: str = "WARNING", access_log: bool = True) -> dict:
    """The ``LOGGING`` dict of the settings (also given to gunicorn for its own loggers)."""
    if fmt not in ("json", "console"):
        raise ValueError(f"XINFANG_LOG_FORMAT must be json or console, got {fmt!r}")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = {"class": "logging.StreamHandler", "formatter": "structured"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": formatter, "fmt": fmt}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # one line per request (xinfang.ops.middleware); gunicorn's own access log is off
            "xinfang.access": {"level": "INFO" if access_log else "WARNING"},
            "xinfang.ops": {"level": "INFO"},
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            # 4xx warnings would repeat a mistyped path (which may hold a name); the access
            # log has them, with the route instead
            "django.request": {"level": "ERROR"},
            # at DEBUG these print a template's whole context (the request's query string) and
            # every SQL statement with its parameters: never, whatever XINFANG_LOG_LEVEL says
            "django.template": {"level": "INFO"},
            "django.db.backends": {"level": "INFO"},
            "django_tasks": {"level": "INFO"},
            "django_tasks_db": {"level": "INFO"},
        },
    }
