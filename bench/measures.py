"""The measures behind `make bench`: each returns rows of numbers, side by side with its baseline.

Every ratio is measured in one process and one run against its baseline (the ideal critical path,
a LangGraph skeleton of the same graph, plain asyncio, the import floor), never against a number
written down on another machine. Medians of several runs, variants interleaved.
"""

from __future__ import annotations

import asyncio
import json
import operator
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

from typing_extensions import TypedDict

from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY, ENERGY_SOURCES
from app.registry import GRAPHS
from models.cache import STAGE_CACHE
from models.providers import prepare
from state.settings import Settings

LATENCY = 0.05
ROOT = Path(__file__).resolve().parents[1]

# Input, and the longest chain of model calls the graph must make one after another for it.
CASES: dict[str, tuple[dict[str, Any], int]] = {
    "router": ({"query": "My internet connection is not working."}, 2),
    "summarize_translate": ({"text": ENERGY_SOURCES[0]["content"], "target_language": "Spanish"}, 2),
    "faq": ({"sources": ENERGY_SOURCES, "num_questions": 8}, 3),
    "orchestrator": ({"query": CUSTOMER_QUERY}, 3),
    "analysis": ({"document": BUSINESS_DOCUMENT}, 2),
    "report": ({"document": BUSINESS_DOCUMENT}, 3),
    "document": ({"document": BUSINESS_DOCUMENT}, 3),
}


def settings(latency: float = LATENCY, provider: str = "offline", **extra: Any) -> Settings:
    """Offline, no cache, the simulated latency of every call."""
    return Settings(provider=provider, offline_latency=latency, cache=False, **extra)


REMOTE = "remote-like"


def _remote_like() -> None:
    """Register a provider that answers like a remote one: the latency is all wait, no local CPU.

    The offline engine does each stage's real work on this machine's event loop, inside its 50 ms;
    a hosted model does that work elsewhere. To see what our graphs add on the critical path with a
    real provider, this one computes each distinct reply once with the engine (the warm-up run) and
    afterwards only waits the latency, as an HTTP call would.
    """
    from langchain_core.messages import AIMessage, BaseMessage

    from models.offline.engine import OfflineChatModel
    from models.providers import register_provider

    replies: dict[tuple[Any, ...], Any] = {}

    class RemoteLike(OfflineChatModel):
        def _answer(self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None) -> AIMessage:
            key = (self.stage, tuple((m.type, m.text) for m in messages), json.dumps(tools, sort_keys=True))
            reply = replies.get(key)
            if reply is None:
                reply = replies[key] = super()._answer(messages, tools)
            return reply.model_copy(deep=True)

    models: dict[tuple[str, float], RemoteLike] = {}

    def build(spec: Any) -> RemoteLike:
        key = (spec.stage.name, spec.settings.offline_latency or 0.0)
        if key not in models:
            models[key] = RemoteLike(stage=spec.stage.name, prompt=spec.stage.prompt, latency=key[1])
        return models[key]

    register_provider(REMOTE, build)


async def _median(run: Callable[[], Awaitable[Any]], repeat: int) -> float:
    await run()  # warm: models built, structured runnables bound
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def critical_path(repeat: int = 7, graphs: tuple[str, ...] = tuple(CASES)) -> list[dict[str, Any]]:
    """Each graph's wall time through ainvoke and through the CLI's path, against its ideal.

    With a remote-like provider (what our code adds) and with the offline engine (whose own work
    runs on the same event loop).
    """
    from app.persistence import open_checkpointer
    from app.runner import run as cli_run

    _remote_like()
    remote, offline = settings(provider=REMOTE), settings()
    prepare(offline)
    rows = []
    for name in graphs:
        payload, chain = CASES[name]
        graph = GRAPHS[name].builder().compile()
        debug = graph.astream(payload, context=remote, stream_mode="debug")
        steps = {event["step"] async for event in debug if event["type"] == "task"}
        floor = _chain_skeleton(len(steps), chain)
        row: dict[str, Any] = {"graph": name, "ideal_s": chain * LATENCY, "steps": len(steps)}

        async def skeleton_run(floor: Any = floor) -> Any:
            return await floor.ainvoke({"done": []})

        row["floor_s"] = await _median(skeleton_run, repeat)
        stack = _stack_skeleton(await _calls_per_task(graph, payload, settings(latency=0.0, provider=REMOTE)))

        async def stack_run(stack: Any = stack) -> Any:
            return await stack.ainvoke({"done": []})

        row["stack_floor_s"] = await _median(stack_run, repeat)
        with tempfile.TemporaryDirectory() as scratch:
            async with open_checkpointer(f"sqlite:///{scratch}/runs.sqlite") as saver:
                for label, context in (("", remote), ("offline_", offline)):

                    async def direct_run(graph: Any = graph, payload: Any = payload, context: Any = context) -> Any:
                        return await graph.ainvoke(payload, context=context)

                    async def through_cli(name: str = name, payload: Any = payload, context: Any = context) -> Any:
                        entry = GRAPHS[name]
                        return await cli_run(entry, payload, context, checkpointer=saver, on_event=lambda *_: None)

                    row[label + "ainvoke_s"] = await _median(direct_run, repeat)
                    row[label + "cli_s"] = await _median(through_cli, repeat)
        rows.append(row)
    return rows


