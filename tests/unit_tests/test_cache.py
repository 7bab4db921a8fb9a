"""The stage-output cache (a model call's answer, keyed on what the model is asked) and the semantic cache."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path
from typing import Any

import ormsgpack
import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY, ENERGY_SOURCES
from graphs.analysis import build as build_analysis
from graphs.document import build as build_document
from graphs.faq import build as build_faq
from graphs.orchestrator import build as build_orchestrator
from graphs.router import build as build_router
from models import caches
from models.caches import STAGE_CACHE, call_key
from nodes import router
from nodes.router import CLASSIFY
from state.settings import Settings
from tests.conftest import Script

QUERY = "My internet connection is not working."


@pytest.fixture
def cached() -> Settings:
    """Offline, no delay, caching on (the default)."""
    return Settings(provider="offline", offline_latency=0)


def _thread(name: str) -> RunnableConfig:
    return {"configurable": {"thread_id": name}}


def _caches(out: dict[str, Any]) -> list[str]:
    return [call["cache"] for call in out["ledger"]]


async def test_a_repeated_query_hits_inside_a_thread_whose_state_has_grown(script: Script) -> None:
    graph = build_router().compile(checkpointer=InMemorySaver())
    context = Settings(provider="scripted")
    first = await graph.ainvoke({"query": QUERY}, config=_thread("t"), context=context)
    await graph.ainvoke({"query": "What are your opening hours?"}, config=_thread("t"), context=context)
    again = await graph.ainvoke({"query": QUERY}, config=_thread("t"), context=context)
    assert _caches(first) == ["miss", "miss"] and _caches(again) == ["exact", "exact"]
    # Two runs made model calls (classify + handler each); the third made none.
    assert sum(script.calls.values()) == 4
    assert again["response"] == first["response"] and again["intent"] == first["intent"]


async def test_a_cache_hit_costs_nothing_and_says_what_it_saved(cached: Settings) -> None:
    graph = build_router().compile()
    first = await graph.ainvoke({"query": QUERY}, context=cached)
    again = await graph.ainvoke({"query": QUERY}, context=cached)
    for call, original in zip(again["ledger"], first["ledger"], strict=True):
        assert (call["cost_usd"], call["input_tokens"], call["output_tokens"]) == (0.0, 0, 0)
        assert call["outcome"] == "cached" and call["saved_usd"] == pytest.approx(original["cost_usd"])
    report = again["execution_report"]
    assert report["cost_usd"] == 0.0 and report["cache"]["hits"] == 2 and report["cache"]["rate"] == 1.0
    assert report["cache"]["saved_usd"] == pytest.approx(first["execution_report"]["cost_usd"])


@pytest.mark.parametrize("change", [{"model_fast": "gpt-4.1-mini"}, {"provider": "scripted"}])
async def test_a_changed_model_setting_or_provider_misses(
    change: dict[str, Any], cached: Settings, script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAGECRAFT_ALLOWED_MODELS", "gpt-4.1-mini")
    graph = build_router().compile()
    await graph.ainvoke({"query": QUERY}, context=cached)
    changed = await graph.ainvoke({"query": QUERY}, context=cached.model_copy(update=change))
    assert _caches(changed)[0] == "miss"


async def test_a_changed_setting_that_routes_reuses_the_answer_and_routes_anew(cached: Settings) -> None:
    # Only the model's answer is reused, never a node's update: the classification is served
    # again, and the router decides anew with the new threshold.
    graph = build_router().compile()
    first = await graph.ainvoke({"query": QUERY}, context=cached)
    strict = await graph.ainvoke({"query": QUERY}, context=cached.model_copy(update={"confidence_threshold": 0.99}))
    assert first["intent"] == "Technical Support"
    assert strict["intent"] == "General Question" and "low confidence" in strict["route_reason"]
    assert _caches(strict) == ["exact", "miss"]  # the label from the cache; the general handler asked


@pytest.mark.parametrize("edit", ["text", "version"])
async def test_a_prompt_whose_text_or_version_changed_misses(
    edit: str, cached: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The key holds the rendered messages: an edited prompt misses even when nobody bumped its version.
    graph = build_router().compile()
    await graph.ainvoke({"query": QUERY}, context=cached)
    prompt = dataclasses.replace(
        CLASSIFY.prompt,
        **({"system": CLASSIFY.prompt.system + " Be brief."} if edit == "text" else {"version": "2"}),
    )
    monkeypatch.setattr(router, "CLASSIFY", dataclasses.replace(CLASSIFY, prompt=prompt))
    again = await graph.ainvoke({"query": QUERY}, context=cached)
    # The classifier's prompt changed: it misses; the handler's did not: it hits.
    assert _caches(again) == ["miss", "exact"]


def test_a_calls_key_holds_everything_that_decides_its_answer() -> None:
    messages = CLASSIFY.prompt.render(query=QUERY)
    base = call_key("classify@1", "offline@5", "gpt-4o-mini", "Classification:abc", messages)
    assert call_key("classify@1", "offline@5", "gpt-4o-mini", "Classification:abc", list(messages)) == base
    for changed in (
        call_key("classify@2", "offline@5", "gpt-4o-mini", "Classification:abc", messages),
        call_key("classify@1", "offline@6", "gpt-4o-mini", "Classification:abc", messages),
        call_key("classify@1", "openai", "gpt-4o-mini", "Classification:abc", messages),
        call_key("classify@1", "offline@5", "gpt-4o", "Classification:abc", messages),
        call_key("classify@1", "offline@5", "gpt-4o-mini", "Classification:abd", messages),
        call_key("classify@1", "offline@5", "gpt-4o-mini", "text", messages),
        call_key("classify@1", "offline@5", "gpt-4o-mini", "Classification:abc", CLASSIFY.prompt.render(query="x")),
    ):
        assert changed != base


async def test_a_changed_input_misses_and_caching_off_stores_nothing(cached: Settings, script: Script) -> None:
    graph = build_router().compile()
    await graph.ainvoke({"query": QUERY}, context=cached)
    other = await graph.ainvoke({"query": "My laptop screen flickers."}, context=cached)
    assert _caches(other) == ["miss", "miss"]
    off = Settings(provider="scripted", cache=False)
    await graph.ainvoke({"query": "The app crashes on start."}, context=off)
    again = await graph.ainvoke({"query": "The app crashes on start."}, context=off)
    assert _caches(again) == ["off", "off"] and script.calls["classify"] == 2


@pytest.mark.parametrize("mode", ["ainvoke", "invoke"])
def test_a_run_with_caching_off_never_reaches_the_backend(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from langgraph.cache.sqlite import SqliteCache

    touched: list[str] = []
    for name in ("get", "set"):
        real = getattr(SqliteCache, name)
        monkeypatch.setattr(
            SqliteCache, name, lambda self, arg, real=real, name=name: touched.append(name) or real(self, arg)
        )
    graph = build_analysis().compile()
    off = Settings(provider="offline", offline_latency=0, cache=False)
    if mode == "ainvoke":
        out = asyncio.run(graph.ainvoke({"document": BUSINESS_DOCUMENT}, context=off))
    else:
        out = graph.invoke({"document": BUSINESS_DOCUMENT}, context=off)
    assert set(_caches(out)) == {"off"} and touched == []  # no lookup, no write, no worker thread
    on = Settings(provider="offline", offline_latency=0)
    graph.invoke({"document": BUSINESS_DOCUMENT}, context=on)
    assert "get" in touched and "set" in touched  # the same graph with caching on does use it


def _outcome(out: dict[str, Any]) -> dict[str, Any]:
    """What a run answered, without its timings, costs and identity."""
    return {k: v for k, v in out.items() if k not in ("execution_report", "ledger", "request_id")}


@pytest.mark.parametrize("first", ["analysis", "document"])
async def test_a_node_two_graphs_share_never_replays_the_other_graphs_edges(first: str, cached: Settings) -> None:
    # analysis and document share their branch nodes (same function, same name: the same cache
    # namespace in LangGraph). A replayed update carries the edges of the graph that stored it:
    # the second graph's join never fired and its run ended with no synthesis and no report.
    builders = {"analysis": build_analysis, "document": build_document}
    second = "document" if first == "analysis" else "analysis"
    payload = {"document": BUSINESS_DOCUMENT}
    uncached = Settings(provider="offline", offline_latency=0, cache=False)
    expected = _outcome(await builders[second]().compile().ainvoke(payload, context=uncached))
    await builders[first]().compile().ainvoke(payload, context=cached)
    out = await builders[second]().compile().ainvoke(payload, context=cached)
    assert out["synthesis"] and out["execution_report"]
    assert _outcome(out) == expected


async def test_an_identical_message_from_another_request_gets_its_own_case_and_rma(
    cached: Settings, tmp_path: Path
) -> None:
    # The decomposition of an identical message may be reused, but its Send packets carry the
    # request's identity: replayed, the second customer got the first one's case and RMA.
    graph = build_orchestrator().compile()
    runs = [await graph.ainvoke({"query": CUSTOMER_QUERY}, context=cached) for _ in range(2)]
    made = ("case_id", "rma_number")
    ids = [{k: v for r in out["results"] for k, v in r["facts"].items() if k in made} for out in runs]
    assert ids[0].keys() == ids[1].keys() == {"case_id", "rma_number"}
    assert ids[0]["case_id"] != ids[1]["case_id"] and ids[0]["rma_number"] != ids[1]["rma_number"]
    with sqlite3.connect(tmp_path / "support.sqlite") as db:
        assert db.execute("SELECT count(*) FROM cases").fetchone() == (2,)


async def test_a_repeated_faq_makes_no_call_and_its_workers_serve_the_new_request(cached: Settings) -> None:
    # The fan-out's Send packets carry the request's identity, so they come from an uncached node:
    # the questions are served from the cache, the packets are always the current request's.
    graph = build_faq().compile()
    payload = {"sources": ENERGY_SOURCES, "num_questions": 3}

    async def run() -> tuple[dict[str, Any], set[str]]:
        packets, out = set(), {}
        async for mode, chunk in graph.astream(payload, context=cached, stream_mode=["debug", "values"]):
            if mode == "debug" and chunk["type"] == "task" and chunk["payload"]["name"] == "answer_question":
                packets.add(chunk["payload"]["input"]["request_id"])
            elif mode == "values":
                out = chunk
        return out, packets

    first, first_requests = await run()
    again, again_requests = await run()
    assert set(_caches(first)) == {"miss"} and set(_caches(again)) == {"exact"}
    assert again["faq"] == first["faq"]
    assert len(first_requests) == len(again_requests) == 1 and first_requests != again_requests


async def test_a_fallback_after_unusable_outputs_is_never_served_from_the_cache(script: Script) -> None:
    # The router falls back to the general handler when the classifier's output stays unusable:
    # stored, that fallback answered the same query for every later customer until the TTL.
    graph = build_router().compile()
    context = Settings(provider="scripted")
    script.outputs["classify"] = [{"intent": "Nonsense", "confidence": 2}] * 3
    fallback = await graph.ainvoke({"query": QUERY}, context=context)
    assert fallback["classified_as"] == "invalid" and fallback["intent"] == "General Question"
    healed = await graph.ainvoke({"query": QUERY}, context=context)
    assert healed["intent"] == "Technical Support"
    assert {c["stage"]: c["cache"] for c in healed["ledger"]}["classify"] == "miss"


async def test_a_failed_branch_is_never_served_from_the_cache(script: Script) -> None:
    graph = build_analysis().compile()
    context = Settings(provider="scripted")
    script.fail("entities", times=1)
    failed = await graph.ainvoke({"document": BUSINESS_DOCUMENT}, context=context)
    assert [e["stage"] for e in failed["errors"]] == ["entities"]
    healed = await graph.ainvoke({"document": BUSINESS_DOCUMENT}, context=context)
    assert healed["errors"] == [] and healed["entities"]
    assert {c["stage"]: c["cache"] for c in healed["ledger"]}["entities"] == "miss"
    assert {c["stage"]: c["cache"] for c in healed["ledger"]}["sentiment"] == "exact"


@pytest.mark.parametrize("kind", ["pickle-gadget", "garbage", "not-an-answer"])
async def test_a_tampered_or_corrupt_cache_entry_is_a_miss_and_executes_nothing(
    cached: Settings, tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Refusing it loudly made that one input fail on every run until the entry expired; it is
    # read as a miss instead (never executed), and the fresh output replaces it.
    graph = build_router().compile()
    await graph.ainvoke({"query": QUERY}, context=cached)
    marker = tmp_path / "pwned"
    planted = ormsgpack.Ext(1, ormsgpack.packb(("os", "system", [f"touch {marker}"])))
    value, encoding = {
        "pickle-gadget": (ormsgpack.packb([["response", planted]]), "msgpack"),
        "garbage": (b"\xc1\xff\x00not msgpack", "msgpack"),
        "not-an-answer": (ormsgpack.packb({"surprise": 1}), "msgpack"),
    }[kind]
    with sqlite3.connect(tmp_path / ".stagecraft" / "cache.sqlite") as conn:
        conn.execute("UPDATE cache SET val = ?, encoding = ?", (value, encoding))
    STAGE_CACHE.forget()  # as a new process would: what this one kept at hand is not read again
    again = await graph.ainvoke({"query": QUERY}, context=cached)
    assert not marker.exists()
    assert again["intent"] == "Technical Support"
    assert "exact" not in {c["cache"] for c in again["ledger"]}
    assert "treated as a miss" in caplog.text
    healed = await graph.ainvoke({"query": QUERY}, context=cached)
    assert "exact" in {c["cache"] for c in healed["ledger"]} and "miss" not in {c["cache"] for c in healed["ledger"]}


# The semantic cache


@pytest.fixture
def semantic_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stage cache off, so that only the semantic cache can answer a repeated call."""
    monkeypatch.setenv("STAGECRAFT_CACHE", "off")


