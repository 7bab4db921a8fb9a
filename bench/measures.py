"""The measures behind `make bench`: each returns rows of numbers, side by side with its baseline.

Every ratio is measured in one process and one run against its baseline (the ideal critical path,
a LangGraph skeleton of the same graph, plain asyncio, the import floor), never against a number
written down on another machine. Medians of several runs, variants interleaved.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import operator
import os
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
from graphs.registry import GRAPHS
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
    from langchain_core.outputs import ChatGeneration, ChatResult

    from models.providers import register_provider
    from offline.engine import OfflineChatModel

    replies: dict[tuple[Any, ...], Any] = {}

    class RemoteLike(OfflineChatModel):
        def _key(self, messages: list[BaseMessage], tools: Any) -> tuple[Any, ...]:
            return (self.prompt.name, tuple((m.type, m.text) for m in messages), json.dumps(tools, sort_keys=True))

        def _answer(self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None) -> AIMessage:
            key = self._key(messages, tools)
            reply = replies.get(key)
            if reply is None:
                reply = replies[key] = super()._answer(messages, tools)
            return reply.model_copy(deep=True)

        async def _agenerate(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> Any:
            reply = replies.get(self._key(messages, kw.get("tools")))
            if reply is None:  # computed once, by the engine in its worker thread
                return await super()._agenerate(messages, stop, run_manager, **kw)
            await asyncio.sleep(self.latency)  # an HTTP client waits on the loop, no thread
            return ChatResult(generations=[ChatGeneration(message=reply.model_copy(deep=True))])

    models: dict[tuple[str, float], RemoteLike] = {}  # by prompt: a pipeline's "extract" is not report's

    def build(spec: Any) -> RemoteLike:
        key = (spec.stage.prompt.fingerprint, spec.settings.offline_latency or 0.0)
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
        graph = GRAPHS[name].compile()
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
                        return await cli_run(
                            GRAPHS[name], payload, context, checkpointer=saver, on_event=lambda *_: None
                        )

                    row[label + "ainvoke_s"] = await _median(direct_run, repeat)
                    row[label + "cli_s"] = await _median(through_cli, repeat)
        rows.append(row)
    return rows


async def above_stack(latencies: tuple[float, ...] = (0.05, 0.2, 1.0), repeat: int = 3) -> list[dict[str, Any]]:
    """Each graph's ms above a same-shape LangGraph graph whose chat model only waits, at each latency.

    Ours through ainvoke with the remote-like provider (every call only waits, as a hosted model's
    does); the stack skeleton has the same supersteps, tasks and calls per task. The two alternate
    run by run, so load from elsewhere hits both; medians.
    """
    _remote_like()
    prepare(settings())
    rows = []
    for name in CASES:
        payload, _ = CASES[name]
        graph = GRAPHS[name].compile()
        shape = await _calls_per_task(graph, payload, settings(latency=0.0, provider=REMOTE))
        for latency in latencies:
            stack, context = _stack_skeleton(shape, latency), settings(latency=latency, provider=REMOTE)
            await graph.ainvoke(payload, context=context)  # warm: the replies computed, the models built
            ours_s, stack_s = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                await stack.ainvoke({"done": []})
                stack_s.append(time.perf_counter() - started)
                started = time.perf_counter()
                await graph.ainvoke(payload, context=context)
                ours_s.append(time.perf_counter() - started)
            rows.append(
                {
                    "graph": name,
                    "latency_s": latency,
                    "ours_s": statistics.median(ours_s),
                    "stack_s": statistics.median(stack_s),
                    "load": os.getloadavg()[0],
                }
            )
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


def _stack_skeleton(shape: list[list[int]], latency: float = LATENCY) -> Any:
    """LangGraph and langchain-core alone, in the shape of a run (its supersteps and tasks).

    Each task makes its model calls one after another through a langchain chat model that only
    waits `latency`, with the run name, tags and metadata our seam gives each call for traces.
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
            time.sleep(latency)
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content="ok"))])

        async def _agenerate(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
        ) -> ChatResult:
            await asyncio.sleep(latency)
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
    graph = GRAPHS[name].compile()
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
    graph = GRAPHS["faq"].compile()
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
    waves = -(-50 // GRAPHS["faq"].max_concurrency)
    row: dict[str, Any] = {"graph": "faq x50", "ideal_s": (1 + 2 * waves) * LATENCY}
    for label, context in (("", settings(provider=REMOTE)), ("offline_", settings())):
        run = lambda context=context: graph.ainvoke(payload, context=context)  # noqa: E731
        row[label + "ainvoke_s"] = await _median(run, repeat)
    return row


async def seam_cpu(calls: int = 400) -> dict[str, float]:
    """CPU per call in the model seam and langchain-core, with a model that answers instantly."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from models.effects import arun_steps
    from models.providers import register_provider, unregister_provider
    from models.seam import stage_model
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
    ours = GRAPHS["analysis"].compile()
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


def skeleton_router() -> Any:
    """The router graph's nodes and edges in LangGraph: classify, then one handler, each only sleeping LATENCY."""
    from langgraph.graph import END, START, StateGraph

    async def wait(state: _SkeletonState) -> dict[str, Any]:
        await asyncio.sleep(LATENCY)
        return {"done": ["x"]}

    async def instant(state: _SkeletonState) -> dict[str, Any]:
        return {}

    def route_after_classify(state: _SkeletonState) -> str:
        return "technical"

    builder = StateGraph(_SkeletonState)
    builder.add_node("intake", instant)
    builder.add_node("classify", wait)
    for handler in ("technical", "billing", "general"):
        builder.add_node(handler, wait)
        builder.add_edge(handler, "finish")
    builder.add_node("finish", instant)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "classify")
    builder.add_conditional_edges("classify", route_after_classify, ["technical", "billing", "general"])
    builder.add_edge("finish", END)
    return builder.compile()


