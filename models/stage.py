"""The seam between nodes and models: `stage_model(STAGE, runtime, state)` and its calls.

A node asks for the model of one declared stage; the seam picks the tier's model of the run's
provider, enforces the request's budget before every call, serves near-duplicate inputs from the
semantic cache where the stage allows it, validates structured output (re-asking with the error),
and writes one ledger entry per call. Nodes never see which provider answered.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.runtime import Runtime
from pydantic import BaseModel, ValidationError

from models.budget import spending_of
from models.cache import digest, stage_scope
from models.faults import (
    TRANSIENT_ATTEMPTS,
    BadReply,
    ProviderRefused,
    ProviderUnavailable,
    StageTimeout,
    check_text_reply,
    describe,
    kind_of,
    pause_before,
)
from models.prices import cost_usd
from models.progress import emit
from models.providers import ModelSpec, build_model, check_provider
from models.semantic import lookup as semantic_lookup
from models.semantic import remember as semantic_remember
from models.stages import STAGES, Stage, check_stage_tiers
from models.steps import Blocking, Invoke, Pause, Steps
from models.tiers import model_name, tier_for
from state.inputs import InputError
from state.ledger import ModelCall
from state.settings import Settings, settings_of

T = TypeVar("T", bound=BaseModel)


class StageOutputError(RuntimeError):
    """A stage's model kept returning output that fails validation."""

    def __init__(self, stage: str, attempts: int, error: str) -> None:
        super().__init__(f"stage {stage!r}: the model's output was still invalid after {attempts} attempt(s): {error}")
        self.stage = stage
        self.attempts = attempts


