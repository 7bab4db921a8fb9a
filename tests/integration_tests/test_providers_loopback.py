"""Every provider over real HTTP: loopback servers speaking OpenAI's, Anthropic's and Ollama's wire formats.

Each server answers with the offline engine playing the stage its request's system prompt names,
so a graph gets the same answers whatever wire they travel over; what differs is the wire (its
paths, its shapes of structured output, its streams) and what a server refuses. The Ollama-style
servers name their models their own way and refuse `json_schema`, as local servers often do.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY, ENERGY_SOURCES
from graphs.registry import GRAPHS
from models.stage import Stage
from tests.faults import fault_server
from tests.loopback import OpenAIHandler, Reply, serve

pytestmark = pytest.mark.integration

STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")
SUMMARY_TEXT = " ".join(source["content"] for source in ENERGY_SOURCES)
INPUTS: dict[str, tuple[str, ...]] = {
    "summarize_translate": (SUMMARY_TEXT,),
    "faq": (SUMMARY_TEXT, "--questions", "3"),
    "router": ("I think there is a mistake on my last invoice.",),
    "orchestrator": (CUSTOMER_QUERY,),
    "analysis": (BUSINESS_DOCUMENT,),
    "report": (BUSINESS_DOCUMENT,),
    "document": (BUSINESS_DOCUMENT,),
    "refine": (BUSINESS_DOCUMENT,),
}
LOCAL_MODELS = ("llama3.2", "qwen2.5:7b", "qwen2.5:14b", "deepseek-r1:8b")
USAGE_IN, USAGE_OUT = 100, 20

# ---------------------------------------------------------------------------------------------
# The brain: the offline engine, as the stage whose system prompt a request carries


def _stages() -> dict[str, Stage]:
    return {stage.prompt.system: stage for spec in GRAPHS.values() for stage in spec.stages}


STAGES = _stages()


def answer(messages: list[BaseMessage], tool: dict[str, Any] | None) -> AIMessage:
    """The offline engine's answer to a request: a tool call when a tool is offered, else text."""
    from offline.engine import OfflineChatModel

    system = next(str(m.content) for m in messages if isinstance(m, SystemMessage) and str(m.content) in STAGES)
    stage = STAGES[system]
    model = OfflineChatModel(stage=stage.name, prompt=stage.prompt, model_name="loopback", latency=0)
    if tool is None:
        return model.invoke(messages)
    bound = model.bind_tools([{"type": "function", "function": tool}], tool_choice=tool["name"])
    reply = bound.invoke(messages)
    assert isinstance(reply, AIMessage)
    return reply


def _lc_messages(system: str | None, messages: list[dict[str, Any]]) -> list[BaseMessage]:
    out: list[BaseMessage] = [SystemMessage(content=system)] if system else []
    for m in messages:
        content = m.get("content")
        if isinstance(content, list):  # Anthropic's blocks: text, tool_use, tool_result
            content = " ".join(
                b.get("text") or json.dumps(b.get("input") or b.get("content") or "")
                for b in content
                if isinstance(b, dict)
            )
        text = content if isinstance(content, str) else ""
        if m["role"] == "system":
            out.append(SystemMessage(content=text))
        elif m["role"] == "assistant":
            calls = m.get("tool_calls") or []
            out.append(AIMessage(content=text or (json.dumps(calls[0]["function"]["arguments"]) if calls else "")))
        else:
            out.append(HumanMessage(content=text))
    return out


# ---------------------------------------------------------------------------------------------
# OpenAI chat completions (through tests.faults, faults off): with json_schema, or an Ollama-style
# /v1 that names its own models and refuses json_schema with a 400


def openai_replies(*, json_schema: bool) -> Callable[[dict[str, Any]], Reply]:
    def respond(body: dict[str, Any]) -> Reply:
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema" and not json_schema:
            return 400, "response_format json_schema is not supported by this server"
        messages = _lc_messages(None, body["messages"])
        tools = body.get("tools") or []
        if fmt.get("type") == "json_schema":
            tool = {"name": fmt["json_schema"]["name"], "parameters": fmt["json_schema"]["schema"]}
            return 200, json.dumps(answer(messages, tool).tool_calls[0]["args"])
        if tools:
            return 200, json.dumps(answer(messages, tools[0]["function"]).tool_calls[0]["args"])
        return 200, answer(messages, None).text

    return respond


