"""`langgraph dev` reads the `.env` that langgraph.json's `env` names, as the CLI's settings do."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.integration_tests.services import langgraph_dev

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _status(url: str, key: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"x-api-key": key} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_server_takes_its_deployment_settings_from_dotenv(tmp_path: Path) -> None:
    # The server runs in tmp_path, where this .env is: an operator key set only there.
    (tmp_path / ".env").write_text("STAGECRAFT_API_KEY=dotenv-operator-key-5c1e\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "STAGECRAFT_"))}
    env.update(LANGGRAPH_CLI_NO_ANALYTICS="1", LANGGRAPH_NO_VERSION_CHECK="true", LANGSMITH_TRACING="false")
    env.update(STAGECRAFT_SUPPORT_DB=str(tmp_path / "support.sqlite"), STAGECRAFT_CACHE="off")
    with langgraph_dev(ROOT, env, tmp_path / "server.log") as url:
        assert _status(f"{url}/info") == 401
        assert _status(f"{url}/info", "dotenv-operator-key-5c1e") == 200