class StageModel:
    """The model of one stage for one node run, recording every call in a ledger."""

    def __init__(self, stage: Stage, runtime: Runtime[Any] | None, state: Mapping[str, Any] | None = None) -> None:
        self.stage = stage
        self.settings = settings_of(runtime)
        self.provider = self.settings.resolved_provider()
        self.tier = tier_for(stage, self.settings)
        self.model_name = model_name(self.tier, self.settings)
        self.ledger: list[ModelCall] = []
        state = state or {}
        scope = (state.get("cache_scope") or {}).get(stage.name, "off")
        declared = STAGES.get(stage.name, stage)
        if scope != "off" and (not self.settings.cache or scope != stage_scope(declared, self.settings)):
            # Caching is off now, or the request began with other settings (a thread continued with a
            # new context): the node's cache key holds the scope the request began with, so what this
            # call answers must not be stored under it.
            scope = "off"
        self.scope: str = scope
        self.spending = spending_of(state.get("request_id"), state.get("ledger"))
        self._model: BaseChatModel | None = None
        # What a trace (LangSmith) shows of each call: the declared stage, its prompt and tier.
        self._trace: RunnableConfig = {
            "run_name": stage.name,
            "tags": [f"stage:{stage.name}", f"tier:{self.tier.value}"],
            "metadata": {"stage": stage.name, "prompt": stage.prompt.key, "tier": self.tier.value},
        }

    @property
    def model(self) -> BaseChatModel:
        """Return the chat model, built on first use."""
        if self._model is None:
            spec = ModelSpec(self.stage, self.tier, self.model_name, self.settings)
            self._model = build_model(spec, self.provider)
        return self._model

    def text(self, messages: Sequence[BaseMessage]) -> Steps[str]:
        """Ask for free text and return it."""
        reply, started, attempt = yield from self._call(self.model, list(messages), check=check_text_reply)
        self._record(reply, started, attempt=attempt, outcome="ok")
        content = reply.text if isinstance(reply, AIMessage) else str(reply.content)
        return content.strip()

    def _call(
        self, runnable: Runnable[Any, Any], messages: list[BaseMessage], check: Callable[[Any], None] | None = None
    ) -> Steps[tuple[Any, float, int]]:
        """Make one call, retrying transient faults with backoff; return (output, start time, attempt).

        Permanent faults raise ProviderRefused at once; a call over the stage's deadline raises
        StageTimeout; transient faults that outlast every attempt raise ProviderUnavailable.
        Errors the caller handles itself (invalid structured output) pass through unchanged.
        """
        self._check_prompt(messages)
        for attempt in range(1, TRANSIENT_ATTEMPTS + 1):
            self._may_start()
            started = time.time()
            emit("stage_started", stage=self.stage.name, attempt=attempt)
            try:
                out = yield Invoke(runnable, messages, self._trace, self.settings.stage_timeout_s)
                if check is not None:
                    check(out)
                return out, started, attempt
            except Exception as exc:
                kind = kind_of(exc)
                if kind == "other":
                    raise
                if isinstance(exc, BadReply) and exc.reply is not None:
                    self._record(exc.reply, started, attempt=attempt, outcome="invalid")  # it was billed
                emit("stage_failed", stage=self.stage.name, error=describe(exc), kind=kind)
                if kind == "deadline":
                    raise StageTimeout(self.stage.name, str(exc)) from exc
                if kind == "permanent":
                    raise ProviderRefused(
                        self.stage.name, f"the provider refused the request: {describe(exc)}"
                    ) from exc
                if attempt == TRANSIENT_ATTEMPTS:
                    raise ProviderUnavailable(
                        self.stage.name, f"{attempt} attempts failed; the last: {describe(exc)}"
                    ) from exc
                emit("stage_retried", stage=self.stage.name, attempt=attempt + 1, problem=describe(exc))
                yield Pause(pause_before(attempt, exc))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def structured(
        self,
        schema: type[T],
        messages: Sequence[BaseMessage],
        check: Callable[[T], None] | None = None,
    ) -> Steps[T]:
        """Ask for an instance of `schema`, re-asking with the error while the output is invalid.

        `check` adds rules the schema cannot express; it raises ValueError to reject an output.
        A stage that declares `Semantic` is first looked up in the semantic cache.
        """
        semantic = self._semantic(messages)
        if semantic is not None:
            namespace, text = semantic
            hit = yield Blocking.call(semantic_lookup, self.settings, namespace, text)
            if hit is not None:
                try:
                    value = schema.model_validate(hit.output["value"])
                    if check is not None:
                        check(value)
                except (ValidationError, ValueError):
                    pass  # a stored output that no longer passes is simply not reused
                else:
                    self._record_semantic(hit.similarity, hit.matched, float(hit.output.get("cost_usd", 0.0)))
                    emit("stage_cached", stage=self.stage.name, cache="semantic", similarity=round(hit.similarity, 4))
                    return value
        runnable, read = structured_runnable(self.model, schema)
        history = list(messages)
        attempts = self.settings.structured_retries + 1
        problem = ""
        for attempt in range(1, attempts + 1):
            started = time.time()
            raw, started, _tries = yield from self._call(runnable, history)
            try:
                value = schema.model_validate(read(raw))
                if check is not None:
                    check(value)
            except (ValidationError, ValueError) as exc:
                self._record(raw, started, attempt=attempt, outcome="invalid")
                problem = _describe(exc)
                if (getattr(raw, "response_metadata", None) or {}).get("finish_reason") == "length":
                    problem += " (the reply was cut off at the token limit)"
                emit("stage_retried", stage=self.stage.name, attempt=attempt + 1, problem=problem[:200])
                history += [
                    *([AIMessage(content=_raw_text(raw))] if raw is not None else []),
                    HumanMessage(
                        content=f"Your previous output was invalid: {problem}\n"
                        "Reply again with output that matches the required schema exactly."
                    ),
                ]
                continue
            call = self._record(raw, started, attempt=attempt, outcome="ok")
            if semantic is not None:
                namespace, text = semantic
                stored = {"value": value.model_dump(mode="json"), "cost_usd": call["cost_usd"] or 0.0}
                yield Blocking.call(semantic_remember, self.settings, namespace, digest(text), text, stored)
            return value
        raise StageOutputError(self.stage.name, attempts, problem)

    def _check_prompt(self, messages: Sequence[BaseMessage]) -> None:
        """Refuse a prompt far larger than any input the run may send, before it is paid for.

        Every graph's intake checks the input's size, but a state can also be written around the
        intake (a served thread's state update, `graph.update_state` from Python): this bound
        holds whatever wrote the state. A stage's prompt holds at most about two inputs' worth
        (the input and what earlier stages wrote about it) plus its instructions.
        """
        size = sum(len(m.content) if isinstance(m.content, str) else len(str(m.content)) for m in messages)
        ceiling = prompt_ceiling(self.settings)
        if size > ceiling:
            raise InputError(
                f"stage {self.stage.name!r}: the prompt is {size:,} characters, more than the {ceiling:,} "
                "any input within max_input_chars can make; nothing was sent"
            )

    def _may_start(self) -> None:
        self.spending.check(self.stage.name, self.settings)

    def _semantic(self, messages: Sequence[BaseMessage]) -> tuple[tuple[str, ...], str] | None:
        rule = self.stage.semantic
        if rule is None or self.scope == "off":
            return None
        values = self.stage.prompt.parse(messages)
        # Same stage, prompt version, provider, model (the scope), exactly the same scope values,
        # and (added by the cache) the same embedder.
        namespace = ("semantic", self.stage.name, digest([self.scope, {k: values[k] for k in rule.scope}]))
        return namespace, values[rule.query]

    def _record_semantic(self, similarity: float, matched: str, saved: float) -> None:
        now = time.time()
        self.ledger.append(
            ModelCall(
                stage=self.stage.name,
                tier=self.tier.value,
                model=self.model_name,
                provider=self.provider,
                input_tokens=0,
                output_tokens=0,
                cost_usd=0.0,
                started=now,
                ended=now,
                attempt=1,
                outcome="cached",
                cache="semantic",
                saved_usd=saved,
                similarity=round(similarity, 4),
                matched_input=matched,
            )
        )
        node_calls = _NODE_CALLS.get()
        if node_calls is not None:
            node_calls.append(self.ledger[-1])

    def _record(self, raw: Any, started: float, *, attempt: int, outcome: str) -> ModelCall:
        usage = getattr(raw, "usage_metadata", None) or {}
        input_tokens = int(usage.get("input_tokens", 0))
        output_tokens = int(usage.get("output_tokens", 0))
        reported = (getattr(raw, "response_metadata", None) or {}).get("model_name")
        billed_model = str(reported or self.model_name).removeprefix("offline/")
        call = ModelCall(
            stage=self.stage.name,
            tier=self.tier.value,
            model=str(reported or self.model_name),
            provider=self.provider,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=cost_usd(billed_model, input_tokens, output_tokens),
            started=started,
            ended=time.time(),
            attempt=attempt,
            outcome=outcome,
            cache="miss" if self.scope != "off" else "off",
            saved_usd=0.0,
            similarity=None,
            matched_input=None,
        )
        self._append(call)
        self.spending.add(call)
        emit(
            "stage_finished",
            stage=self.stage.name,
            tokens=input_tokens + output_tokens,
            cost_usd=call["cost_usd"],
            seconds=round(call["ended"] - call["started"], 3),
            cost_so_far=round(self.spending.usd, 8),
            outcome=outcome,
            call=call,
        )
        return call

    def _append(self, call: ModelCall) -> None:
        self.ledger.append(call)
        # Every call of the node run, whichever StageModel made it: if the node stops on the
        # budget, its runner writes them all to the ledger (none billed goes uncounted).
        node_calls = _NODE_CALLS.get()
        if node_calls is not None:
            node_calls.append(call)