NEAR = ("My internet connection is not working.", "My internet connection isn't working at all!")


def _similarity(a: str, b: str) -> float:
    from offline.text import embed

    vectors = embed.embed([a, b])
    return float(vectors[0] @ vectors[1])


@pytest.mark.parametrize(("offset", "hit"), [(-0.001, True), (0.001, False)])
@pytest.mark.usefixtures("semantic_only")
async def test_semantic_hit_just_above_the_threshold_and_miss_just_below(offset: float, hit: bool) -> None:
    similarity = _similarity(*NEAR)
    context = Settings(provider="offline", offline_latency=0, semantic_threshold=round(similarity + offset, 4))
    graph = build_router().compile()  # no stage-output cache: only the semantic one can answer
    await graph.ainvoke({"query": NEAR[0]}, context=context)
    near = await graph.ainvoke({"query": NEAR[1]}, context=context)
    classify = near["ledger"][0]
    assert (classify["cache"] == "semantic") is hit
    if hit:
        assert classify["similarity"] == pytest.approx(similarity, abs=1e-3)
        assert isinstance(classify["matched_entry"], str) and NEAR[0] not in classify["matched_entry"]
        assert classify["cost_usd"] == 0.0 and near["intent"] == "Technical Support"


@pytest.mark.usefixtures("semantic_only")
async def test_semantic_entries_never_cross_namespaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGECRAFT_ALLOWED_MODELS", "gpt-4.1-mini")
    lenient = Settings(provider="offline", offline_latency=0, semantic_threshold=0.5)
    graph = build_router().compile()
    await graph.ainvoke({"query": NEAR[0]}, context=lenient)
    other_model = await graph.ainvoke(
        {"query": NEAR[1]}, context=lenient.model_copy(update={"model_fast": "gpt-4.1-mini"})
    )
    assert other_model["ledger"][0]["cache"] == "miss"
    # FAQ answers: the same question over other sources is another namespace.
    faq = build_faq().compile()
    first = await faq.ainvoke({"sources": ENERGY_SOURCES, "num_questions": 2}, context=lenient)
    fewer = await faq.ainvoke({"sources": ENERGY_SOURCES[:2], "num_questions": 2}, context=lenient)
    assert all(c["cache"] != "semantic" for c in fewer["ledger"] if c["stage"] == "answer")
    again = await faq.ainvoke({"sources": ENERGY_SOURCES, "num_questions": 2}, context=lenient)
    assert [c["cache"] for c in again["ledger"] if c["stage"] == "answer"] == ["semantic", "semantic"]
    assert [e["answer"] for e in again["faq"]] == [e["answer"] for e in first["faq"]]


