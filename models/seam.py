"""The seam between nodes and models: `stage_model(STAGE, runtime, state)` and its calls.

A node asks for the model of one declared stage; the seam picks the tier's model of the run's
provider, enforces the request's budget before every call, serves near-duplicate inputs from the
semantic cache where the stage allows it, validates structured output (re-asking with the error),
and writes one ledger entry per call. Nodes never see which provider answered.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import math
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda
from langgraph.runtime import Runtime
from pydantic import BaseModel, ValidationError

from models.budget import identity, spending_of
from models.caches import STAGE_CACHE, call_key, digest, semantic_lookup, semantic_remember
from models.deadlines import deadline as current_deadline
from models.deadlines import left
from models.effects import Blocking, DeadlineExceeded, Invoke, Pause, Steps
from models.faults import (
    TRANSIENT_ATTEMPTS,
    BadReply,
    InputRefused,
    ProviderRefused,
    ProviderUnavailable,
    StageTimeout,
    check_text_reply,
    check_turn_reply,
    describe,
    kind_of,
    pause_before,
)
from models.prices import cost_usd
from models.progress import emit, placed
from models.providers import ModelSpec, StructuredMethod, build_model, check_provider, provider, revision_of, tier_model
from models.stage import Stage, check_stage_tiers
from models.tiers import tier_for
from state.inputs import InputError
from state.ledger import ModelCall
from state.settings import Settings, settings_of

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

T = TypeVar("T", bound=BaseModel)

# The most of a stage's time the semantic cache's lookup (an embedding call) may take, in seconds
# and as a share of stage_timeout_s: it is an optimisation, and a slow embedder must leave the
# stage its time for the model.
SEMANTIC_LOOKUP_S = 10.0
SEMANTIC_LOOKUP_SHARE = 0.25


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
        self.tier = tier_for(stage, self.settings)
        self.provider, self.model_name = tier_model(self.tier, self.settings)
        self.ledger: list[ModelCall] = []
        state = state or {}
        self.caching = self.settings.cache and stage.cache
        self.spending = spending_of(state.get("request_id"), state.get("ledger"))
        self._model: BaseChatModel | None = None
        self._started_at: float | None = None
        self._method: StructuredMethod | None = None
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
        """Ask for free text and return it (the same messages again: the stored answer, at $0)."""
        messages = list(messages)
        self._method = None  # a text call has no structured method
        key = self._key(messages, None)
        if key is not None:
            stored = STAGE_CACHE.recent(key) or (yield Blocking.call(STAGE_CACHE.get, key))
            if stored is not None and isinstance(stored["value"], str) and stored["value"].strip():
                self._record_cached("exact", stored)
                return stored["value"]
        reply, started, attempt = yield from self._call(self.model, messages, check=check_text_reply)
        call = self._record(reply, started, attempt=attempt, outcome="ok")
        content = (reply.text if isinstance(reply, AIMessage) else str(reply.content)).strip()
        if key is not None:
            yield Blocking.call(STAGE_CACHE.put, key, _answer(content, call))
        return content

    def turn(
        self, messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]], tool_choice: str | None = None
    ) -> Steps[AIMessage]:
        """One turn of an agent: the model answers with tool calls (of `tools`, OpenAI-shaped) or with text.

        Never cached (an agent acts: its next turn depends on what its tools did). The ledger entry
        names the tools the model called (`tool_calls`), and the reply carries that entry in its
        `response_metadata["stagecraft_call"]`, so the calls of an agent whose run was paused and
        resumed (an approval) can be found in its saved messages.
        """
        messages = list(messages)
        self._method = None
        runnable: Runnable[Any, Any] = self.model
        if tools:
            choice = {} if tool_choice is None else {"tool_choice": tool_choice}
            runnable = self.model.bind_tools(list(tools), **choice)
        reply, started, attempt = yield from self._call(runnable, messages, check=check_turn_reply)
        call = self._record(reply, started, attempt=attempt, outcome="ok", tool_calls=_called(reply))
        if not isinstance(reply, AIMessage):
            reply = AIMessage(content=str(getattr(reply, "content", reply)))
        meta = {**reply.response_metadata, "stagecraft_call": dict(call)}
        return reply.model_copy(update={"response_metadata": meta})

    def _call(
        self, runnable: Runnable[Any, Any], messages: list[BaseMessage], check: Callable[[Any], None] | None = None
    ) -> Steps[tuple[Any, float, int]]:
        """Make one call, retrying transient faults with backoff; return (output, start time, attempt).

        Permanent faults raise ProviderRefused at once; transient faults that outlast every attempt
        raise ProviderUnavailable; once the stage's deadline has passed (its calls, retries and
        pauses together, see `_deadline`), StageTimeout. Errors the caller handles itself (invalid
        structured output) pass through unchanged.
        """
        self._check_prompt(messages)
        deadline = self._deadline()
        attempts = TRANSIENT_ATTEMPTS if self.stage.retries is None else self.stage.retries + 1
        for attempt in range(1, attempts + 1):
            self._may_start()
            started = time.time()
            emit("stage_started", stage=self.stage.name, attempt=attempt)
            try:
                if (left(deadline) or 1.0) <= 0:
                    raise DeadlineExceeded()
                out = yield Invoke(runnable, messages, self._trace, deadline)
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
                if kind == "deadline" or (left(deadline) or 1.0) <= 0:
                    raise StageTimeout(
                        self.stage.name,
                        f"no complete reply within {self._timeout_name} "
                        f"({self.stage.timeout_s or self.settings.stage_timeout_s:g} s, retries included)",
                    ) from exc
                if kind == "permanent" and getattr(exc, "status_code", None) == 422:
                    raise InputRefused(self.stage.name, f"the provider cannot process this input: {exc}") from exc
                if kind == "permanent":
                    raise ProviderRefused(
                        self.stage.name, f"the provider refused the request: {describe(exc)}"
                    ) from exc
                if attempt == attempts:
                    raise ProviderUnavailable(
                        self.stage.name, f"{attempt} attempts failed; the last: {describe(exc)}"
                    ) from exc
                emit("stage_retried", stage=self.stage.name, attempt=attempt + 1, problem=describe(exc))
                pause = pause_before(attempt, exc)
                if deadline is not None:
                    pause = min(pause, max(deadline - time.monotonic(), 0.0))
                yield Pause(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    @property
    def _timeout_name(self) -> str:
        return "the stage's timeout_s" if self.stage.timeout_s else "stage_timeout_s"

    def _deadline(self) -> float | None:
        """The monotonic time by which this stage must be done: stage_timeout_s after its first call.

        One bound for the stage's calls in all (retries, backoff pauses and re-asks included), never
        later than the run's own deadline (a CLI or batch run's run_timeout_s) when one is set.
        """
        if self._started_at is None:
            self._started_at = time.monotonic()
        own = self._started_at + (self.stage.timeout_s or self.settings.stage_timeout_s)
        run = current_deadline()
        return own if run is None else min(own, run)

    def structured(
        self,
        schema: type[T],
        messages: Sequence[BaseMessage],
        check: Callable[[T], None] | None = None,
    ) -> Steps[T]:
        """Ask for an instance of `schema`, re-asking with the error while the output is invalid.

        `check` adds rules the schema cannot express; it raises ValueError to reject an output.
        The stage cache answers the same messages again; a stage that declares `Semantic` is then
        looked up in the semantic cache.
        """
        messages = list(messages)
        key = self._key(messages, schema)
        if key is not None:
            stored = STAGE_CACHE.recent(key) or (yield Blocking.call(STAGE_CACHE.get, key))
            if stored is not None:
                try:
                    value = schema.model_validate(stored["value"])
                except ValidationError:
                    pass  # stored under another shape of the schema: asked again, and replaced
                else:
                    self._record_cached("exact", stored)
                    return value
        probe = None
        semantic = self._semantic(messages)
        if semantic is not None:
            namespace, text = semantic
            lookup = Blocking.call(semantic_lookup, self.settings, namespace, text)
            budget = min(SEMANTIC_LOOKUP_S, SEMANTIC_LOOKUP_SHARE * self.settings.stage_timeout_s)
            probe = yield lookup.by(min(time.monotonic() + budget, self._deadline() or math.inf))
            hit = probe.hit if probe is not None else None
            if hit is not None:
                try:
                    value = schema.model_validate(hit.output["value"])
                    if check is not None:
                        check(value)
                except (ValidationError, ValueError, KeyError):
                    pass  # a stored output that no longer passes is simply not reused
                else:
                    self._record_cached("semantic", hit.output, similarity=hit.similarity, entry=hit.entry)
                    return value
        methods = tuple(m for m in structured_methods(self.provider, self.settings) if not self._was_refused(m))
        methods = methods or structured_methods(self.provider, self.settings)[-1:]
        runnable, read = structured_runnable(self.model, schema, methods[0])
        history = list(messages)
        attempts = self.settings.structured_retries + 1
        problem = ""
        for attempt in range(1, attempts + 1):
            try:
                raw, started, _tries = yield from self._call(runnable, history)
            except ProviderRefused as exc:
                # A server that says it does not support this way of asking gets the next, once.
                if len(methods) < 2 or not refuses_method(exc.__cause__):
                    raise
                _remember_refused(self.model, methods[0])
                emit("stage_retried", stage=self.stage.name, attempt=attempt, problem=f"{methods[0]} refused")
                methods = methods[1:2]
                runnable, read = structured_runnable(self.model, schema, methods[0])
                raw, started, _tries = yield from self._call(runnable, history)
            self._method = methods[0]
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
            answer = _answer(value.model_dump(mode="json"), call)
            if key is not None:
                yield Blocking.call(STAGE_CACHE.put, key, answer)
            if probe is not None:
                yield Blocking.call(semantic_remember, self.settings, probe, answer)
            return value
        raise StageOutputError(self.stage.name, attempts, problem)

    def _was_refused(self, method: StructuredMethod) -> bool:
        return method in _refused_methods.get(id(self.model), ())

    def _check_prompt(self, messages: Sequence[BaseMessage]) -> None:
        """Refuse a prompt far larger than any input the run may send, before it is paid for.

        Every graph's intake checks the input's size, but a state can also be written around the
        intake (a served thread's state update, `graph.update_state` from Python): this bound
        holds whatever wrote the state. No input the intake accepts reaches it: a stage's prompt
        holds the input (rendered as JSON at most twice its size, which the intake checks) and what
        earlier stages wrote about it, at most as much again, plus its instructions.
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

    def _key(self, messages: list[BaseMessage], output: type[BaseModel] | None) -> str | None:
        """The stage cache's key of a call with these messages (None: this call is not cached)."""
        if not self.caching:
            return None
        shape = "text" if output is None else _shape(output)
        return call_key(self.stage.prompt.fingerprint, revision_of(self.provider), self.model_name, shape, messages)

    def _semantic(self, messages: Sequence[BaseMessage]) -> tuple[tuple[str, ...], str] | None:
        rule = self.stage.semantic
        if rule is None or not self.caching:
            return None
        values = self.stage.prompt.parse(messages)
        # Same stage, prompt version, provider, model, exactly the same scope values, and (added by
        # the cache) the same embedder.
        scope = [self.stage.prompt.fingerprint, revision_of(self.provider), self.model_name]
        namespace = ("semantic", self.stage.name, digest([scope, {k: values[k] for k in rule.scope}]))
        return namespace, values[rule.query]

    def _record_cached(
        self, kind: str, stored: Mapping[str, Any], *, similarity: float | None = None, entry: str | None = None
    ) -> None:
        """Write the ledger entry of a call a cache answered: $0, no tokens, and what it saved."""
        now = time.time()
        saved = float(stored.get("cost_usd") or 0.0)
        self._append(
            ModelCall(
                stage=self.stage.name,
                tier=self.tier.value,
                model=str(stored.get("model") or self.model_name),  # who answered it originally
                provider=self.provider,
                input_tokens=0,
                output_tokens=0,
                cost_usd=0.0,
                started=now,
                ended=now,
                attempt=1,
                outcome="cached",
                cache=kind,
                saved_usd=saved,
                similarity=None if similarity is None else round(similarity, 4),
                matched_entry=entry,
            )
        )
        emit(
            "stage_cached",
            stage=self.stage.name,
            cache=kind,
            saved_usd=saved,
            call=self.ledger[-1],
            **({"similarity": round(similarity, 4)} if similarity is not None else {}),
        )

    def _record(
        self, raw: Any, started: float, *, attempt: int, outcome: str, tool_calls: list[str] | None = None
    ) -> ModelCall:
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
            cost_usd=cost_usd(
                billed_model,
                input_tokens,
                output_tokens,
                cached_tokens=int((usage.get("input_token_details") or {}).get("cache_read") or 0),
                provider=self.provider,
            ),
            started=started,
            ended=time.time(),
            attempt=attempt,
            outcome=outcome,
            cache="miss" if self.caching else "off",
            saved_usd=0.0,
            similarity=None,
            matched_entry=None,
        )
        if self._method is not None:
            call["structured_method"] = self._method
        if tool_calls is not None:
            call["tool_calls"] = tool_calls
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

    def carry(self, call: ModelCall) -> None:
        """Count a call an earlier run of this node made (an agent's turn before a pause), once.

        The budget counts it if this process has not, and the node writes it to the ledger even
        when the budget stops the node (nodes.node), so the turns before a pause are neither lost
        nor counted twice.
        """
        self.spending.carry(call)
        node_calls = _NODE_CALLS.get()
        if node_calls is not None and all(identity(c) != identity(call) for c in node_calls):
            node_calls.append(call)

    def _append(self, call: ModelCall) -> None:
        where = placed()
        if where is not None:
            call["step"], call["task"] = where
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
_structured: dict[tuple[int, type[BaseModel], str], tuple[BaseChatModel, Runnable[Any, Any], Reader]] = {}
_structured_lock = threading.Lock()
# The methods a model's server refused with a 400, by the model built for it: not asked that way
# again while the model lives (the next method is asked first, saving a refused request a call).
_refused_methods: dict[int, set[str]] = {}


