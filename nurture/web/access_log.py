"""The server's access log without query strings: they carry the Inbound Parse secret (`?key=`), and the
phones and emails ops search for (`/ops/leads?q=...`)."""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"
"""uvicorn's access log; each record's arguments are (client, method, path with query, HTTP version, status)."""
PATH_ARG = 2


def without_query(target: str) -> str:
    """`target` up to its query string: "/ops/leads?q=3055550142" -> "/ops/leads"."""
    return target.partition("?")[0]


class DropQueryString(logging.Filter):
    """Cut the query string off the request target of each access-log record (the record stays)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > PATH_ARG and isinstance(args[PATH_ARG], str):
            record.args = (*args[:PATH_ARG], without_query(args[PATH_ARG]), *args[PATH_ARG + 1:])
        return True


def with_access_filter(log_config: dict) -> dict:
    """A copy of a logging.config.dictConfig dictionary (uvicorn's LOGGING_CONFIG) whose access logger drops
    query strings before any of its handlers sees a record."""
    loggers = {name: dict(logger) for name, logger in log_config.get("loggers", {}).items()}
    access = loggers.setdefault(ACCESS_LOGGER, {})
    access["filters"] = [*access.get("filters", []), "drop_query"]
    return {**log_config, "filters": {**log_config.get("filters", {}), "drop_query": {"()": DropQueryString}},
            "loggers": loggers}
