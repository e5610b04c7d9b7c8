"""Keeps credentials out of logs, Dagster's event log, exception text and anything else we write down.

Two layers, because neither is enough alone:
- known values: every token we load, refresh or receive is registered (`register_secret`) and masked wherever
  it appears, whatever the surrounding text looks like;
- patterns: `x-api-token` and `Authorization` headers, `api_token=`/`access_token=`/`password=`... query and
  form values, JSON or dict entries whose key names a secret, and passwords in URLs, so a credential we never
  saw (a colleague's token pasted into a config error) is masked too.

`install_redaction()` wraps the log record factory, so every record is cleaned when it is created: whichever
logger made it, whichever handler (a console, pytest's capture, Dagster's event log) receives it later. A
`RedactionFilter` is also put on the root and `dagster` loggers' handlers for records made elsewhere (e.g. by
`logging.makeLogRecord`). `httpx_event_hooks()` registers the credentials an httpx client sends or receives
and logs each request with them masked. `redact_value` cleans a dict before it becomes metadata or an audit
row.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

MASK = "[REDACTED]"
# Shorter values are too likely to be ordinary words or ids; every real credential is far longer.
MIN_SECRET_LENGTH = 8
SECRET_HEADERS = frozenset({"authorization", "x-api-token", "proxy-authorization", "cookie", "set-cookie"})

# Key names whose values are credentials: `*token` (access_token, x-api-token; not `tokens` or `token_type`),
# anything with password or secret in it, API keys, Authorization and cookies.
_SECRET_KEY = (r"(?:(?:[\w-]*[_-])?(?:token|api[_-]?key|authorization|cookie)"
               r"|[\w-]*(?:password|passwd|secret)[\w-]*)")
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization: Bearer xyz / 'Authorization': 'Basic xyz' / authorization=Bearer xyz
    (re.compile(r"((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?\s*(?:bearer|basic|token)\s+)[^\s\"',;}]+",
                re.IGNORECASE), rf"\1{MASK}"),
    # x-api-token: xyz, in any quoting
    (re.compile(r"(x-api-token[\"']?\s*[:=]\s*[\"']?)[^\s\"',;}&]+", re.IGNORECASE), rf"\1{MASK}"),
    # "access_token": "xyz" and 'password': 'xyz' (JSON, Python reprs)
    (re.compile(rf"([\"']{_SECRET_KEY}[\"']\s*:\s*[\"'])[^\"']*", re.IGNORECASE), rf"\1{MASK}"),
    # api_token=xyz, refresh_token=xyz, client_secret=xyz, password=xyz
    (re.compile(rf"((?:^|[?&\s;,(]){_SECRET_KEY}=)[^&\s\"',;)]+", re.IGNORECASE), rf"\1{MASK}"),
    # OAuth's one-time code in a callback URL or form body (not "exit code=1")
    (re.compile(r"((?:^|[?&])code=)[^&\s\"',;)]+"), rf"\1{MASK}"),
    # scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+(@)", re.IGNORECASE), rf"\1{MASK}\2"),
]

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_ordered: tuple[str, ...] = ()


def register_secret(value: str | None) -> None:
    """Mask this value (and its URL-encoded forms) wherever it appears from now on."""
    if not value or len(value) < MIN_SECRET_LENGTH or value in _secrets:  # the hooks call this per request
        return
    global _ordered
    with _secrets_lock:
        before = len(_secrets)
        _secrets.update({value, quote(value, safe=""), quote_plus(value)})
        if len(_secrets) != before:
            _ordered = tuple(sorted(_secrets, key=len, reverse=True))  # longest first: no partial leftovers


def register_secrets(values: Iterable[str | None]) -> None:
    for value in values:
        register_secret(value)


def forget_secrets() -> None:
    """For tests: start again with no known values."""
    global _ordered
    with _secrets_lock:
        _secrets.clear()
        _ordered = ()


def redact(text: str) -> str:
    """`text` with every known secret and every credential-shaped value replaced by MASK."""
    for secret in _ordered:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any) -> Any:
    """A copy of a JSON-like value fit to store or show: secret-named keys masked, strings redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {key: MASK if _is_secret_key(key) and isinstance(value[key], str) else redact_value(value[key])
                for key in value}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def _is_secret_key(key: object) -> bool:
    return isinstance(key, str) and re.fullmatch(_SECRET_KEY, key, re.IGNORECASE) is not None