async def _calls_per_task(graph: Any, payload: Any, context: Settings) -> list[list[int]]:
    """Per superstep of a run, how many model calls each of its tasks made one after another."""
    from langchain_core.callbacks import AsyncCallbackHandler

    calls: dict[str, int] = {}

    class Count(AsyncCallbackHandler):
        async def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            task = str((kwargs.get("metadata") or {}).get("langgraph_checkpoint_ns", "")).split(":")[-1]
            calls[task] = calls.get(task, 0) + 1

    steps: dict[int, list[str]] = {}
    config: Any = {"callbacks": [Count()]}
    async for event in graph.astream(payload, config=config, context=context, stream_mode="debug"):
        if event["type"] == "task":
            steps.setdefault(event["step"], []).append(event["payload"]["id"])
    return [[calls.get(task, 0) for task in steps[step]] for step in sorted(steps)]


def _stack_skeleton(shape: list[list[int]]) -> Any:
    """LangGraph and langchain-core alone, in the shape of a run (its supersteps and tasks).

    Each task makes its model calls one after another through a langchain chat model that only
    waits LATENCY, with the run name, tags and metadata our seam gives each call for traces.
    """
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_core.outputs import ChatGeneration, ChatResult
    from langgraph.graph import END, START, StateGraph

    class Waiting(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "waiting"

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
            time.sleep(LATENCY)
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content="ok"))])

        async def _agenerate(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
        ) -> ChatResult:
            await asyncio.sleep(LATENCY)
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content="ok"))])

    model = Waiting()
    messages = [HumanMessage(content="My internet connection is not working.")]

    def node(name: str, calls: int) -> Callable[[_SkeletonState], Awaitable[dict[str, Any]]]:
        trace: Any = {"run_name": name, "tags": [f"stage:{name}"], "metadata": {"stage": name}}

        async def run(state: _SkeletonState) -> dict[str, Any]:
            for _ in range(calls):
                await model.ainvoke(messages, trace)
            return {"done": [name]}

        return run

    builder: Any = StateGraph(_SkeletonState)
    previous: list[str] = [START]
    for s, tasks in enumerate(shape):
        names = [f"s{s}t{i}" for i in range(len(tasks))]
        for name, calls in zip(names, tasks, strict=True):
            builder.add_node(name, node(name, calls))
            builder.add_edge(previous if len(previous) > 1 else previous[0], name)
        previous = names
    for name in previous:
        builder.add_edge(name, END)
    return builder.compile()


async def cpu_per_run(name: str, runs: int = 30) -> dict[str, float]:
    """CPU per run of a graph with replies that cost nothing, against a LangGraph chain of as many steps.

    Wall-clock free: a ratio of CPU times in one process, so a slower machine scales both sides.
    """
    _remote_like()
    context = settings(latency=0.0, provider=REMOTE)
    prepare(settings())
    payload, _ = CASES[name]
    graph = GRAPHS[name].builder().compile()
    debug = graph.astream(payload, context=context, stream_mode="debug")
    steps = {event["step"] async for event in debug if event["type"] == "task"}
    floor = _chain_skeleton(len(steps), 0)
    return await _cpu_ms(
        {"ours_ms": lambda: graph.ainvoke(payload, context=context), "floor_ms": lambda: floor.ainvoke({"done": []})},
        runs,
    )


