"""The hidden field that proves a questionnaire form came from this site.

The token in the link is already a secret, but a third-party page that knows a link (from a
forwarded mail, say) could still post to it. The form therefore carries an HMAC of the
respondent and the page, keyed with the site's secret key; a post without it is refused.
"""

from __future__ import annotations

import hashlib
import hmac


def form_token(secret_key: str, respondent_id: int, page: int) -> str:
    """The hidden field's value for one respondent's page."""
    message = f"respond:{respondent_id}:{page}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def valid_form_token(secret_key: str, respondent_id: int, page: int, posted: str | None) -> bool:
    """True when `posted` is the field this site rendered for that respondent and page."""
    if not posted:
        return False
    return hmac.compare_digest(form_token(secret_key, respondent_id, page), posted)