def _remember_refused(model: BaseChatModel, method: str) -> None:
    with _structured_lock:
        if id(model) not in _refused_methods:
            weakref.finalize(model, _refused_methods.pop, id(model), None)
        _refused_methods.setdefault(id(model), set()).add(method)


def structured_methods(provider_name: str, settings: Settings) -> tuple[StructuredMethod, ...]:
    """The ways to ask a provider for structured output: the run's choice (or its best), then one fallback."""
    offered = provider(provider_name).structured_methods
    chosen = settings.structured_method
    if chosen == "auto" or chosen not in offered:
        return offered[:2]
    following = offered[offered.index(chosen) + 1 :]
    return (chosen, *following[:1])


# A 400 that says the request's way of asking for structured output is not supported: the shape of
#   "response_format json_schema is not supported", "'tools' is not supported", "unknown field format"
_REFUSED_METHOD = re.compile(r"response_format|json_schema|json_object|json mode|tool|function|format", re.IGNORECASE)


def refuses_method(exc: BaseException | None) -> bool:
    """Whether a provider error is a 400 refusing the structured-output method (not the input)."""
    return getattr(exc, "status_code", None) == 400 and bool(_REFUSED_METHOD.search(str(exc)))


def structured_runnable(
    model: BaseChatModel, schema: type[BaseModel], method: StructuredMethod = "function_calling"
) -> tuple[Runnable[Any, Any], Reader]:
    """Return the model bound to answer in `schema`'s shape by `method`, and the reader of its raw reply.

    Built once per model, schema and method (building converts the schema, which costs more CPU
    than the whole offline call). The model is bound directly - response_format or format for
    json_schema and json_mode, a forced tool call for function_calling - instead of
    with_structured_output's chain of runnables, whose per-call signature inspection cost about
    2 ms of CPU a call; the reply is read here and validated with pydantic by the caller. Never
    streamed: nobody reads a structured answer token by token, and langchain-openai's streamed
    structured path drops the usage, so the ledger would bill the call as free.
    """
    key = (id(model), schema, method)
    with _structured_lock:
        entry = _structured.get(key)
        if entry is None or entry[0] is not model:
            entry = (model, *_bind(model.model_copy(update={"disable_streaming": True}), schema, method))
            _structured[key] = entry
            weakref.finalize(model, _structured.pop, key, None)
    return entry[1], entry[2]