async def _cpu_ms(variants: dict[str, Callable[[], Awaitable[Any]]], calls: int, rounds: int = 5) -> dict[str, float]:
    """CPU milliseconds per call of each variant: interleaved rounds, the least of each (the least disturbed)."""
    best = dict.fromkeys(variants, float("inf"))
    for run in variants.values():
        await run()  # warm
    per_round = max(1, calls // rounds)
    for _ in range(rounds):
        for label, run in variants.items():
            started = time.process_time()
            for _ in range(per_round):
                await run()
            best[label] = min(best[label], (time.process_time() - started) / per_round * 1000)
    return best


def _chain_skeleton(steps: int, sleeping: int) -> Any:
    """LangGraph alone: `steps` nodes one after another, the first `sleeping` of them waiting 50 ms.

    The floor for a graph of that many supersteps: what LangGraph itself costs on the same path.
    """
    from langgraph.graph import END, START, StateGraph

    def node(i: int) -> Callable[[_SkeletonState], Awaitable[dict[str, Any]]]:
        async def run(state: _SkeletonState) -> dict[str, Any]:
            if i < sleeping:
                await asyncio.sleep(LATENCY)
            return {"done": [str(i)]}

        return run

    builder: Any = StateGraph(_SkeletonState)
    previous = START
    for i in range(steps):
        builder.add_node(f"n{i}", node(i))
        builder.add_edge(previous, f"n{i}")
        previous = f"n{i}"
    builder.add_edge(previous, END)
    return builder.compile()


async def faq_fifty(repeat: int = 3) -> dict[str, Any]:
    """The FAQ with 50 questions against its ideal given its concurrency cap (8 workers at a time)."""
    from graphs.faq import MAX_CONCURRENCY, graph

    _remote_like()
    # Fifty distinct questions need varied sources: every source set of the FAQ evaluation sets.
    sources = [
        source
        for part in ("dev", "holdout")
        for line in (ROOT / "evals" / f"faq.{part}.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
        for source in json.loads(line)["sources"]
    ]
    payload: Any = {"sources": sources, "num_questions": 50}
    prepare(settings())
    waves = -(-50 // MAX_CONCURRENCY)
    row: dict[str, Any] = {"graph": "faq x50", "ideal_s": (1 + 2 * waves) * LATENCY}
    for label, context in (("", settings(provider=REMOTE)), ("offline_", settings())):
        run = lambda context=context: graph.ainvoke(payload, context=context)  # noqa: E731
        row[label + "ainvoke_s"] = await _median(run, repeat)
    return row


async def seam_cpu(calls: int = 400) -> dict[str, float]:
    """CPU per call in the model seam and langchain-core, with a model that answers instantly."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from models.providers import register_provider, unregister_provider
    from models.stage import stage_model
    from models.steps import arun_steps
    from nodes.router import CLASSIFY, TECHNICAL
    from state.router import Classification

    class Instant(GenericFakeChatModel):
        """Answers at once, on the loop (the stock fake model hops to a thread per async call)."""

        def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
            return self

        async def _agenerate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Any:
            return self._generate(messages, stop=stop, **kwargs)

    answer = AIMessage(
        content="",
        tool_calls=[{"name": "Classification", "args": {"intent": "Technical Support", "confidence": 0.9}, "id": "1"}],
    )
    reply = AIMessage(content="Sorry to hear that; which router model do you have?")
    # One model per stage, built once and reused, as every real provider's models are.
    models: dict[str, Instant] = {}

    def build(spec: Any) -> Instant:
        name = spec.stage.name
        if name not in models:
            models[name] = Instant(messages=iter(lambda: answer if name == "classify" else reply, None))
        return models[name]

    register_provider("instant", build)
    try:
        context = Settings(provider="instant", cache=False)
        from langgraph.runtime import Runtime

        runtime = Runtime(context=context)
        messages = CLASSIFY.prompt.render(query="My router is broken.")
        text_messages = TECHNICAL.prompt.render(query="My router is broken.")

        async def structured() -> None:
            await arun_steps(stage_model(CLASSIFY, runtime).structured(Classification, messages))

        async def text() -> None:
            llm = stage_model(TECHNICAL, runtime)
            await arun_steps(llm.text(text_messages))

        bare_model = build(type("Spec", (), {"stage": TECHNICAL})())

        async def bare() -> None:  # the same model called directly: langchain-core alone, no seam
            await bare_model.ainvoke(text_messages)

        return await _cpu_ms({"structured_ms": structured, "text_ms": text, "bare_ms": bare}, calls)
    finally:
        unregister_provider("instant")


class _SkeletonState(TypedDict, total=False):
    document: str
    done: Annotated[list[str], operator.add]


def skeleton_analysis() -> Any:
    """The analysis graph's nodes and edges in LangGraph, each model node only sleeping LATENCY."""
    from langgraph.graph import END, START, StateGraph

    async def wait(state: _SkeletonState) -> dict[str, Any]:
        await asyncio.sleep(LATENCY)
        return {"done": ["x"]}

    async def instant(state: _SkeletonState) -> dict[str, Any]:
        return {}

    builder = StateGraph(_SkeletonState)
    builder.add_node("intake", instant)
    for branch in ("sentiment", "entities", "summary", "topics"):
        builder.add_node(branch, wait)
        builder.add_edge("intake", branch)
    builder.add_node("synthesize", wait)
    builder.add_node("finish", instant)
    builder.add_edge(START, "intake")
    builder.add_edge(["sentiment", "entities", "summary", "topics"], "synthesize")
    builder.add_edge("synthesize", "finish")
    builder.add_edge("finish", END)
    return builder.compile()


async def _plain_asyncio() -> None:
    await asyncio.gather(*(asyncio.sleep(LATENCY) for _ in range(4)))
    await asyncio.sleep(LATENCY)


async def _throughput(run: Callable[[], Awaitable[Any]], n: int) -> float:
    await run()
    started = time.perf_counter()
    await asyncio.gather(*(run() for _ in range(n)))
    return n / (time.perf_counter() - started)


async def throughput(levels: tuple[int, ...] = (10, 50, 200)) -> list[dict[str, Any]]:
    """Analysis runs per second at N concurrent runs in one process.

    Ours with a remote-like provider and with the offline engine (whose work shares the loop), the
    skeleton, plain asyncio.
    """
    _remote_like()
    context, remote = settings(), settings(provider=REMOTE)
    prepare(context)
    ours = GRAPHS["analysis"].builder().compile(cache=STAGE_CACHE)
    skeleton = skeleton_analysis()
    payload = {"document": BUSINESS_DOCUMENT}
    rows = []
    for n in levels:
        rows.append(
            {
                "concurrent": n,
                "ours_per_s": await _throughput(lambda: ours.ainvoke(payload, context=remote), n),
                "offline_per_s": await _throughput(lambda: ours.ainvoke(payload, context=context), n),
                "skeleton_per_s": await _throughput(lambda: skeleton.ainvoke(payload), n),
                "asyncio_per_s": await _throughput(_plain_asyncio, n),
            }
        )
    return rows


def batch_throughput(items: int = 400, workers: int = 2, concurrency: int = 100) -> dict[str, Any]:
    """`stagecraft batch` of analysis with worker processes, against the skeleton at the same load."""
    from app.batch import Item, run_batch

    docs = [BUSINESS_DOCUMENT, *(s["content"] for s in ENERGY_SOURCES)]
    batch = [Item(f"d{i}", {"document": f"{docs[i % len(docs)]} Reference {i}."}) for i in range(items)]
    with tempfile.TemporaryDirectory() as scratch:
        report = run_batch(
            "analysis",
            batch,
            out=Path(scratch) / "out.jsonl",
            settings=settings(),
            workers=workers,
            concurrency=concurrency,
        )
    skeleton = skeleton_analysis()
    payload = {"document": BUSINESS_DOCUMENT}
    skeleton_rate = asyncio.run(_throughput(lambda: skeleton.ainvoke(payload), workers * concurrency))
    return {**report.as_dict(), "skeleton_per_s": skeleton_rate, "workers": workers, "concurrency": concurrency}


async def invoke_vs_ainvoke(repeat: int = 7) -> list[dict[str, Any]]:
    """Per-run wall time of graph.invoke (sync, in a thread) against graph.ainvoke, at LATENCY per call."""
    context = settings()
    prepare(context)
    rows = []
    for name in ("router", "analysis", "orchestrator"):
        payload, _ = CASES[name]
        graph = GRAPHS[name].builder().compile()

        async def blocking(graph: Any = graph, payload: dict[str, Any] = payload) -> Any:
            return await asyncio.to_thread(graph.invoke, payload, context=context)

        async def awaited(graph: Any = graph, payload: dict[str, Any] = payload) -> Any:
            return await graph.ainvoke(payload, context=context)

        sync, sync_async = await _median(blocking, repeat), await _median(awaited, repeat)
        rows.append({"graph": name, "invoke_s": sync, "ainvoke_s": sync_async})
    return rows


def startup(repeat: int = 5) -> list[dict[str, Any]]:
    """Median wall time of CLI commands in new processes, against the import floor."""
    exe = str(Path(sys.executable).parent / "stagecraft")
    runs = str(Path(tempfile.gettempdir()) / "stagecraft-bench-runs.sqlite")
    run_router = ["run", "router", "My router is broken.", "--latency", "0", "--quiet", "--runs-db", runs]
    commands = {
        "import floor: from langgraph.graph import StateGraph": [
            sys.executable,
            "-c",
            "from langgraph.graph import StateGraph",
        ],
        "stagecraft graphs": [exe, "graphs"],
        "stagecraft --help": [exe, "--help"],
        "stagecraft run router (offline)": [exe, *run_router],
    }
    rows: list[dict[str, Any]] = []
    for label, command in commands.items():
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False, cwd=tempfile.gettempdir())
            times.append(time.perf_counter() - started)
        rows.append({"command": label, "seconds": statistics.median(times)})
    unwanted = ("openai", "langchain_openai", "rich.markdown", "matplotlib")
    probe = (
        f"import json, sys; from app.cli import main; main({run_router!r}); "
        f"print(json.dumps(sorted(m for m in {unwanted!r} if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tempfile.gettempdir())
    found = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-200:]
    rows.append({"command": f"what the offline run imported of {', '.join(unwanted)}", "seconds": found})
    return rows


async def tiered_cost() -> list[dict[str, Any]]:
    """Cost of each graph with a tier per stage, against every stage on BALANCED."""
    from models.stages import STAGES

    rows = []
    base = settings(latency=0)
    prepare(base)
    everything_balanced = settings(latency=0, stage_tiers={name: "BALANCED" for name in STAGES})
    for name in ("analysis", "report", "orchestrator", "document", "faq"):
        payload, _ = CASES[name]
        graph = GRAPHS[name].builder().compile()
        tiered = (await graph.ainvoke(payload, context=base))["execution_report"]["cost_usd"]
        balanced = (await graph.ainvoke(payload, context=everything_balanced))["execution_report"]["cost_usd"]
        rows.append({"graph": name, "tiered_usd": tiered, "balanced_usd": balanced})
    return rows


async def cached_rerun() -> dict[str, Any]:
    """The document pipeline's full path, then the same input again served from the stage cache."""
    import os

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["STAGECRAFT_CACHE"] = f"sqlite:///{scratch}/cache.sqlite"
        try:
            context = Settings(provider="offline", offline_latency=LATENCY)
            prepare(context)
            graph = GRAPHS["document"].builder().compile(cache=STAGE_CACHE)
            payload = {"document": await asyncio.to_thread((ROOT / "examples" / "quarterly-report.txt").read_text)}
            times, reports = [], []
            for _ in range(2):
                started = time.perf_counter()
                out = await graph.ainvoke(payload, context=context)
                times.append(time.perf_counter() - started)
                reports.append(out["execution_report"])
        finally:
            os.environ.pop("STAGECRAFT_CACHE", None)
    return {
        "uncached_s": times[0],
        "cached_s": times[1],
        "uncached_usd": reports[0]["cost_usd"],
        "cached_usd": reports[1]["cost_usd"],
        "hits": reports[1]["cache"]["hits"],
        "calls": reports[1]["calls"],
    }


def as_json(value: Any) -> str:
    """Pretty JSON for the benchmark log."""
    return json.dumps(value, indent=2, default=str)