# -- logging -------------------------------------------------------------------------------------------------

def redact_record(record: logging.LogRecord) -> None:
    """Replace the record's message (and traceback text) with a redacted copy, in place."""
    # No marker attribute: Dagster passes unknown record attributes on as `extra`, which would then clash.
    # Redacting twice is harmless.
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it itself; do not hide that here
        return
    clean = redact(message)
    if clean != message or record.args:
        record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        trace = logging.Formatter().formatException(record.exc_info)
        clean_trace = redact(trace)
        if clean_trace != trace:
            record.exc_text = clean_trace  # formatters use exc_text when it is set
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactionFilter(logging.Filter):
    """A filter for handlers and loggers: masks credentials in the record, never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_installed: Callable[..., logging.LogRecord] | None = None  # the record factory that was there before
_install_lock = threading.Lock()
_FILTER = RedactionFilter()
_DEFAULT_LOGGERS = ("", "dagster")


def install_redaction(logger_names: Iterable[str] = _DEFAULT_LOGGERS) -> None:
    """Redact every log record from now on. Idempotent; call it once at start-up (the CLI, Dagster's defs)."""
    global _installed
    with _install_lock:
        if _installed is None:
            make_record = logging.getLogRecordFactory()

            def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = make_record(*args, **kwargs)
                redact_record(record)
                return record

            logging.setLogRecordFactory(redacting_factory)
            _installed = make_record
        for name in logger_names:
            logger = logging.getLogger(name)
            for target in (logger, *logger.handlers):
                if _FILTER not in target.filters:
                    target.addFilter(_FILTER)


def uninstall_redaction(logger_names: Iterable[str] = _DEFAULT_LOGGERS) -> None:
    """Undo `install_redaction` (tests)."""
    global _installed
    with _install_lock:
        if _installed is not None:
            logging.setLogRecordFactory(_installed)
            _installed = None
        for name in logger_names:
            logger = logging.getLogger(name)
            for target in (logger, *logger.handlers):
                target.removeFilter(_FILTER)


# -- httpx ---------------------------------------------------------------------------------------------------

def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: MASK if name.lower() in SECRET_HEADERS else value for name, value in headers.items()}


def httpx_event_hooks(logger: logging.Logger | None = None) -> dict[str, list[Callable[..., None]]]:
    """Event hooks for an httpx.Client: register the credentials it sends and receives, log requests masked.

    The request hook registers the Authorization / x-api-token values and any `api_token` query value before
    the request leaves (so httpx's own "HTTP Request: ..." line, written after the response, is already
    masked); the response hook registers the tokens of an OAuth token response, which arrive in the body.
    """
    log = logger or logging.getLogger("pipedrive_etl.http")

    def on_request(request: httpx.Request) -> None:
        for name in SECRET_HEADERS & {key.lower() for key in request.headers}:
            value = request.headers[name]
            register_secret(value.partition(" ")[2] if " " in value else value)
        register_secrets(value for key, value in request.url.params.multi_items() if _is_secret_key(key))
        if log.isEnabledFor(logging.DEBUG):
            log.debug("request %s %s headers=%s", request.method, request.url,
                      masked_headers(request.headers))

    def on_response(response: httpx.Response) -> None:
        is_json = response.headers.get("content-type", "").startswith("application/json")
        if is_json and _is_token_endpoint(response):
            response.read()
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                register_secrets(str(value) for key, value in body.items() if _is_secret_key(key) and value)
        log.debug("response %s %s -> %d", response.request.method, response.request.url, response.status_code)

    return {"request": [on_request], "response": [on_response]}


def _is_token_endpoint(response: httpx.Response) -> bool:
    return response.request.url.path.rstrip("/").endswith("/oauth/token")
