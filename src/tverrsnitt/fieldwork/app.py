"""The fieldwork web app: questionnaire pages for respondents, admin pages for the team.

A thin ASGI layer (Starlette) over the library: routes parse the request, call the store and
the questionnaire logic, and render server-side HTML. One error handler turns the project's
errors into pages.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..errors import TverrsnittError
from . import admin, questionnaire
from .context import Site


def create_app(site: Site) -> Starlette:
    """The ASGI application for one study."""

    async def user_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TverrsnittError)
        page = site.env.get_template("error.html").render(message=exc.message,
                                                          title=site.definition.title)
        return HTMLResponse(page, status_code=exc.http_status)

    app = Starlette(routes=[*questionnaire.routes(site), *admin.routes(site)],
                    exception_handlers={TverrsnittError: user_error})
    app.state.site = site
    return app
