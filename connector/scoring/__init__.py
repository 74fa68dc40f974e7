"""Health score, segment, tier and playbook conditions, computed as of a date.

The inputs are gathered in SQL over the whole workspace at once (``queries``, ``gather``,
``history``); everything after that is pure functions over :class:`PartnerFacts` and
config, testable as tables: ``components`` (the six components), ``health`` (weights,
score, grade, trend, reasons), ``segments`` (segment and tier), ``playbooks``
(conditions), ``nps`` (NPS classes), ``portfolio`` (who is scored, and the whole run),
``version`` (the config version stamped on snapshots).
"""

from connector.scoring.components import COMPONENTS
from connector.scoring.facts import PartnerFacts, Windows
from connector.scoring.gather import gather_facts
from connector.scoring.health import join_reasons, missing_data, points_lost
from connector.scoring.history import BaseScore, trend_bases
from connector.scoring.nps import NpsClass, net_promoter_score, nps_class
from connector.scoring.playbooks import PlaybookResult
from connector.scoring.portfolio import (
    ScoredPartner,
    Status,
    partner_status,
    score_partner,
    score_portfolio,
)
from connector.scoring.version import config_version

__all__ = [
    "COMPONENTS",
    "BaseScore",
    "NpsClass",
    "PartnerFacts",
    "PlaybookResult",
    "ScoredPartner",
    "Status",
    "Windows",
    "config_version",
    "gather_facts",
    "join_reasons",
    "missing_data",
    "net_promoter_score",
    "nps_class",
    "partner_status",
    "points_lost",
    "score_partner",
    "score_portfolio",
    "trend_bases",
]
