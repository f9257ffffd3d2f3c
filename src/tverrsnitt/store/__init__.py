"""Store: the fieldwork database behind one class (SQLite by default, PostgreSQL by URL)."""

from .codings import CodingImport, StoredCoding
from .database import DEFAULT_URL, Member, Respondent, Store, StoreError, hash_token, sqlite_url

__all__ = ["DEFAULT_URL", "CodingImport", "Member", "Respondent", "Store", "StoreError",
           "StoredCoding", "hash_token", "sqlite_url"]
