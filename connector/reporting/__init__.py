"""Reading the store for people: ``explain`` (why one partner has its score), the
portfolio ``report`` (retention both ways, LTV, NPS, mixes, at-risk partners; in a
terminal, as JSON or as an HTML page with charts), and the back-test of the score
against later churn. Store only: no CRM call.
"""

from connector.reporting.backtest import (
    DEFAULT_DATES,
    DEFAULT_HORIZON_DAYS,
    Backtest,
    Measure,
    churn_auc,
    last_sync,
    replay_dates,
    run_backtest,
)
from connector.reporting.backtest_view import backtest_document, print_backtest
from connector.reporting.directory import Directory, PartnerEntry
from connector.reporting.explain import Explanation, TierState, explain
from connector.reporting.explain_view import explanation_document, print_explanation
from connector.reporting.html import render_html
from connector.reporting.periods import DEFAULT_COUNT, Period, PeriodKind, periods_until
from connector.reporting.portfolio import PortfolioReport, build_report
from connector.reporting.report_view import print_report, report_document
from connector.reporting.resolve import AmbiguousPartner, PartnerNotFound, resolve

__all__ = [
    "DEFAULT_COUNT",
    "DEFAULT_DATES",
    "DEFAULT_HORIZON_DAYS",
    "AmbiguousPartner",
    "Backtest",
    "Directory",
    "Explanation",
    "Measure",
    "PartnerEntry",
    "PartnerNotFound",
    "Period",
    "PeriodKind",
    "PortfolioReport",
    "TierState",
    "backtest_document",
    "build_report",
    "churn_auc",
    "explain",
    "explanation_document",
    "last_sync",
    "periods_until",
    "print_backtest",
    "print_explanation",
    "print_report",
    "render_html",
    "replay_dates",
    "report_document",
    "resolve",
    "run_backtest",
]
