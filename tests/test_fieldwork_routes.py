"""Every route of the site, asked without a session: the same security headers on each answer,
and the same refusal on every admin page — the table is the app's own route list, so a new
route is covered the day it is added."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from tverrsnitt.fieldwork.app import create_app
from tverrsnitt.fieldwork.context import Site
from tverrsnitt.store import Store
from tverrsnitt.study import Study

pytestmark = pytest.mark.anyio

# A value for each path parameter any route has (a new parameter fails the test until listed).
PARAMS = {"token": "x" * 22, "group": "FG1", "round": "laerer", "fmt": "csv"}
# The routes anyone may use; every other /admin route sends a visitor without a session to the
# login page, every respondent route answers an unknown link with 404.
PUBLIC = {("GET", "/admin/login"): 200, ("POST", "/admin/login"): 403,
          ("GET", "/favicon.svg"): 200, ("GET", "/favicon.ico"): 200, ("GET", "/open"): 404}
BASELINE = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
            "referrer-policy": "no-referrer", "cache-control": "no-store"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _requests(app_routes: list[object]) -> list[tuple[str, str]]:
    found = []
    for route in app_routes:
        assert isinstance(route, Route), route
        path = route.path
        for name in route.param_convertors:
            assert name in PARAMS, f"{route.path}: no test value for {{{name}}}"
            path = path.replace(f"{{{name}}}", PARAMS[name])
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            found.append((method, path))
    return found


async def test_every_route_has_the_headers_and_refuses_without_a_session(
        study: Study, tmp_path: Path) -> None:
    assert study.fieldwork is not None and study.qual is not None
    store = Store(f"sqlite:///{tmp_path / 'fieldwork.db'}")
    try:
        app = create_app(Site(study, study.fieldwork, store, "test-secret",
                              secure_cookies=False))
        requests = _requests(app.routes)
        assert len(requests) == 19  # 3 questionnaire, 5 admin, 9 focus groups, 2 icons
        transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            for method, path in [*requests, ("GET", "/no/such/page")]:
                response = await client.request(method, path, data={} if method == "POST"
                                                else None)
                where = f"{method} {path}"
                for name, value in BASELINE.items():
                    if not (path.startswith("/favicon") and name == "cache-control"):
                        assert response.headers.get(name) == value, (where, name)
                policy = response.headers.get("content-security-policy", "")
                assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, \
                    where
                if (method, path) in PUBLIC:
                    assert response.status_code == PUBLIC[method, path], where
                elif path.startswith("/admin"):
                    assert response.status_code == 303, where
                    assert response.headers["location"] == "/admin/login", where
                else:
                    assert response.status_code == 404, where
    finally:
        store.close()
