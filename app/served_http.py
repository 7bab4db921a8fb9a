"""The LangGraph server's HTTP app (`http.app` in langgraph.json): what custom auth does not reach.

Custom auth (app/auth.py) guards the API: assistants, threads, runs, crons, the store. The
server's own routes answer without it: /metrics (runs, workers, pools), /docs, /openapi.json,
/info and, under `langgraph dev`, /internal/* (one empties the in-memory store) and /deploy.
With STAGECRAFT_API_KEY set, `RequireKey` asks every route for it but the health checks `/` and
`/ok`, which load balancers call bare. langgraph.json's `middleware_order: auth_first` applies
this app's middleware per route, inside the server's CORS middleware, so a browser's preflight
is still answered; on the API's routes it runs after authentication.

`RefuseCommands` closes the one way to write state that auth never sees: a thread created with
`supersteps` may carry commands, and a command's `goto` sends work to any node (a worker) past
the graph's own checks, as many times as it lists it. Supersteps of plain values stay allowed.
"""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import key_accepted

# Health checks: they say whether the server is up, nothing about what it holds.
_OPEN_PATHS = frozenset({"/", "/ok"})


def _in_process(scope: Scope) -> bool:
    # langgraph-sdk's in-process client mounts under this root path, which no request can set.
    root = str(scope.get("root_path") or "")
    return root == "/noauth" or root.startswith("/noauth/")


class RequireKey:
    """Refuse, with 401, a request without the operator's x-api-key on any route but the health checks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on when it may reach its route."""
        if (
            scope["type"] != "http"
            or scope["path"] in _OPEN_PATHS
            or _in_process(scope)
            or key_accepted(dict(scope["headers"]).get(b"x-api-key", b""))
        ):
            await self.app(scope, receive, send)
            return
        await JSONResponse({"detail": "missing or wrong x-api-key"}, status_code=401)(scope, receive, send)


class RefuseCommands:
    """Refuse, with 422, a thread created with supersteps that carry a command."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the body of POST /threads and pass it on, unless a superstep carries a command."""
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") != "/threads":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if _has_command(body):
            detail = (
                "a thread's supersteps may write values, not commands (goto would send work past the graph's checks)"
            )
            await JSONResponse({"detail": detail}, status_code=422)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # the disconnect, when it comes
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _has_command(body: bytes) -> bool:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return False  # the server refuses a body that is not JSON itself
    supersteps = payload.get("supersteps") if isinstance(payload, dict) else None
    return isinstance(supersteps, list) and any(
        isinstance(update, dict) and update.get("command") is not None
        for step in supersteps
        if isinstance(step, dict) and isinstance(step.get("updates"), list)
        for update in step["updates"]
    )


app = Starlette(middleware=[Middleware(RequireKey), Middleware(RefuseCommands)])