@pytest.mark.usefixtures("semantic_only")
async def test_a_near_duplicate_from_another_request_never_gets_a_reply_quoting_the_first() -> None:
    lenient = Settings(provider="offline", offline_latency=0, semantic_threshold=0.8)
    graph = build_router().compile()
    first = await graph.ainvoke({"query": "My wifi keeps dropping since Tuesday evening."}, context=lenient)
    second = await graph.ainvoke({"query": "My wifi keeps dropping since Wednesday evening."}, context=lenient)
    assert second["ledger"][0]["cache"] == "semantic"  # the label came from the cache...
    assert second["ledger"][1]["cache"] != "semantic"  # ...the reply never is
    assert "Tuesday" in first["response"] and "Tuesday" not in second["response"]
    assert "Wednesday" in second["response"]


async def test_a_request_continued_with_other_settings_stores_only_the_models_answer() -> None:
    # Continued with a stricter threshold, the request routes to the general handler; what is
    # stored is the classifier's answer alone, which a fresh request with the defaults routes right.
    graph = build_router().compile(checkpointer=InMemorySaver(), interrupt_before=["classify"])
    base = Settings(provider="offline", offline_latency=0)
    await graph.ainvoke({"query": QUERY}, config=_thread("t"), context=base)
    strict = base.model_copy(update={"confidence_threshold": 0.99})
    continued = await graph.ainvoke(None, config=_thread("t"), context=strict)
    assert continued["intent"] == "General Question" and "low confidence" in continued["route_reason"]
    fresh = await build_router().compile().ainvoke({"query": QUERY}, context=base)
    assert fresh["intent"] == "Technical Support", fresh["route_reason"]
    assert _caches(fresh)[0] == "exact"


