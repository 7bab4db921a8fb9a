"""The house rules that keep the code base honest: layering, public APIs only, a light offline path."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from graphs.registry import BUILT_IN
from tests.conftest import Script

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "graphs", "models", "nodes", "offline", "state", "supportdesk")
# Who may import whom: data flows one way, from entry points down to state.
MAY_IMPORT = {
    "state": {"state"},
    "supportdesk": {"supportdesk"},
    "models": {"models", "state"},
    # A provider beside the seam: it builds on the seam's types; nothing below it knows it exists.
    "offline": {"offline", "models", "state"},
    "nodes": {"nodes", "models", "state", "supportdesk"},
    "graphs": {"graphs", "nodes", "models", "state"},
    "app": set(PACKAGES),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _sources() -> list[Path]:
    return [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]


def test_nothing_imports_langgraph_private_modules() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if n.startswith("langgraph._internal"))
        for p in [*_sources(), *(ROOT / "tests").rglob("*.py")]
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_down_the_house(package: str) -> None:
    wrong = {}
    for path in (ROOT / package).rglob("*.py"):
        ours = {name.split(".")[0] for name in _imports(path)} & set(PACKAGES)
        if ours - MAY_IMPORT[package]:
            wrong[str(path.relative_to(ROOT))] = sorted(ours - MAY_IMPORT[package])
    assert wrong == {}


def _fresh(script: str, timeout: int) -> str:
    """Run a script in a new interpreter (nothing imported yet) at the project's root; return what it printed."""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_offline_path_never_imports_openai() -> None:
    script = (
        "import sys\n"
        "from graphs.router import graph\n"
        "context = {'offline_latency': 0, 'provider': 'offline'}\n"
        "out = graph.invoke({'query': 'My router keeps crashing.'}, context=context)\n"
        "assert out['intent'] == 'Technical Support', out\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openai', 'langchain_openai')))\n"
    )
    out = _fresh(script, timeout=120)
    assert out.strip() == "[]"


def test_help_imports_nothing_heavy() -> None:
    # --help needs no graph, no model and no rendering.
    script = (
        "import sys\n"
        "from app.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('langgraph', 'langchain_core', 'pydantic', 'rich', 'openai', 'numpy')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    out = _fresh(script, timeout=60)
    assert out.strip().splitlines()[-1] == "[]"


def test_a_router_run_imports_the_router_and_what_its_stages_use(tmp_path: Path) -> None:
    # Not the other graphs, the pipelines' YAML, the agent's tools, the desk, nor engine skills it never runs.
    from graphs.registry import BUILT_IN

    unwanted = [
        *(f"graphs.{name}" for name in BUILT_IN if name != "router"),
        "graphs.pipelines",
        "yaml",
        "langchain",
        "supportdesk",
        "offline.text.faq",
        "offline.text.analyze",
        "offline.text.support",
    ]
    run = ["run", "router", "My router keeps crashing.", "--latency", "0", "--quiet", "--no-cache"]
    script = (
        "import sys\n"
        "from app.cli import main\n"
        f"status = main({[*run, '--runs-db', str(tmp_path / 'runs.sqlite')]!r})\n"
        f"print(status, sorted(m for m in {unwanted!r} if m in sys.modules))\n"
    )
    out = _fresh(script, timeout=120)
    assert out.strip().splitlines()[-1] == "0 []"


def test_listing_the_graphs_loads_none_and_a_graph_loads_under_its_listed_name() -> None:
    script = (
        "import sys\n"
        "from graphs.registry import GRAPHS\n"
        "names = list(GRAPHS)\n"
        "assert 'faq' in GRAPHS and 'nope' not in GRAPHS and len(GRAPHS) == len(names)\n"
        "loaded = {m for m in sys.modules if m.startswith('graphs.')} - {'graphs.registry', 'graphs.spec'}\n"
        "print(sorted(loaded))\n"
        "print(all(GRAPHS[name].name == name and GRAPHS[name] is GRAPHS[name] for name in names))\n"
    )
    out = _fresh(script, timeout=60)
    assert out.strip().splitlines() == ["[]", "True"]


def test_stagecraft_graphs_lists_every_graph_with_its_specs_description_importing_no_graph() -> None:
    # Each description is read from its graph's file; the CLI must not import LangGraph to list them.
    from graphs.registry import GRAPHS

    script = (
        "import sys\n"
        "from app.cli import main\n"
        "status = main(['graphs'])\n"
        "heavy = ('langgraph', 'langchain_core', 'pydantic', 'rich', 'numpy')\n"
        "graphs = {m for m in sys.modules if m.startswith('graphs.')} - {'graphs.registry'}\n"
        "print(status, sorted({m.split('.')[0] for m in sys.modules} & set(heavy) | graphs))\n"
    )
    out = _fresh(script, timeout=60)
    *listed, last = out.strip().splitlines()
    assert last == "0 []"
    assert listed == [f"{name:<20} {GRAPHS[name].description}" for name in GRAPHS]


def test_the_server_configs_serve_exactly_the_registrys_graphs() -> None:
    import json

    from graphs.registry import GRAPHS, PIPELINES

    served = json.loads((ROOT / "langgraph.json").read_text())
    shared = json.loads((ROOT / "langgraph.shared.json").read_text())
    assert shared.pop("checkpointer") == {"path": "./app/served_checkpointer.py:checkpointer"}
    assert "checkpointer" not in served and shared == served
    pipelines = set(PIPELINES)
    assert served["graphs"] == {
        name: f"./graphs/pipelines/served.py:{name}" if name in pipelines else f"./graphs/{name}.py:graph"
        for name in GRAPHS
    }


# LangGraph builder and Pregel internals: not documented API, so an upgrade may change them silently.
_INTERNALS = {"branches", "waiting_edges", "_algo", "cache_policy", "_node_defaults", "channels", "writers"}


def test_no_production_code_reads_langgraph_internals() -> None:
    used = {}
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)} & _INTERNALS
        names |= {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("langgraph")
            for alias in node.names
            if alias.name.startswith("_")
        }
        if names:
            used[str(path.relative_to(ROOT))] = sorted(names)
    assert used == {}