# ---------------------------------------------------------------------------------------------
# Anthropic messages: /v1/messages, tool_use blocks, its own event stream


@dataclass
class Recorder:
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Recording(OpenAIHandler):
    recorder: Recorder

    def setup(self) -> None:
        super().setup()
        with self.recorder.lock:
            self.recorder.connections += 1

    def read_recorded(self) -> dict[str, Any]:
        body = self.read_json() or {}
        with self.recorder.lock:
            self.recorder.requests.append({"path": self.path, **body})
        return body


@contextmanager
def anthropic_server() -> Iterator[Recorder]:
    recorder = Recorder()

    class Handler(_Recording):
        def do_POST(self) -> None:
            body = self.read_recorded()
            if not self.path.endswith("/v1/messages"):
                self.send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})
                return
            system = body.get("system")
            if isinstance(system, list):
                system = " ".join(b["text"] for b in system)
            tools = body.get("tools") or []
            tool = {"name": tools[0]["name"], "parameters": tools[0]["input_schema"]} if tools else None
            reply = answer(_lc_messages(system, body["messages"]), tool)
            if tool is not None:
                block: dict[str, Any] = {
                    "type": "tool_use",
                    "id": "toolu_loopback",
                    "name": tool["name"],
                    "input": reply.tool_calls[0]["args"],
                }
                stop = "tool_use"
            else:
                block, stop = {"type": "text", "text": reply.text}, "end_turn"
            message = {
                "id": "msg_loopback",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [block],
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": {"input_tokens": USAGE_IN, "output_tokens": USAGE_OUT},
            }
            if not body.get("stream"):
                self.send_json(200, message)
                return
            self.start_stream()
            opening = {
                **message,
                "content": [],
                "stop_reason": None,
                "usage": {"input_tokens": USAGE_IN, "output_tokens": 1},
            }
            self._event("message_start", {"type": "message_start", "message": opening})
            if block["type"] == "text":
                start = {"type": "text", "text": ""}
                deltas = [{"type": "text_delta", "text": piece} for piece in _pieces(block["text"])]
            else:
                start = {**block, "input": {}}
                deltas = [{"type": "input_json_delta", "partial_json": p} for p in _pieces(json.dumps(block["input"]))]
            self._event("content_block_start", {"type": "content_block_start", "index": 0, "content_block": start})
            for delta in deltas:
                self._event("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta})
            self._event("content_block_stop", {"type": "content_block_stop", "index": 0})
            self._event(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop, "stop_sequence": None},
                    "usage": {"output_tokens": USAGE_OUT},
                },
            )
            self._event("message_stop", {"type": "message_stop"})
            self.end_stream()

        def _event(self, name: str, data: dict[str, Any]) -> None:
            self.send_chunk(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())

    Handler.recorder = recorder
    with serve(Handler) as base_url:
        recorder.base_url = base_url.removesuffix("/v1")
        yield recorder


def _pieces(text: str, size: int = 12) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


# ---------------------------------------------------------------------------------------------
# Ollama's own API: /api/chat, newline-delimited JSON streams, `format` (a schema it refuses here)


