"""The order pages show stage codes in when jamaah are on several pipeline versions."""

from __future__ import annotations

import pytest

from pipeline_core.domain.stage_versions import StageVariant, group_by_code, merged_order


@pytest.mark.parametrize(
    ("head", "older", "expected"),
    [
        (["a", "c"], {1: ["a", "b", "c"]}, ["a", "b", "c"]),
        (["b", "c"], {1: ["a", "b", "c"]}, ["a", "b", "c"]),  # the first stage removed: stays first
        (["a", "d"], {1: ["a", "b", "c", "d"]}, ["a", "b", "c", "d"]),  # two in a row keep their order
        (["c", "a"], {1: ["a", "b", "c"]}, ["c", "a", "b"]),  # after its neighbour, wherever it went
        (["a"], {1: ["a", "x"], 2: ["a", "y"]}, ["a", "x", "y"]),  # both after a, each version in turn
        (["a", "b"], {}, ["a", "b"]),
    ],
)
def test_merged_order(head: list[str], older: dict[int, list[str]], expected: list[str]) -> None:
    assert merged_order(head, older) == expected


def variant(version_no: int, name: str, jamaah: int = 0) -> StageVariant:
    return StageVariant(version_no, name, name, "travel-admin", 24, jamaah)


def test_a_code_is_shown_with_its_newest_words_and_every_version_counted() -> None:
    grouped = group_by_code(
        [("a", variant(2, "A baru", 2)), ("a", variant(1, "A lama", 1)), ("b", variant(1, "B", 4))],
        head_codes=["a"],
        older_orders={1: ["a", "b"]},
    )
    assert [(s.code, s.shown.name_id, s.in_head, s.versions) for s in grouped] == [
        ("a", "A baru", True, (1, 2)),
        ("b", "B", False, (1,)),
    ]


def test_a_code_the_head_runs_is_in_it_even_when_only_old_jamaah_are_counted() -> None:
    (only,) = group_by_code([("a", variant(1, "A lama", 3))], head_codes=["a"], older_orders={1: ["a"]})
    assert (only.in_head, only.shown.name_id) == (True, "A lama")
