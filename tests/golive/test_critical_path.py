"""The deploy critical path on small hand-made graphs."""

import pytest

from golive.critical_path import CriticalPath, Node, critical_path

TABLE = {
    "t:slow": (100.0, "test"),
    "t:mid": (30.0, "test"),
    "t:fast": (5.0, "test"),
}


def node(urn, type_="t:fast", deps=(), parent="", custom=True):
    return Node(urn, type_, custom, parent, tuple(deps))


def test_independent_resources_run_in_parallel_so_the_path_is_the_slowest_one():
    path = critical_path([node("a", "t:slow"), node("b", "t:mid"), node("c")], TABLE)
    assert path.urns == ("a",)
    assert path.seconds == 100.0
    assert path.ratio == 1.0


def test_a_chain_adds_up_and_the_ratio_shows_the_serialization():
    path = critical_path([node("a", "t:slow"), node("b", "t:mid", deps=["a"]), node("c", deps=["b"])], TABLE)
    assert path.urns == ("a", "b", "c")
    assert path.seconds == 135.0
    assert path.slowest_urn == "a"
    assert path.ratio == pytest.approx(1.35)


def test_the_longest_of_two_branches_wins():
    nodes = [
        node("root"),
        node("short", "t:mid", deps=["root"]),
        node("long", "t:slow", deps=["root"]),
        node("join", deps=["short", "long"]),
    ]
    path = critical_path(nodes, TABLE)
    assert path.urns == ("root", "long", "join")
    assert path.seconds == 110.0


def test_depending_on_a_component_waits_for_everything_inside_it():
    nodes = [
        node("comp", custom=False),
        node("inner-slow", "t:slow", parent="comp"),
        node("inner-fast", parent="comp"),
        node("after", "t:mid", deps=["comp"]),
    ]
    path = critical_path(nodes, TABLE)
    assert path.urns == ("inner-slow", "after")
    assert path.seconds == 130.0


def test_components_themselves_take_no_time():
    path = critical_path([node("comp", custom=False), node("x", "t:mid", parent="comp")], TABLE)
    assert path.seconds == 30.0


def test_a_cycle_is_reported():
    with pytest.raises(ValueError, match="cycle"):
        critical_path([node("a", deps=["b"]), node("b", deps=["a"])], TABLE)


def test_an_empty_graph_has_an_empty_path():
    assert critical_path([], TABLE) == CriticalPath((), 0.0, "", 0.0)