BATCH_INPUTS: dict[str, Callable[[int], dict[str, Any]]] = {
    "analysis": lambda i: {"document": f"{BUSINESS_DOCUMENT} Reference {i}."},
    "router": lambda i: {"query": f"My internet connection is not working (ticket {i})."},
}
SKELETONS: dict[str, Callable[[], Any]] = {"analysis": skeleton_analysis, "router": skeleton_router}


async def _pool(run: Callable[[int], Awaitable[Any]], items: int, concurrency: int) -> float:
    """Items per second through `concurrency` workers taking the next item as they free up, as a batch does."""
    queue = iter(range(items))

    async def worker() -> None:
        for i in queue:
            await run(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return items / (time.perf_counter() - started)


def batch_throughput(
    graphs: tuple[str, ...] = ("analysis", "router"), items: int = 300, concurrency: int = 32, rounds: int = 3
) -> list[dict[str, Any]]:
    """`stagecraft batch` against a same-shape LangGraph skeleton at equal resources, variants interleaved.

    One process each (the batch's one worker is an event loop in this process, the skeleton runs
    in this process too), the same number of runs at once, the same items; caches off, LATENCY per
    call. Rounds alternate batch and skeleton, so a burst of load from elsewhere hits both: each
    figure is the median of its rounds, with the 1-minute load average taken at each round.
    The batch runs as the command does: the offline engine doing its work, every item checkpointed
    (SQLite); and with a remote-like provider (what our code adds, the engine's work left out).
    Beside the skeleton, the stack: the same shape with its model calls made through a langchain
    chat model that only waits (LangGraph and langchain-core alone, as any LangChain graph pays).
    """
    from app.batch import Item, run_batch

    _remote_like()
    prepare(settings())
    rows = []
    for name in graphs:
        skeleton = SKELETONS[name]()
        make = BATCH_INPUTS[name]
        shape = asyncio.run(_calls_per_task(GRAPHS[name].compile(), make(0), settings(latency=0.0, provider=REMOTE)))
        stack = _stack_skeleton(shape)
        batch = [Item(f"d{i}", make(i)) for i in range(items)]
        rates: dict[str, list[float]] = {"batch": [], "remote": [], "skeleton": [], "stack": []}
        loads: list[float] = []
        report: Any = None
        with tempfile.TemporaryDirectory() as scratch:
            for r in range(rounds + 1):  # the first round warms (imports, the embedder, compiled graphs)
                load = os.getloadavg()[0]
                for label, context in (("batch", settings()), ("remote", settings(provider=REMOTE))):
                    report = run_batch(
                        name,
                        batch,
                        out=Path(scratch) / f"{label}{r}.jsonl",
                        settings=context,
                        workers=1,
                        concurrency=concurrency,
                        checkpointer=f"sqlite:///{scratch}/{label}{r}.sqlite",
                    )
                    if r:
                        rates[label].append(report.throughput)

                async def bare(i: int, skeleton: Any = skeleton, make: Callable[[int], Any] = make) -> Any:
                    return await skeleton.ainvoke(make(i))

                async def stacked(i: int, stack: Any = stack) -> Any:
                    return await stack.ainvoke({"done": []})

                skeleton_rate = asyncio.run(_pool(bare, items, concurrency))
                stack_rate = asyncio.run(_pool(stacked, items, concurrency))
                if r:
                    rates["skeleton"].append(skeleton_rate)
                    rates["stack"].append(stack_rate)
                    loads.append(load)
        rows.append(
            {
                "graph": name,
                "items": items,
                "concurrency": concurrency,
                "rounds": rounds,
                **{f"{label}_per_s": statistics.median(values) for label, values in rates.items()},
                "loads": loads,
                "p50_s": report.as_dict()["p50_s"],
                "p95_s": report.as_dict()["p95_s"],
                "failed": report.failed,
            }
        )
    return rows


async def invoke_vs_ainvoke(repeat: int = 7) -> list[dict[str, Any]]:
    """Per-run wall time of graph.invoke (sync, in a thread) against graph.ainvoke, at LATENCY per call."""
    context = settings()
    prepare(context)
    rows = []
    for name in ("router", "analysis", "orchestrator"):
        payload, _ = CASES[name]
        graph = GRAPHS[name].compile()

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
    import resource

    # With PYTHONDONTWRITEBYTECODE set (some shells and images set it) every process compiles every
    # module it imports again: that is compiling, not start-up, and it punishes the larger import.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for command in commands.values():  # one unmeasured run each writes the bytecode caches
        subprocess.run(command, capture_output=True, check=False, cwd=tempfile.gettempdir(), env=env)
    times: dict[str, list[float]] = {label: [] for label in commands}
    cpu: dict[str, list[float]] = {label: [] for label in commands}
    loads: list[float] = []
    for _ in range(repeat):  # interleaved: a burst of load elsewhere hits every command alike
        loads.append(os.getloadavg()[0])
        for label, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False, cwd=tempfile.gettempdir(), env=env)
            times[label].append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[label].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    rows: list[dict[str, Any]] = [
        {
            "command": label,
            "seconds": statistics.median(times[label]),
            "cpu_s": statistics.median(cpu[label]),
            "load": statistics.median(loads),
        }
        for label in commands
    ]
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
    rows = []
    base = settings(latency=0)
    prepare(base)
    for name in ("analysis", "report", "orchestrator", "document", "faq"):
        payload, _ = CASES[name]
        graph = GRAPHS[name].compile()
        everything_balanced = settings(latency=0, stage_tiers={s.name: "BALANCED" for s in GRAPHS[name].stages})
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
            graph = GRAPHS["document"].compile()
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