PERSONAL = (
    "My internet keeps dropping, call me back on 0171 555 0192, date of birth 12/03/1987.",
    "My internet keeps dropping, call me back on 0161 555 0834, date of birth 04/11/1990.",
)


@pytest.mark.usefixtures("semantic_only")
async def test_a_semantic_hit_carries_nothing_of_the_other_requests_words(tmp_path: Path) -> None:
    # The ledger said which input a hit matched, word for word: the second customer's --json,
    # `stagecraft show` and served run then held the first customer's phone number and birth date.
    context = Settings(provider="offline", offline_latency=0, semantic_threshold=0.85)
    graph = build_router().compile()
    await graph.ainvoke({"query": PERSONAL[0]}, context=context)
    second = await graph.ainvoke({"query": PERSONAL[1]}, context=context)
    classify = second["ledger"][0]
    assert classify["cache"] == "semantic" and classify["matched_entry"]
    shown = json.dumps(second)
    assert "0171 555 0192" not in shown and "12/03/1987" not in shown
    # Nor does the store keep the customers' words: what matching needs, and no more.
    caches.flush()
    stored = b"".join(p.read_bytes() for p in (tmp_path / ".stagecraft").glob("semantic*"))
    for secret in (b"0171 555 0192", b"12/03/1987", b"0161 555 0834", b"internet keeps dropping"):
        assert secret not in stored


