"""Log lines for the routes and pages (store/logs.py): the format, the per-request scope and its
access line."""

from pipeline_core.store.logs import access, configure, note, request_scope

__all__ = ["access", "configure", "note", "request_scope"]