_NODE_CALLS: contextvars.ContextVar[list[ModelCall] | None] = contextvars.ContextVar("node_calls", default=None)


@contextlib.contextmanager
def recording_node_calls() -> Iterator[list[ModelCall]]:
    """Collect every ledger entry the stage models of one node run record (see nodes.node)."""
    calls: list[ModelCall] = []
    token = _NODE_CALLS.set(calls)
    try:
        yield calls
    finally:
        _NODE_CALLS.reset(token)


Reader = Callable[[Any], Any]
_structured: dict[tuple[int, type[BaseModel]], tuple[BaseChatModel, Runnable[Any, Any], Reader]] = {}
_structured_lock = threading.Lock()


def structured_runnable(model: BaseChatModel, schema: type[BaseModel]) -> tuple[Runnable[Any, Any], Reader]:
    """Return the model bound to answer in `schema`'s shape, and the reader of its raw reply.

    Built once per model and schema (building converts the schema, which costs more CPU than the
    whole offline call). The model is bound directly - response_format json_schema for an
    OpenAI-compatible model, a forced tool call otherwise - instead of with_structured_output's
    chain of runnables, whose per-call signature inspection cost about 2 ms of CPU a call; the
    reply is read here and validated with pydantic by the caller. Never streamed: nobody reads a
    structured answer token by token, and langchain-openai's streamed structured path drops the
    usage, so the ledger would bill the call as free.
    """
    key = (id(model), schema)
    with _structured_lock:
        entry = _structured.get(key)
        if entry is None or entry[0] is not model:
            quiet = model.model_copy(update={"disable_streaming": True})
            name, json_schema = schema.__name__, schema.model_json_schema()
            if getattr(model, "_llm_type", "") == "openai-chat":
                response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": json_schema}}
                entry = (model, quiet.bind(response_format=response_format), _read_json)
            else:
                function = {"name": name, "description": schema.__doc__ or name, "parameters": json_schema}
                bound = quiet.bind_tools([{"type": "function", "function": function}], tool_choice=name)
                entry = (model, bound, _read_tool_call)
            _structured[key] = entry
            weakref.finalize(model, _structured.pop, key, None)
    return entry[1], entry[2]