def _bind(model: BaseChatModel, schema: type[BaseModel], method: StructuredMethod) -> tuple[Runnable[Any, Any], Reader]:
    name, json_schema = schema.__name__, schema.model_json_schema()
    kind = getattr(model, "_llm_type", "")
    if method == "json_schema" and kind == "openai-chat":
        response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": json_schema}}
        return model.bind(response_format=response_format), _read_json
    if method == "json_schema" and kind == "chat-ollama":
        return model.bind(format=json_schema), _read_json
    if method == "json_mode" and kind in ("openai-chat", "chat-ollama"):
        # JSON mode promises JSON, not this schema: the schema goes in an instruction of its own.
        json_mode = {"response_format": {"type": "json_object"}} if kind == "openai-chat" else {"format": "json"}
        instruction = SystemMessage(
            content=f"Reply with one JSON object, and nothing else, that matches this JSON schema:\n"
            f"{json.dumps(json_schema)}"
        )
        return RunnableLambda(lambda messages: [instruction, *messages]) | model.bind(**json_mode), _read_json
    function = {"name": name, "description": schema.__doc__ or name, "parameters": json_schema}
    return model.bind_tools([{"type": "function", "function": function}], tool_choice=name), _read_tool_call


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
    return 4 * settings.max_input_chars + _PROMPT_INSTRUCTIONS_CHARS