def test_a_graph_added_through_the_public_contract_runs_with_every_part_of_the_house(script: Script) -> None:
    # What the README's "Adding a graph" shows: a stage, a node, a graph module's build and spec.
    from langgraph.graph import END, START, StateGraph
    from langgraph.runtime import Runtime
    from typing_extensions import TypedDict

    from graphs.spec import GraphSpec, Section
    from models.effects import Steps
    from models.prompts import Prompt
    from models.seam import stage_model
    from models.stage import Stage
    from models.tiers import StageProfile
    from nodes.finish import finish
    from nodes.intake import intake
    from nodes.node import node
    from state.inputs import require_text
    from state.run import RequestKeys, RunOutput
    from state.settings import Settings

    shout = Stage(
        "shout",
        Prompt(name="shout", version="1", system="Repeat the text in capitals.", user="<text>{text}</text>"),
        StageProfile(complexity="low", task_type="format"),
    )

    class ShoutInput(TypedDict):
        text: str

    class ShoutOutput(RunOutput):
        loud: str

    class ShoutState(ShoutInput, ShoutOutput, RequestKeys, total=False):
        pass

    @node
    def loud(state: ShoutState, runtime: Runtime[Settings]) -> Steps[dict[str, str]]:
        """Say it louder."""
        return {"loud": (yield from stage_model(shout, runtime, state).text(shout.prompt.render(text=state["text"])))}

    def check(value: object, settings: Settings) -> dict[str, str]:
        return {"text": require_text(dict(value).get("text"), "text", settings.max_input_chars)}  # type: ignore[call-overload]

    def build() -> StateGraph[ShoutState, Settings, ShoutInput, ShoutOutput]:
        builder = StateGraph(ShoutState, context_schema=Settings, input_schema=ShoutInput, output_schema=ShoutOutput)
        builder.add_node("intake", intake(ShoutState, ShoutInput, check, (shout,)))
        builder.add_node("loud", loud)
        builder.add_node("finish", finish)
        builder.add_edge(START, "intake")
        builder.add_edge("intake", "loud")
        builder.add_edge("loud", "finish")
        builder.add_edge("finish", END)
        return builder

    spec = GraphSpec(
        name="shout",
        description="Say it louder.",
        build=build,
        input=ShoutInput,
        check=check,
        from_text=lambda text, options: {"text": text},
        stages=(shout,),
        show=lambda output: [Section("", output["loud"])],
    )
    script.outputs["shout"] = ["HELLO THERE"]
    out = spec.compile().invoke({"text": "hello there"}, context=Settings(provider="scripted"))
    assert out["loud"] == "HELLO THERE" and [c["stage"] for c in out["ledger"]] == ["shout"]
    assert out["execution_report"]["by_stage"]["shout"]["calls"] == 1
    with pytest.raises(Exception, match="stage_tiers names unknown stages"):
        spec.compile().invoke({"text": "x"}, context=Settings(provider="scripted", stage_tiers={"classify": "FAST"}))


