"""The seam between nodes and models: `stage_model(stage, runtime)` and its calls."""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import Runnable
from langgraph.runtime import Runtime
from pydantic import BaseModel, ValidationError

from models.prices import cost_usd
from models.providers import ModelSpec, build_model, check_provider
from models.steps import Invoke, Steps
from models.tiers import check_stage_tiers, model_name, tier_for
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
    """The model of one stage for one run, recording every call in a ledger."""

    def __init__(self, stage: str, runtime: Runtime[Any] | None) -> None:
        self.stage = stage
        self.settings = settings_of(runtime)
        self.provider = self.settings.resolved_provider()
        self.tier = tier_for(stage, self.settings)
        self.model_name = model_name(self.tier, self.settings)
        self.ledger: list[ModelCall] = []
        self._model: BaseChatModel | None = None

    @property
    def model(self) -> BaseChatModel:
        """Return the chat model, built on first use."""
        if self._model is None:
            spec = ModelSpec(self.stage, self.tier, self.model_name, self.settings)
            self._model = build_model(spec, self.provider)
        return self._model

    def text(self, messages: Sequence[BaseMessage]) -> Steps[str]:
        """Ask for free text and return it."""
        started = time.time()
        reply = yield Invoke(self.model, list(messages))
        self._record(reply, started, attempt=1, outcome="ok")
        content = reply.text if isinstance(reply, AIMessage) else str(reply.content)
        if not content.strip():
            raise StageOutputError(self.stage, 1, "the model returned an empty reply")
        return content.strip()

    def structured(
        self,
        schema: type[T],
        messages: Sequence[BaseMessage],
        check: Callable[[T], None] | None = None,
    ) -> Steps[T]:
        """Ask for an instance of `schema`, re-asking with the error while the output is invalid.

        `check` adds rules the schema cannot express; it raises ValueError to reject an output.
        """
        runnable = structured_runnable(self.model, schema)
        history = list(messages)
        attempts = self.settings.structured_retries + 1
        problem = ""
        for attempt in range(1, attempts + 1):
            started = time.time()
            try:
                out = cast(dict[str, Any], (yield Invoke(runnable, history)))
            except (ValidationError, OutputParserException) as exc:
                # json_schema clients validate inside the call and raise: the raw reply is lost.
                out = {"raw": None, "parsed": None, "parsing_error": exc}
            raw = out["raw"]
            try:
                value = _validated(schema, out["parsed"], out["parsing_error"])
                if check is not None:
                    check(value)
            except (ValidationError, ValueError, OutputParserException) as exc:
                self._record(raw, started, attempt=attempt, outcome="invalid")
                problem = _describe(exc)
                history += [
                    *([AIMessage(content=_raw_text(raw))] if raw is not None else []),
                    HumanMessage(
                        content=f"Your previous output was invalid: {problem}\n"
                        "Reply again with output that matches the required schema exactly."
                    ),
                ]
                continue
            self._record(raw, started, attempt=attempt, outcome="ok")
            return value
        raise StageOutputError(self.stage, attempts, problem)

    def _record(self, raw: Any, started: float, *, attempt: int, outcome: str) -> None:
        usage = getattr(raw, "usage_metadata", None) or {}
        input_tokens = int(usage.get("input_tokens", 0))
        output_tokens = int(usage.get("output_tokens", 0))
        reported = (getattr(raw, "response_metadata", None) or {}).get("model_name")
        billed_model = str(reported or self.model_name).removeprefix("offline/")
        self.ledger.append(
            ModelCall(
                stage=self.stage,
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
            )
        )


_structured: dict[tuple[int, type[BaseModel]], tuple[BaseChatModel, Runnable[Any, Any]]] = {}
_structured_lock = threading.Lock()


def structured_runnable(model: BaseChatModel, schema: type[BaseModel]) -> Runnable[Any, Any]:
    """Return `model.with_structured_output(schema, include_raw=True)`, built once per model and schema.

    Building it converts the schema to a tool (or JSON schema) each time, which costs more CPU
    than the whole offline call; models are long-lived, so the runnable is kept with them.
    """
    key = (id(model), schema)
    with _structured_lock:
        entry = _structured.get(key)
        if entry is None or entry[0] is not model:
            # The provider gets the JSON schema, not the class: the output is validated here with
            # pydantic anyway, and langchain-openai's own parsing into the class makes pydantic
            # warn about its `parsed` field on every call.
            entry = (model, model.with_structured_output(schema.model_json_schema(), include_raw=True))
            _structured[key] = entry
            weakref.finalize(model, _structured.pop, key, None)
    return entry[1]


def stage_model(stage: str, runtime: Runtime[Any] | None) -> StageModel:
    """Return the model a stage should use in this run."""
    return StageModel(stage, runtime)


def _validated(schema: type[T], parsed: Any, parsing_error: BaseException | None) -> T:
    if parsing_error is not None:
        raise ValueError(f"output could not be parsed: {parsing_error}")
    # Broken tool-call JSON parses to None without an error: treat it as invalid, never as empty.
    if parsed is None:
        raise ValueError("no structured output was returned")
    if isinstance(parsed, schema):
        return schema.model_validate(parsed.model_dump())
    return schema.model_validate(parsed)


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


def check_run(settings: Settings) -> None:
    """Refuse, before any model call, settings this run cannot use (provider, stage names)."""
    check_provider(settings)
    check_stage_tiers(settings)