def engine_work_once(rounds: int = 3) -> dict[str, Any]:
    """Engine CPU for work that is the same across calls: per FAQ question, and per KB of a document.

    FAQ: every labelled question of the FAQ evaluation sets against all their sources and the
    example's, each question with the subset of the sources its worker gets (as the graph sends
    them), answered and attributed. *Cold* forgets every source's worked-out part before each
    question (what each question paid when the index was kept per source set: every worker's
    subset is another set); *warm* keeps them, as a process does.
    Analysis: sentiment, entities, topics and summary of a 100 KB document (the analysis graph's
    skills), each on its own with the shared per-text work forgotten, then all four on one text.
    The least of `rounds` runs; CPU time of this process.
    """
    from nodes.faq import sources_per_question
    from offline.text import answer_question, attribute, basics, embed, entities, faq, sentiment, summarize, topics

    embed.model()  # the one-off load is not per-question work
    sets = [
        json.loads(line)
        for part in ("dev", "holdout")
        for line in (ROOT / "evals" / f"faq.{part}.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    sources = [s for example in sets for s in example["sources"]] + list(ENERGY_SOURCES)
    questions = [q["question"] for example in sets for q in example.get("questions", [])]
    chosen = sources_per_question(questions, sources, Settings().faq_context_chars)
    pairs = [(q, [(s["title"], s["content"]) for s in picked]) for q, picked in zip(questions, chosen, strict=True)]

    def faq_cpu(cold: bool) -> float:
        faq.clear_caches()
        started = time.process_time()
        for question, subset in pairs:
            if cold:
                faq.clear_caches()
            answer, _ = answer_question(question, subset)
            if answer:
                attribute(answer, subset)
        return (time.process_time() - started) / len(pairs)

    faq_ms = {label: min(faq_cpu(label == "cold") for _ in range(rounds)) * 1000 for label in ("cold", "warm")}
    documents = [
        json.loads(line)["document"]
        for part in ("dev", "holdout")
        for line in (ROOT / "evals" / f"analysis.{part}.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    document = ("\n\n".join(documents) + "\n\n") * (100_000 // len("\n\n".join(documents)) + 1)
    document = document[:100_000]
    skills: list[Callable[[str], Any]] = [sentiment, entities, topics, lambda text: summarize(text, max_sentences=3)]
    alone, together = [], []
    for n in range(rounds):
        text = document + " " * n  # another text each round: nothing kept from the round before
        total = 0.0
        for skill in skills:
            basics.sentence_words.cache_clear()
            basics._sentences.cache_clear()
            started = time.process_time()
            skill(text)
            total += time.process_time() - started
        alone.append(total)
        text = document + "\n" * (n + 1)
        started = time.process_time()
        for skill in skills:
            skill(text)
        together.append(time.process_time() - started)
    return {
        "sources": len(sources),
        "questions": len(pairs),
        "faq_cold_ms": faq_ms["cold"],
        "faq_warm_ms": faq_ms["warm"],
        "document_kb": len(document) / 1000,
        "analysis_alone_ms": min(alone) * 1000,
        "analysis_shared_ms": min(together) * 1000,
    }


def as_json(value: Any) -> str:
    """Pretty JSON for the benchmark log."""
    return json.dumps(value, indent=2, default=str)


def semantic_lookups(sizes: tuple[int, ...] = (1_000, 10_000, 100_000), queries: int = 200) -> list[dict[str, Any]]:
    """Semantic-cache lookup time at each namespace size, against scoring every entry, and its recall.

    The entries are stored in a SQLite store first, as another process would have left them; a
    new cache reads them (as a process starting on that store does), and once its lists are
    built, each lookup is timed whole: embedding the query, reading the store for new rows,
    searching. Half the queries are stored inputs with a word added (near duplicates), half new.
    The baseline scores every entry of the namespace at once (one matrix product), as every
    lookup did before; recall is the share of queries with an entry at least the threshold
    similar for which the index found one.
    """
    import random

    import numpy as np

    from models import caches
    from models.providers import embedder_for

    embedder = embedder_for(settings())
    threshold = settings().semantic_threshold
    words = (
        "internet router printer invoice refund password account laptop phone screen billing charge twice "
        "cancel order delivery late broken slow wifi email login error update payment card shipping return "
        "warranty battery my the is not working since yesterday please help again still cannot"
    ).split()
    rng = random.Random(20)
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(5, 12))) for _ in range(max(sizes))]
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        store = caches._SqliteStore(Path(scratch) / "semantic.sqlite")
        for n in sizes:
            namespace = ("semantic", "bench", str(n), embedder.name)
            label = caches._label(namespace)
            store._conn.execute("BEGIN")
            store._conn.executemany(
                "INSERT INTO semantic_entries (namespace, entry, digest, created, vector, output) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (label, f"e{i}", store.digest(texts[i]), time.time(), vectors[i].tobytes(), '{"value": "x"}')
                    for i in range(n)
                ),
            )
            store._conn.execute("COMMIT")
            cache = caches.SemanticCache(store, embedder, max_entries=max(sizes), ttl_s=3600)
            cache.lookup(namespace, "warm up", threshold)  # reads every row, files them in the background
            caches.flush()
            asked = [
                f"{texts[i]} {rng.choice(words)}" if q % 2 == 0 else " ".join(rng.choice(words) for _ in range(9))
                for q, i in enumerate(rng.sample(range(n), queries))
            ]
            found, needed, took = 0, 0, []
            for text in asked:
                started = time.perf_counter()
                probe = cache.lookup(namespace, text, threshold)
                took.append(time.perf_counter() - started)
                query = caches._unit(embedder.embed([text])[0])
                if float(np.max(vectors[:n] @ query)) >= threshold:
                    needed += 1
                    found += probe is not None and probe.hit is not None
            index = cache._indexes[namespace]
            query = caches._unit(embedder.embed([asked[0]])[0])
            exact = []
            for _ in range(min(queries, 50)):
                started = time.perf_counter()
                int(np.argmax(index.matrix[index.lo - index.base : index.hi - index.base] @ query))
                exact.append(time.perf_counter() - started)
            rows.append(
                {
                    "entries": n,
                    "lookup_ms": statistics.median(took) * 1000,
                    "p95_ms": sorted(took)[int(0.95 * len(took))] * 1000,
                    "scan_ms": statistics.median(exact) * 1000,
                    "recall": found / needed if needed else 1.0,
                    "near": needed,
                    "load": os.getloadavg()[0],
                }
            )
    return rows


