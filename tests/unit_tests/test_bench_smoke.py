"""The benchmarks' own baselines are right: the stack floor has the shape of the run it stands for.

Timings are `make bench`'s business (ratios measured side by side in one run), never a unit test's:
a loaded 2-core machine must not turn the suite red.
"""

from __future__ import annotations

from bench import measures


async def test_the_stack_floor_has_the_shape_of_the_run_it_stands_for() -> None:
    # The floor the critical path is compared with must make the same calls in the same steps.
    from graphs.registry import GRAPHS

    measures._remote_like()
    context = measures.settings(latency=0.0, provider=measures.REMOTE)
    measures.prepare(measures.settings())
    shapes = {}
    for name in ("router", "faq", "analysis"):
        payload, chain = measures.CASES[name]
        shapes[name] = await measures._calls_per_task(GRAPHS[name].compile(), payload, context)
        # Its longest chain of calls is the ideal's.
        assert sum(max(step) for step in shapes[name]) == chain, shapes[name]
    assert shapes["router"] == [[0], [1], [1], [0]]
    assert [2] * 8 in shapes["faq"]  # eight workers, each answering then attributing
    assert sorted(shapes["analysis"][1]) == [1, 1, 1, 1]
    stack = measures._stack_skeleton(shapes["router"])
    assert len(stack.get_graph().nodes) == 4 + 2  # its tasks, with START and END
