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
    return Environment(loader=PackageLoader("tverrsnitt.fieldwork", "templates"),
                       autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                       lstrip_blocks=True)


@dataclass
class Site:
    """The running study: definition, its fieldwork section, database, signing key, templates."""

    study: Study
    definition: Fieldwork
    store: Store
    secret_key: str
    secure_cookies: bool = True
    env: Environment = field(default_factory=templates)


def open_site(study_dir: str | Path, db_url: str | None = None, secret_key: str | None = None,
              secure_cookies: bool = True) -> Site:
    """Load the study, open (and migrate) its database, and pick the signing key.

    The key signs admin sessions and CSRF tokens; set TVERRSNITT_SECRET_KEY so that logins
    survive a restart (without it a random key is used for this process).
    """
    study = load_study(study_dir)
    if study.fieldwork is None:
        raise UsageError(f"{study_dir} has no fieldwork.yaml: the study defines no web "
                         "questionnaire.")
    store = Store(db_url or default_db_url(study))
    key = secret_key or os.environ.get(SECRET_ENV) or secrets.token_urlsafe(32)
    return Site(study, study.fieldwork, store, key, secure_cookies)
