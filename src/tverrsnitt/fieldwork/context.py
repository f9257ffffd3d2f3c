"""What every part of the fieldwork web app shares: the study, the store and the settings."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from ..errors import UsageError
from ..store import Store
from ..study import Study, load_study
from ..study.model import Fieldwork

SECRET_ENV = "TVERRSNITT_SECRET_KEY"


def default_db_url(study: Study) -> str:
    """Without --db, the study keeps its fieldwork in one SQLite file in its own folder."""
    return f"sqlite:///{Path(study.root) / 'fieldwork.db'}"


def templates() -> Environment:
    """Server-rendered HTML: autoescaped Jinja templates shipped with the package."""
    # The templates ship with the package: no need to check their files for changes on every
    # request (auto_reload stats each one).
    return Environment(loader=PackageLoader("tverrsnitt.fieldwork", "templates"),
                       autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                       lstrip_blocks=True, auto_reload=False)


@dataclass
class Site:
    """The running study: definition, its fieldwork section, database, signing key, templates."""

    study: Study
    definition: Fieldwork
    store: Store
    secret_key: str
    secure_cookies: bool = True
    env: Environment = field(default_factory=templates)


# Where a key made up for a loopback server is kept, so open pages and logins survive restarts.
STORED_KEY = "secret_key"


def open_site(study_dir: str | Path, db_url: str | None = None, secret_key: str | None = None,
              secure_cookies: bool = True, require_secret: bool = False,
              migrate: bool = True) -> Site:
    """Load the study, open (and migrate) its database, and pick the signing key.

    The key signs admin sessions, CSRF tokens and the questionnaire's form tokens. It comes
    from `secret_key`, else TVERRSNITT_SECRET_KEY; without either, `require_secret` (a server
    others can reach) is an error, and otherwise a key is made once and kept in the
    database, so a restart neither logs anyone out nor refuses a page a respondent has open.
    """
    study = load_study(study_dir)
    if study.fieldwork is None:
        raise UsageError(f"{study_dir} has no fieldwork.yaml: the study defines no web "
                         "questionnaire.")
    key = secret_key or os.environ.get(SECRET_ENV)
    if key is None and require_secret:
        raise UsageError(f"Set {SECRET_ENV} before serving on a public address: it signs "
                         "the admin sessions and every questionnaire form, e.g. "
                         f"{SECRET_ENV}=$(python -c 'import secrets; "
                         "print(secrets.token_urlsafe(32))'). Keep it secret and the same "
                         "across restarts.")
    store = Store(db_url or default_db_url(study), migrate=migrate)
    if key is None:
        key = store.get_setting(STORED_KEY)
        if key is None:
            key = secrets.token_urlsafe(32)
            store.set_setting(STORED_KEY, key)
    return Site(study, study.fieldwork, store, key, secure_cookies)
