"""The execution report of one request, computed from its ledger."""

from __future__ import annotations

from typing_extensions import TypedDict

from state.ledger import ModelCall, documented, total_cost


@documented
class StageCost(TypedDict):
    """What one stage cost in a request."""

    model: str
    """The model that answered (the last one, if a stage used several)."""
    tier: str
    """Its tier."""
    calls: int
    """Model calls the stage made, re-asks included; cache hits count too, at $0."""
    cached: int
    """How many of them were served from a cache (exact or semantic)."""
    input_tokens: int
    """Prompt tokens, all calls."""
    output_tokens: int
    """Completion tokens, all calls."""
    cost_usd: float
    """Dollar cost of every priced call."""
    seconds: float
    """Time spent in the stage's calls, summed."""


@documented
class CacheStats(TypedDict):
    """How the caches served this request's cacheable calls."""

    hits: int
    """Calls served from a cache: exact plus semantic."""
    exact: int
    """Served from the stage-output cache."""
    semantic: int
    """Served from the semantic cache."""
    misses: int
    """Cacheable calls that went to the model."""
    rate: float
    """hits / (hits + misses), 0 when nothing was cacheable."""
    saved_usd: float
    """What the hits would have cost."""


@documented
class ExecutionReport(TypedDict):
    """Time, tokens, cost and caching of one request."""

    calls: int
    """Ledger entries: model calls made plus calls served from a cache."""
    sequential_s: float
    """Sum of every call's time: how long the calls would take one after another."""
    wall_s: float
    """From the first call's start to the last call's end, less any time no call was in flight (a pause for
    approval, a process that was down before its run resumed)."""
    speedup: float
    """sequential_s / wall_s: what running stages concurrently saved."""
    critical_path: list[str]
    """The longest chain of calls that had to run one after another, by stage."""
    critical_path_s: float
    """That chain's time: the least wall time these calls allow."""
    input_tokens: int
    """Prompt tokens, all calls."""
    output_tokens: int
    """Completion tokens, all calls."""
    cost_usd: float
    """Dollar cost of every priced call."""
    unpriced_models: list[str]
    """Models with no known price (their calls count as $0)."""
    by_stage: dict[str, StageCost]
    """Per stage, in order of first call."""
    by_model: dict[str, float]
    """Dollar cost per model."""
    cache: CacheStats
    """Cache hits, misses, rate and savings."""
    termination: str
    """completed, or why the run stopped early."""


def critical_calls(ledger: list[ModelCall]) -> tuple[list[int], float]:
    """Return the heaviest chain of calls that could have waited on each other (indices into `ledger`), and its time.

    The ledger has no edges, but a call that starts only after another ended could have depended
    on it; the heaviest such chain is what the run's structure forced to be sequential. Two calls
    of one step made by different tasks (Send workers, parallel branches) never wait on each other,
    even when a concurrency cap ran one after the other.
    """
    order = sorted(range(len(ledger)), key=lambda k: (ledger[k]["started"], ledger[k]["ended"]))
    best: list[tuple[float, int]] = []  # (chain time ending at order[i], previous position in order)
    for i, k in enumerate(order):
        call = ledger[k]
        own = max(call["ended"] - call["started"], 0.0)
        options = [
            (best[j][0], j)
            for j in range(i)
            if ledger[order[j]]["ended"] <= call["started"] and not side_by_side(ledger[order[j]], call)
        ]
        before, prev = max(options) if options else (0.0, -1)
        best.append((before + own, prev))
    if not best:
        return [], 0.0
    i = max(range(len(best)), key=lambda n: best[n][0])
    total, chain = best[i][0], []
    while i >= 0:
        chain.append(order[i])
        i = best[i][1]
    return chain[::-1], total


def side_by_side(a: ModelCall, b: ModelCall) -> bool:
    """Whether two calls were made by different tasks of one step of one graph (so neither waited on the other).

    A task is LangGraph's checkpoint namespace, `node:id`, nested as `lane:id|node:id` inside a
    subgraph, whose steps count from its own start: calls of different subgraph runs are compared
    by time alone.
    """
    task, other = a.get("task"), b.get("task")
    if task is None or other is None or task == other or a.get("step") != b.get("step"):
        return False
    return task.rpartition("|")[0] == other.rpartition("|")[0]


def busy_time(calls: list[ModelCall]) -> float:
    """Seconds during which at least one call was in flight (the calls sorted by start)."""
    busy, end = 0.0, float("-inf")
    for call in calls:
        busy += max(0.0, call["ended"] - max(call["started"], end))  # what this call adds past the ones before
        end = max(end, call["ended"])
    return busy


def critical_path(ledger: list[ModelCall]) -> tuple[list[str], float]:
    """Return the stages of the heaviest chain of calls that could have waited on each other, and its time."""
    chain, total = critical_calls(ledger)
    return [ledger[k]["stage"] for k in chain], total


def execution_report(ledger: list[ModelCall], termination: str = "completed") -> ExecutionReport:
    """Summarise a request's ledger: totals, per stage and per model, cache use, speed-up and critical path."""
    calls = sorted(ledger, key=lambda c: c["started"])
    by_stage: dict[str, StageCost] = {}
    by_model: dict[str, float] = {}
    for call in calls:
        seconds = call["ended"] - call["started"]
        cost = call["cost_usd"] or 0.0
        entry = by_stage.setdefault(
            call["stage"],
            StageCost(model="", tier="", calls=0, cached=0, input_tokens=0, output_tokens=0, cost_usd=0.0, seconds=0),
        )
        entry["model"], entry["tier"] = call["model"], call["tier"]
        entry["calls"] += 1
        entry["cached"] += call.get("cache") in ("exact", "semantic")
        entry["input_tokens"] += call["input_tokens"]
        entry["output_tokens"] += call["output_tokens"]
        entry["cost_usd"] += cost
        entry["seconds"] += seconds
        by_model[call["model"]] = by_model.get(call["model"], 0.0) + cost
    sequential = sum(c["ended"] - c["started"] for c in calls)
    wall = busy_time(calls)
    path, path_s = critical_path(calls)
    exact = sum(c.get("cache") == "exact" for c in calls)
    semantic = sum(c.get("cache") == "semantic" for c in calls)
    misses = sum(c.get("cache") == "miss" for c in calls)
    hits = exact + semantic
    return ExecutionReport(
        calls=len(calls),
        sequential_s=sequential,
        wall_s=wall,
        # Calls all served from a cache take no time: nothing ran, nothing was sped up.
        speedup=sequential / wall if wall > 0 and sequential > 0 else 1.0,
        critical_path=path,
        critical_path_s=path_s,
        input_tokens=sum(c["input_tokens"] for c in calls),
        output_tokens=sum(c["output_tokens"] for c in calls),
        cost_usd=total_cost(calls),
        unpriced_models=sorted({c["model"] for c in calls if c["cost_usd"] is None}),
        by_stage=by_stage,
        by_model=by_model,
        cache=CacheStats(
            hits=hits,
            exact=exact,
            semantic=semantic,
            misses=misses,
            rate=hits / (hits + misses) if hits + misses else 0.0,
            saved_usd=sum(c.get("saved_usd", 0.0) for c in calls),
        ),
        termination=termination,
    )