def _read_json(raw: Any) -> Any:
    """The JSON content of a reply; a cut-off JSON is refused, never completed by a lenient parser.

    (`{"tasks": [{"invoice_number": "IN` would parse leniently to one task with invoice "IN".)
    """
    text = raw.text if isinstance(raw, AIMessage) else str(raw)
    if not text.strip():
        raise ValueError("no structured output was returned")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the JSON output is not whole: {exc}") from None


def _read_tool_call(raw: Any) -> Any:
    """The arguments of the reply's tool call; broken arguments are an error, never None."""
    if isinstance(raw, AIMessage) and raw.tool_calls:
        return raw.tool_calls[0]["args"]
    if isinstance(raw, AIMessage) and raw.invalid_tool_calls:
        raise ValueError(f"the tool call's arguments are not valid JSON: {raw.invalid_tool_calls[0].get('error')}")
    if isinstance(raw, AIMessage) and raw.text.strip():
        return _read_json(raw)  # some compatible servers answer with the JSON as text
    raise ValueError("no structured output was returned")


def prompt_ceiling(settings: Settings) -> int:
    """The longest prompt (in characters) any stage may send under these settings."""
    return 2 * settings.max_input_chars + _PROMPT_INSTRUCTIONS_CHARS


# Instructions, examples and labels a stage's prompt adds around the input(s).
_PROMPT_INSTRUCTIONS_CHARS = 50_000


def stage_model(stage: Stage, runtime: Runtime[Any] | None, state: Mapping[str, Any] | None = None) -> StageModel:
    """Return the model a stage should use in this run (`state` carries the request's id and cache scope)."""
    return StageModel(stage, runtime, state)


def check_run(settings: Settings) -> None:
    """Refuse, before any model call, settings this run cannot use (provider, stage names)."""
    check_provider(settings)
    check_stage_tiers(settings)


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'output'}: {err['msg']}" for err in exc.errors()[:8]
        )
    return str(exc)


def _raw_text(raw: Any) -> str:
    if isinstance(raw, AIMessage):
        if raw.tool_calls:
            return json.dumps(raw.tool_calls[0]["args"])
        return raw.text
    return str(raw)