# Instructions, examples and labels a stage's prompt adds around the input(s).
_PROMPT_INSTRUCTIONS_CHARS = 50_000


def stage_model(stage: Stage, runtime: Runtime[Any] | None, state: Mapping[str, Any] | None = None) -> StageModel:
    """Return the model a stage should use in this run (`state` carries the request id its budget is kept by)."""
    return StageModel(stage, runtime, state)


def check_run(settings: Settings, stages: Iterable[Stage]) -> None:
    """Refuse, before any model call, settings a run of these stages cannot use (provider, stage names)."""
    check_provider(settings)
    check_stage_tiers(settings, stages)


@functools.cache
def _shape(schema: type[BaseModel]) -> str:
    """The output schema as the stage cache keys it (converting a schema costs more than a call)."""
    return f"{schema.__name__}:{digest(schema.model_json_schema())}"


def _answer(value: Any, call: ModelCall) -> dict[str, Any]:
    """What the caches keep of a validated answer: the value, what it cost and who answered."""
    return {"value": value, "cost_usd": call["cost_usd"] or 0.0, "model": call["model"]}


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'output'}: {err['msg']}" for err in exc.errors()[:8]
        )
    return str(exc)


def _called(reply: Any) -> list[str]:
    """The tool calls of an agent's reply, as the ledger names them: `name(arg=value, ...)`, short."""
    calls = []
    for call in getattr(reply, "tool_calls", None) or []:
        args = ", ".join(f"{k}={_short(v)}" for k, v in (call.get("args") or {}).items())
        calls.append(f"{call.get('name')}({args})")
    return calls


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return json.dumps(text if len(text) <= limit else text[: limit - 3] + "...", ensure_ascii=False)


def _raw_text(raw: Any) -> str:
    if isinstance(raw, AIMessage):
        if raw.tool_calls:
            return json.dumps(raw.tool_calls[0]["args"])
        return raw.text
    return str(raw)