def _semantic_rows(tmp_path: Path) -> sqlite3.Connection:
    caches.flush()  # the entries remembered so far are written
    return sqlite3.connect(tmp_path / ".stagecraft" / "semantic.sqlite")


@pytest.mark.parametrize("damage", ["output", "vector", "both"])
@pytest.mark.usefixtures("semantic_only")
async def test_a_malformed_semantic_row_is_a_logged_miss(
    damage: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A row without its output made every near-duplicate query fail for good (KeyError: 'output').
    context = Settings(provider="offline", offline_latency=0, semantic_threshold=0.8)
    graph = build_router().compile()
    await graph.ainvoke({"query": NEAR[0]}, context=context)
    with _semantic_rows(tmp_path) as db:
        if damage in ("output", "both"):
            db.execute("UPDATE semantic_entries SET output = ?", ('{"surprise": 1}',))
        if damage in ("vector", "both"):
            db.execute("UPDATE semantic_entries SET vector = ?", (b"\x00\x01",))
    # A new process (no index in memory yet) reads the damaged row.
    caches._caches.clear()
    near = await graph.ainvoke({"query": NEAR[1]}, context=context)
    assert near["intent"] == "Technical Support" and near["ledger"][0]["cache"] == "miss"
    assert "treated as a miss" in caplog.text


@pytest.mark.usefixtures("semantic_only")
async def test_the_semantic_store_is_bounded_and_expires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGECRAFT_SEMANTIC_MAX_ENTRIES", "3")
    context = Settings(provider="offline", offline_latency=0, semantic_threshold=0.999)
    graph = build_router().compile()
    queries = [f"My {thing} stopped working this morning." for thing in ("router", "printer", "laptop", "phone", "tv")]
    for query in queries:
        await graph.ainvoke({"query": query}, context=context)
    with _semantic_rows(tmp_path) as db:
        assert db.execute("SELECT count(*) FROM semantic_entries").fetchone() == (3,)
    # The newest are kept: the last query is served again; the first is not.
    assert (await graph.ainvoke({"query": queries[-1]}, context=context))["ledger"][0]["cache"] == "semantic"
    assert (await graph.ainvoke({"query": queries[0]}, context=context))["ledger"][0]["cache"] == "miss"
    # Entries older than the TTL are neither served nor kept.
    monkeypatch.setenv("STAGECRAFT_SEMANTIC_TTL", "60")
    caches._caches.clear()
    with _semantic_rows(tmp_path) as db:
        db.execute("UPDATE semantic_entries SET created = created - 120")
    assert (await graph.ainvoke({"query": queries[-1]}, context=context))["ledger"][0]["cache"] == "miss"
    with _semantic_rows(tmp_path) as db:
        assert db.execute("SELECT count(*) FROM semantic_entries").fetchone() == (1,)