POSTGRES_URL = os.environ.get("STAGECRAFT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def checkpointers(graph: str = "orchestrator", rounds: int = 7) -> list[dict[str, Any]]:
    """Wall time of a run through the CLI's path with each checkpointer, against none, and bytes saved per run.

    Remote-like provider at LATENCY per call, caches off; rounds interleave the checkpointers (each
    the median of its rounds). Bytes: what the store holds of one run's thread (checkpoints,
    channel values, pending writes), read from its tables.
    """
    from app.persistence import open_checkpointer
    from app.runner import run as cli_run

    _remote_like()
    prepare(settings())
    context = settings(provider=REMOTE)
    payload, _ = CASES[graph]
    spec = GRAPHS[graph]
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        urls = {"none": None, "memory": "memory://", "sqlite": f"sqlite:///{scratch}/runs.sqlite"}
        if await asyncio.to_thread(_reachable, POSTGRES_URL):
            urls["postgres"] = POSTGRES_URL
        async with contextlib.AsyncExitStack() as stack:
            savers = {
                label: (await stack.enter_async_context(open_checkpointer(url)) if url else None)
                for label, url in urls.items()
            }
            times: dict[str, list[float]] = {label: [] for label in savers}
            threads: dict[str, str] = {}
            for r in range(rounds + 1):
                for label, saver in savers.items():
                    thread = f"bench-{label}-{r}-{time.time_ns()}"
                    started = time.perf_counter()
                    await cli_run(spec, payload, context, thread_id=thread, checkpointer=saver)
                    if r:  # the first round warms
                        times[label].append(time.perf_counter() - started)
                    threads[label] = thread
            for label in savers:
                rows[label] = {"checkpointer": label, "run_s": statistics.median(times[label])}
        for label in ("sqlite", "postgres"):
            if label in rows:
                rows[label]["bytes"] = await asyncio.to_thread(_saved_bytes, label, urls[label] or "", threads[label])
    base = rows["none"]["run_s"]
    return [{**row, "ratio": row["run_s"] / base, "load": os.getloadavg()[0]} for row in rows.values()]


async def checkpoint_bytes(graph: str = "analysis", size: int = 99_000) -> list[dict[str, Any]]:
    """Bytes one run's thread leaves in each store, for a document of about `size` characters.

    The business document repeated to `size`, offline engine without latency, caches off; bytes as
    in `checkpointers` (checkpoints, channel values, pending writes), per store that is reachable.
    """
    from app.persistence import open_checkpointer
    from app.runner import run as cli_run

    document = (BUSINESS_DOCUMENT + "\n\n") * (size // (len(BUSINESS_DOCUMENT) + 2) + 1)
    context = settings(latency=0.0)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        urls = {"sqlite": f"sqlite:///{scratch}/runs.sqlite"}
        if await asyncio.to_thread(_reachable, POSTGRES_URL):
            urls["postgres"] = POSTGRES_URL
        for label, url in urls.items():
            thread = f"bench-bytes-{label}-{time.time_ns()}"
            async with open_checkpointer(url) as saver:
                await cli_run(
                    GRAPHS[graph], {"document": document[:size]}, context, thread_id=thread, checkpointer=saver
                )
                checkpoints = len([c async for c in saver.alist({"configurable": {"thread_id": thread}})])
            saved = await asyncio.to_thread(_saved_bytes, label, url, thread)
            rows.append(
                {"checkpointer": label, "graph": graph, "input": size, "checkpoints": checkpoints, "bytes": saved}
            )
    return rows


def _reachable(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


def _saved_bytes(kind: str, url: str, thread: str) -> int:
    """What the store holds of one thread, in bytes of serialized data."""
    if kind == "sqlite":
        import sqlite3

        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            queries = (
                "SELECT coalesce(sum(length(checkpoint) + length(metadata)), 0) FROM checkpoints WHERE thread_id = ?",
                "SELECT coalesce(sum(length(blob)), 0) FROM blobs WHERE thread_id = ?",
                "SELECT coalesce(sum(length(value)), 0) FROM writes WHERE thread_id = ?",
            )
            return sum(int(db.execute(query, (thread,)).fetchone()[0]) for query in queries)
    import psycopg

    with psycopg.connect(url) as db:
        total = 0
        for query in (
            "SELECT coalesce(sum(pg_column_size(checkpoint) + pg_column_size(metadata)), 0) FROM checkpoints "
            "WHERE thread_id = %s",
            "SELECT coalesce(sum(length(blob)), 0) FROM checkpoint_blobs WHERE thread_id = %s",
            "SELECT coalesce(sum(length(blob)), 0) FROM checkpoint_writes WHERE thread_id = %s",
        ):
            total += int(db.execute(query, (thread,)).fetchone()[0])  # type: ignore[index]
        return total