@pytest.mark.parametrize("name", BUILT_IN)
async def test_no_graph_blocks_the_servers_event_loop_with_the_default_settings(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The LangGraph server runs graphs under blockbuster, which fails a run that makes a blocking
    # call on its event loop. The served test sets absolute paths; the defaults are relative, and
    # resolving the desk's path (os.getcwd) failed every served orchestrator run until the desk was
    # opened inside the worker's thread. Exported graphs, caches on, every store at its default.
    import importlib

    from blockbuster import blockbuster_ctx

    from bench.measures import CASES
    from state.settings import Settings

    monkeypatch.delenv("STAGECRAFT_SUPPORT_DB")
    graph = importlib.import_module(f"graphs.{name}").graph
    payload = (
        CASES[name][0] if name in CASES else {"text": CASES["summarize_translate"][0]["text"], "task": "Summarise it."}
    )
    if name == "support_agent":  # the orchestrator's message, with the desk's tools instead of its workers
        payload = CASES["orchestrator"][0]
    with blockbuster_ctx():
        out = await graph.ainvoke(payload, context=Settings(provider="offline", offline_latency=0))
    assert out["execution_report"]["calls"] >= 1


def test_redact_hides_keys_tokens_and_url_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    from state.secrets import redact

    monkeypatch.setenv("SOME_SERVICE_TOKEN", "tok-abcdef123")
    text = redact(
        "401 Authorization: Bearer abc.def-ghi123 sk-proj-0123456789abcdef key=tok-abcdef123 "
        "postgresql://stage:hunter22@db:5432/x api_key='zzzzzz999'"
    )
    for secret in ("abc.def-ghi123", "0123456789abcdef", "tok-abcdef123", "hunter22", "zzzzzz999"):
        assert secret not in text
    assert "postgresql://stage:***@db:5432/x" in text
    assert redact("nothing secret here: invoice IN-123") == "nothing secret here: invoice IN-123"


def test_redact_hides_every_credential_form_a_gateway_may_echo(monkeypatch: pytest.MonkeyPatch) -> None:
    import base64

    from state.secrets import redact

    # A base URL with user info is sent as Basic auth; some gateways echo it back, plain or encoded.
    monkeypatch.setenv("OPENAI_BASE_URL", "https://gateway-user:hunter2-pass@llm.example.com/v1")
    pair = base64.b64encode(b"gateway-user:hunter2-pass").decode()
    text = redact(
        f"401 for Authorization: Basic {pair}; we saw password hunter2-pass in "
        "https://gateway-user:hunter2-pass@llm.example.com/v1 and "
        "https://ghp_0123456789abcdefXYZ@git.example.com/x?api_key=abc123def&sig=zz9yy8xx&page=2"
    )
    for secret in (pair, "hunter2-pass", "ghp_0123456789abcdefXYZ", "abc123def", "zz9yy8xx"):
        assert secret not in text, text
    assert "Authorization: Basic ***" in text and "page=2" in text and "gateway-user" in text


def test_every_state_key_is_documented_where_it_is_declared() -> None:
    # Studio shows each key's description; a TypedDict's docstrings are read from the class that declares it.
    from pydantic import TypeAdapter

    from graphs.registry import GRAPHS

    def declarer(cls: type, key: str) -> type:
        for base in getattr(cls, "__orig_bases__", ()):
            if key in getattr(base, "__annotations__", {}):
                return declarer(base, key)
        return cls

    undocumented = []
    for name, spec in GRAPHS.items():
        graph = spec.compile()
        for schema in (graph.get_input_jsonschema(), graph.get_output_jsonschema()):
            undocumented += [f"{name}: {k}" for k, v in schema["properties"].items() if not v.get("description")]
        state = spec.build().state_schema
        for key in state.__annotations__:
            cls = declarer(state, key)
            if not TypeAdapter(cls).json_schema()["properties"][key].get("description"):
                undocumented.append(f"{name}: {cls.__name__}.{key}")
    assert undocumented == []