@contextmanager
def ollama_server(models: tuple[str, ...] = LOCAL_MODELS) -> Iterator[Recorder]:
    recorder = Recorder()

    class Handler(_Recording):
        def do_POST(self) -> None:
            body = self.read_recorded()
            if body.get("model") not in models:
                self.send_json(404, {"error": f'model "{body.get("model")}" not found, try pulling it first'})
                return
            if isinstance(body.get("format"), dict):
                self.send_json(400, {"error": "invalid format: json schema format is not supported"})
                return
            tools = body.get("tools") or []
            reply = answer(_lc_messages(None, body["messages"]), tools[0]["function"] if tools else None)
            message: dict[str, Any] = {"role": "assistant", "content": reply.text if not tools else ""}
            if tools:
                message["tool_calls"] = [
                    {"function": {"name": tools[0]["function"]["name"], "arguments": reply.tool_calls[0]["args"]}}
                ]
            head = {"model": body["model"], "created_at": "2026-01-01T00:00:00Z"}
            last = {**head, "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop"}
            last |= {"prompt_eval_count": USAGE_IN, "eval_count": USAGE_OUT, "total_duration": 1}
            if body.get("stream", True) is False:
                self.send_json(200, {**last, "message": message})
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            pieces = _pieces(message["content"]) if not tools else []
            lines = [{**head, "message": {"role": "assistant", "content": p}, "done": False} for p in pieces]
            if tools:
                lines.append({**head, "message": message, "done": False})
            for line in [*lines, last]:
                self.send_chunk(json.dumps(line).encode() + b"\n")
            self.end_stream()

    Handler.recorder = recorder
    with serve(Handler) as base_url:
        recorder.base_url = base_url.removesuffix("/v1")
        yield recorder


# ---------------------------------------------------------------------------------------------
# The CLI, as a user runs it: a .env in the working folder, options on the command line

_IDS = re.compile(r"\b(CASE|RMA)-\d+\b")


def stagecraft(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ANTHROPIC_", "OLLAMA_", "STAGECRAFT_"))
    }
    return subprocess.run(
        [STAGECRAFT, *args],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=cwd,
        env={**clean, **(env or {}), "STAGECRAFT_CACHE": "off", "STAGECRAFT_SEMANTIC_STORE": "off"},
    )


def result_of(run: subprocess.CompletedProcess[str]) -> tuple[str, list[dict[str, Any]]]:
    """The run's result as a user reads it (ids of created cases masked), and its ledger."""
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    ledger = out.pop("ledger")
    for key in ("thread_id", "execution_report", "request_id"):
        out.pop(key, None)
    return _IDS.sub(r"\1-<id>", json.dumps(out, sort_keys=True)), ledger


