"""The public surface of ``connector.scoring`` is what ``__all__`` says, and nothing is missing."""

from __future__ import annotations

import inspect

import connector.scoring as scoring


def test_every_exported_name_exists() -> None:
    missing = [name for name in scoring.__all__ if not hasattr(scoring, name)]
    assert missing == []
    assert sorted(scoring.__all__) == sorted(set(scoring.__all__))


def test_score_portfolio_signature_is_the_one_the_lead_wires() -> None:
    params = inspect.signature(scoring.score_portfolio).parameters
    assert list(params)[:5] == ["bind", "workspace", "config", "as_of", "previous"]
    assert params["trend_base"].kind is inspect.Parameter.KEYWORD_ONLY
