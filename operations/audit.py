"""One structured log line per thing an auditor asks about: who did what, to which ids.

Lines go to the `audit` logger as JSON objects (one per line), so that a log shipper can parse
them without a grammar of ours. Events that belong to a database write are logged when the
transaction commits: a rolled-back publication must not appear in the log as if it happened.
Outside a transaction `on_commit` runs at once.

This module knows no app: the apps call `log` (publishing.listeners logs each step of an
edition's life); it listens itself only to Django's, django-axes' and simple-history's signals.
"""

import json
import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.http import HttpRequest

from .security import client_ip

logger = logging.getLogger("audit")


def log(event: str, *, user: Any = None, request: HttpRequest | None = None, **fields: Any) -> None:
    """Log `event` with the acting user, the client address and the ids in `fields`."""
    line: dict[str, Any] = {"event": event}
    if user is not None and getattr(user, "is_authenticated", False):
        line["user"] = user.get_username()
        line["user_id"] = user.pk
    if request is not None:
        line["ip"] = client_ip(request)
    line.update(fields)
    text = json.dumps(line, ensure_ascii=False, default=str, sort_keys=False)
    transaction.on_commit(lambda: logger.info(text))


def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    log("login", user=user, request=request)


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already replaced the password with asterisks in `credentials`.
    log("login_failed", request=request, username=credentials.get("username", ""))


def _locked_out(
    sender: Any, request: HttpRequest | None, username: str, ip_address: str, **kwargs: Any
) -> None:
    log("lockout", username=username or "", ip=ip_address or "")


def _history_recorded(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    opts = instance._meta
    log(
        "catalogue_change",
        user=getattr(history_instance, "history_user", None),
        model=opts.label_lower,
        object_id=instance.pk,
        history_id=history_instance.pk,
        change={"+": "created", "~": "changed", "-": "deleted"}[history_instance.history_type],
        reason=getattr(history_instance, "history_change_reason", None) or "",
    )


def connect_signals() -> None:
    """Called once from OperationsConfig.ready()."""
    from axes.signals import user_locked_out
    from simple_history.signals import post_create_historical_record

    user_logged_in.connect(_logged_in, dispatch_uid="audit.login")
    user_login_failed.connect(_login_failed, dispatch_uid="audit.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit.lockout")
    post_create_historical_record.connect(_history_recorded, dispatch_uid="audit.history")