def write_env(folder: Path, **values: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")


@pytest.fixture(scope="module")
def openai_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every graph's result through an OpenAI-style server (json_schema), the reference."""
    folder = tmp_path_factory.mktemp("openai")
    results = {}
    with fault_server(openai_replies(json_schema=True), rate=0.0) as server:
        write_env(folder, OPENAI_API_KEY="sk-loopback", OPENAI_BASE_URL=server.base_url)
        for name, args in INPUTS.items():
            results[name] = result_of(stagecraft(folder, "run", name, *args, "--json", "--latency", "0"))[0]
    return results


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_an_ollama_style_server_with_its_own_models_and_no_json_schema_runs_every_graph_the_same(
    name: str, openai_results: dict[str, str], tmp_path: Path
) -> None:
    with fault_server(openai_replies(json_schema=False), rate=0.0, models=LOCAL_MODELS) as server:
        # What a user of a local server writes: its address and model names in .env, one more on the CLI.
        write_env(
            tmp_path,
            OPENAI_API_KEY="ollama",
            OPENAI_BASE_URL=server.base_url,
            STAGECRAFT_MODEL_FAST="llama3.2",
            STAGECRAFT_MODEL_BALANCED="qwen2.5:7b",
            STAGECRAFT_MODEL_PREMIUM="qwen2.5:14b",
        )
        run = stagecraft(tmp_path, "run", name, *INPUTS[name], "--json", "--model-reasoning", "deepseek-r1:8b")
        result, ledger = result_of(run)
        asked = {r.body["model"] for r in server.requests if r.body}
    assert result == openai_results[name]
    assert asked <= set(LOCAL_MODELS)
    # json_schema was refused, then every structured call asked by tool call (the ledger says so).
    structured = [c for c in ledger if "structured_method" in c]
    refused = [r for r in server.requests if r.body and (r.body.get("response_format") or {}).get("type")]
    assert {c["structured_method"] for c in structured} <= {"function_calling"}
    assert bool(refused) == bool(structured) and len(refused) <= len(structured)
    # A local model has no list price: unpriced, never $0.
    assert {c["cost_usd"] for c in ledger} == {None}


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_an_anthropic_style_server_runs_every_graph_the_same(
    name: str, openai_results: dict[str, str], tmp_path: Path
) -> None:
    with anthropic_server() as server:
        write_env(tmp_path, ANTHROPIC_API_KEY="sk-ant-loopback", ANTHROPIC_BASE_URL=server.base_url)
        run = stagecraft(
            tmp_path,
            "run",
            name,
            *INPUTS[name],
            "--json",
            *("--model-fast", "anthropic:claude-haiku-4-5", "--model-balanced", "anthropic:claude-sonnet-4-5"),
            *("--model-premium", "anthropic:claude-opus-4-1", "--model-reasoning", "anthropic:claude-opus-4-1"),
        )
        result, ledger = result_of(run)
    assert result == openai_results[name]
    assert all(r["path"] == "/v1/messages" for r in server.requests)
    # Connections are kept alive: a graph of many calls opens fewer connections than it sends requests.
    assert server.connections < len(server.requests) or len(server.requests) <= 2
    assert {c["provider"] for c in ledger} == {"anthropic"}
    # Claude models are priced from genai-prices' table.
    assert all(c["cost_usd"] and c["cost_usd"] > 0 for c in ledger if c["outcome"] == "ok")


def test_ollamas_own_api_runs_a_graph_with_a_schema_refused_and_falls_back_once(tmp_path: Path) -> None:
    with ollama_server() as server:
        write_env(tmp_path, OLLAMA_HOST=server.base_url)
        run = stagecraft(
            tmp_path,
            "run",
            "router",
            *INPUTS["router"],
            "--json",
            "--model-fast",
            "ollama:llama3.2",
            "--model-balanced",
            "ollama:qwen2.5:7b",
        )
        requests = list(server.requests)
    result, ledger = result_of(run)
    assert json.loads(result)["intent"] == "Billing Inquiry"
    assert all(r["path"] == "/api/chat" for r in requests)
    # One refusal of the schema, then the classify stage asked by tool call; the ledger says so.
    assert [isinstance(r.get("format"), dict) for r in requests].count(True) == 1
    classify = [c for c in ledger if c["stage"] == "classify"]
    assert [c["structured_method"] for c in classify] == ["function_calling"]
    assert {c["provider"] for c in ledger} == {"ollama"}


# ---------------------------------------------------------------------------------------------
# The README's "Real models" set-ups, run as written (with the loopback's address added)


def readme_setups() -> dict[str, tuple[dict[str, str], list[str]]]:
    """Each set-up of the README's "Real models" section: its .env and its `stagecraft` command."""
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("## Real models", 1)[1].split("\n## ", 1)[0]
    found = {}
    for title, block in re.findall(r"### (.+?)\n\n```bash\n(.*?)```", section, re.DOTALL):
        dotenv = re.search(r"cat > \.env <<'EOF'\n(.*?)\nEOF", block, re.DOTALL)
        command = next(line for line in block.splitlines() if line.startswith("stagecraft "))
        assert dotenv is not None, title
        env = dict(line.split("=", 1) for line in dotenv.group(1).splitlines())
        found[title] = (env, shlex.split(command)[1:])
    return found


def test_the_readme_shows_three_set_ups() -> None:
    assert sorted(readme_setups()) == [
        "A local OpenAI-compatible server (Ollama, vLLM, LM Studio)",
        "Anthropic",
        "OpenAI",
    ]


@pytest.mark.parametrize("title", sorted(readme_setups()))
def test_each_readme_set_up_runs_as_written(title: str, tmp_path: Path) -> None:
    dotenv, argv = readme_setups()[title]
    servers = {
        "OpenAI": lambda: fault_server(openai_replies(json_schema=True), rate=0.0),
        "Anthropic": anthropic_server,
        "A local OpenAI-compatible server (Ollama, vLLM, LM Studio)": lambda: fault_server(
            openai_replies(json_schema=False), rate=0.0, models=set(dotenv.values())
        ),
    }
    with servers[title]() as server:
        write_env(tmp_path, **dotenv)
        # Where the loopback listens, in the environment: it wins over the address in .env.
        where = "ANTHROPIC_BASE_URL" if title == "Anthropic" else "OPENAI_BASE_URL"
        run = stagecraft(tmp_path, *argv, "--json", env={where: server.base_url})
    result, ledger = result_of(run)
    assert json.loads(result)["intent"] == "Billing Inquiry"
    assert ledger and all(c["outcome"] == "ok" for c in ledger)
    assert {c["provider"] for c in ledger} == {"anthropic" if title == "Anthropic" else "openai"}


# ---------------------------------------------------------------------------------------------
# The semantic cache's embeddings: a provider's own, or WordLlama when it has none

NEAR = ("My internet connection is not working at all.", "My internet connection is not working at all!")


async def _twice(settings: Any) -> list[dict[str, Any]]:
    from graphs.router import build

    graph = build().compile()
    return [await graph.ainvoke({"query": query}, context=settings) for query in NEAR]


async def test_semantic_caching_with_the_providers_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    from state.settings import make_settings
    from tests.loopback import openai_server

    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback")
    monkeypatch.setenv("STAGECRAFT_CACHE", "memory://")
    monkeypatch.setenv("STAGECRAFT_SEMANTIC_STORE", "memory://")
    with openai_server(openai_replies(json_schema=True)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        settings = make_settings(local=True, provider="openai", embeddings="openai:text-embedding-3-small")
        first, second = await _twice(settings)
    assert [c["cache"] for c in second["ledger"] if c["stage"] == "classify"] == ["semantic"]
    assert second["intent"] == first["intent"]
    # Embedded by the server: the probe, then the lookups of both queries.
    assert len(server.embeddings) >= 3 and all(b["model"] == "text-embedding-3-small" for b in server.embeddings)


async def test_semantic_caching_without_provider_embeddings_uses_wordllama_after_one_probe(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from state.settings import make_settings

    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback")
    monkeypatch.setenv("STAGECRAFT_CACHE", "memory://")
    monkeypatch.setenv("STAGECRAFT_SEMANTIC_STORE", "memory://")
    with anthropic_server() as server:
        # An endpoint with no /v1/embeddings (it answers 404) named for the embeddings; the offline
        # engine answers the stages.
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url + "/v1")
        settings = make_settings(local=True, provider="offline", embeddings="openai:text-embedding-3-small")
        first, second = await _twice(settings)
        probes = [r for r in server.requests if r["path"].endswith("/embeddings")]
    assert [c["cache"] for c in second["ledger"] if c["stage"] == "classify"] == ["semantic"]
    assert second["intent"] == first["intent"]
    assert len(probes) == 1  # one probe, not one failing lookup a call
    assert sum("embeddings" in r.message and "unavailable" in r.message for r in caplog.records) == 1


@pytest.mark.parametrize("wire", ["anthropic", "ollama"])
def test_tokens_stream_over_each_wire_on_kept_alive_connections(wire: str, tmp_path: Path) -> None:
    query = INPUTS["router"][0]
    with anthropic_server() if wire == "anthropic" else ollama_server() as server:
        if wire == "anthropic":
            write_env(tmp_path, ANTHROPIC_API_KEY="sk-ant-loopback", ANTHROPIC_BASE_URL=server.base_url)
            models = (
                "--provider",
                "anthropic",
                "--model-fast",
                "claude-haiku-4-5",
                "--model-balanced",
                "claude-sonnet-4-5",
            )
        else:
            write_env(tmp_path, OLLAMA_HOST=server.base_url)
            models = ("--provider", "ollama", "--model-fast", "llama3.2", "--model-balanced", "qwen2.5:7b")
        run = stagecraft(tmp_path, "run", "router", query, "--stream", *models, env={"COLUMNS": "200"})
        requests, connections = list(server.requests), server.connections
    assert run.returncode == 0, run.stderr
    # The handler's text arrived token by token under its node, and its usage was billed.
    assert "[billing]" in run.stdout and "100 in / 20 out tokens" in run.stdout, run.stdout
    assert any(r.get("stream") is not False for r in requests if not r.get("tools"))
    assert connections <= len(requests)
