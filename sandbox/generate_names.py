"""Word lists and the names, domains and subjects composed from them.

Names are made up from small lists so that a world of any size reads like a real
CRM (no real company names), and every text a record carries comes from a fixed
pool: a million records then share a few hundred string objects.
"""

from __future__ import annotations

import random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_WORDS = _words(
    "Amber Apex Arbor Aspen Atlas Azure Beacon Birch Blue Bold Bright Broad Cedar Clear "
    "Cobalt Copper Coral Crest Crystal Delta Eagle Echo Elm Ember Falcon Fern Flint Fox "
    "Frost Golden Granite Green Harbor Hazel High Iron Ivy Jade Juniper Keystone Lake Lark "
    "Laurel Linden Lumen Maple Marble Meadow Mesa Mint Nimbus North Oak Onyx Orchid Pacific "
    "Pine Pioneer Polar Prairie Quartz Rapid Raven Red Ridge River Rock Sable Sage Silver "
    "Sky Slate Solar Spruce Starling Sterling Stone Summit Swift Terra Tidal Timber True "
    "Union Vale Vista West Willow Wind Zenith"
)

SECOND_WORDS = _words(
    "Bay Bridge Brook Canyon Cloud Cove Creek Field Forge Gate Grove Hill Hollow Key Lane "
    "Leaf Line Mark Mill Mount Park Path Peak Point Port Range Reach Shore Spring Stack "
    "Stream Trail Tree Valley View Wave Way Wing Wood Works"
)

KINDS = _words(
    "Analytics Advisors Automation Cloud Consulting Data Digital Dynamics Engineering "
    "Group Health Industries Integrations Labs Logistics Media Networks Partners "
    "Security Services Software Solutions Systems Technologies Ventures"
)

LEGAL = ("", "", "", " Inc.", " LLC", " Ltd", " GmbH", " Corp.", " AG", " B.V.", " S.A.")
TLDS = ("com", "com", "com", "com", "io", "net", "co", "de", "co.uk", "fr", "nl", "ai")

FIRST_NAMES = _words(
    "Aisha Alex Amelia Ana Andrea Anton Ben Carla Carlos Chen Chloe Daniel David Diego Elena "
    "Emma Ethan Fatima Felix Gabriel Grace Hana Hannah Ivan Jack James Javier Jin Julia "
    "Kai Karim Laura Leo Lena Liam Lucas Luis Maria Marco Maya Mia Mohammed Nadia Noah "
    "Nora Oliver Olivia Omar Paula Pedro Priya Rafael Ravi Rosa Ruth Sam Sara Sofia Sven "
    "Tariq Tom Valentina Victor Wei Yara Yuki Zoe"
)

LAST_NAMES = _words(
    "Adams Ali Andersen Baker Bauer Becker Brown Campbell Chen Clark Costa Cruz Davis Diaz "
    "Dubois Evans Fischer Garcia Gomez Green Hall Hansen Harris Hoffmann Ito Jensen Johnson "
    "Kaur Kim Klein Kowalski Lee Lopez Martin Meyer Miller Moreau Muller Nakamura Nguyen "
    "Novak Olsen Patel Perez Petrov Rossi Santos Schmidt Silva Singh Smith Suzuki Tanaka "
    "Taylor Thomas Walker Wang Weber Williams Wilson Wright Young Zhang"
)

TITLES = (
    "Partner Manager",
    "Head of Partnerships",
    "Alliance Director",
    "VP Sales",
    "CTO",
    "Account Executive",
    "Solutions Architect",
    "Channel Manager",
    "Operations Lead",
    "CEO",
)

INDUSTRIES = (
    "Technology",
    "Consulting",
    "Manufacturing",
    "Healthcare",
    "Financial Services",
    "Retail",
    "Education",
    "Telecommunications",
    "Media",
    "Logistics",
)
HUBSPOT_INDUSTRIES = (
    "COMPUTER_SOFTWARE",
    "MANAGEMENT_CONSULTING",
    "MECHANICAL_OR_INDUSTRIAL_ENGINEERING",
    "HOSPITAL_HEALTH_CARE",
    "FINANCIAL_SERVICES",
    "RETAIL",
    "EDUCATION_MANAGEMENT",
    "TELECOMMUNICATIONS",
    "MEDIA_PRODUCTION",
    "LOGISTICS_AND_SUPPLY_CHAIN",
)
COUNTRIES = (
    "United States",
    "United States",
    "United States",
    "Germany",
    "United Kingdom",
    "France",
    "Netherlands",
    "Canada",
    "Spain",
    "Sweden",
    "Japan",
    "Brazil",
    "India",
    "Australia",
)

CALL_SUBJECTS = (
    "Call: quarterly check-in",
    "Call: pipeline review",
    "Call: renewal discussion",
    "Call: joint opportunity",
    "Call: escalation follow-up",
    "Call: onboarding progress",
    "Call: pricing questions",
    "Call: co-marketing plan",
    "Call",
    "Intro call",
)
EMAIL_SUBJECTS = (
    "Email: Re: joint proposal",
    "Email: partner program update",
    "Email: Re: deal registration",
    "Email: training invitation",
    "Email: Re: support case",
    "Email: quarterly numbers",
    "Email: Re: contract renewal",
    "Email: new product release",
    "Email: Re: referral",
    "Email: certification reminder",
)
TODO_SUBJECTS = (
    "Send partner agreement",
    "Prepare QBR deck",
    "Update partner plan",
    "Follow up on deal registration",
    "Share enablement materials",
    "Review MDF request",
    "Check certification status",
    "Collect case study",
)
MEETING_SUBJECTS = (
    "Quarterly business review",
    "Partner planning session",
    "Joint customer workshop",
    "Executive sponsor meeting",
    "Technical enablement",
    "Pipeline sync",
    "Onboarding kickoff",
    "Partner summit follow-up",
)
NOTE_BODIES = (
    "Partner asked about the new tier benefits.",
    "Discussed joint pipeline; two opportunities in progress.",
    "Contact changed roles; new champion to be confirmed.",
    "Concerns raised about response times on support cases.",
    "Very positive feedback on the last enablement session.",
    "Budget freeze on their side until next quarter.",
    "Agreed to co-host a webinar.",
    "Waiting for signed addendum.",
)
CASE_SUBJECTS = (
    "Deal registration not visible",
    "Portal login fails",
    "Commission statement incorrect",
    "Integration sync errors",
    "Lead routing question",
    "Invoice discrepancy",
    "Certification exam access",
    "API rate limits reached",
    "Missing marketing funds",
    "Product defect reported by end customer",
)
PRODUCTS = (
    "Platform licence",
    "Implementation services",
    "Renewal",
    "Expansion",
    "Support plan",
    "Training bundle",
    "Add-on module",
    "Managed services",
)


def person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


class CompanyNamer:
    """Hands out company names and web domains, each domain used once in a world."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._domains: set[str] = set()
        self._names: set[str] = set()

    def next(self) -> tuple[str, str]:
        """A (display name, bare domain) pair, e.g. ("Amber Ridge Analytics", "amberridge.com")."""
        rng = self._rng
        for attempt in range(1000):
            first, second, kind = (
                rng.choice(FIRST_WORDS),
                rng.choice(SECOND_WORDS),
                rng.choice(KINDS),
            )
            base = f"{first} {second}" if rng.random() < 0.5 else f"{first}{second.lower()}"
            name = f"{base} {kind}"
            if attempt > 20:
                name = f"{name} {rng.choice(COUNTRIES).split()[0]}"
            if name in self._names:
                continue
            stem = base.replace(" ", "").lower()
            tld = rng.choice(TLDS)
            for candidate in (
                f"{stem}.{tld}",
                f"{stem}-{kind.lower()}.{tld}",
                f"{stem}{kind.lower()}.{tld}",
                f"{stem}{attempt}.{tld}",
            ):
                if candidate not in self._domains:
                    self._domains.add(candidate)
                    self._names.add(name)
                    return name + rng.choice(LEGAL), candidate
        raise RuntimeError("ran out of company names")  # pragma: no cover - 10^6 combinations


def website(domain: str, rng: random.Random) -> str:
    """How people type a web address into Salesforce's Website field."""
    return rng.choice(
        (f"https://www.{domain}/", f"http://{domain}", f"www.{domain}", domain, f"https://{domain}")
    )


def hubspot_domain(domain: str, rng: random.Random, varied: bool) -> str:
    """HubSpot's domain property: usually bare, sometimes as messy as a pasted URL."""
    if not varied:
        return domain
    return rng.choice((domain, domain.upper(), f"https://www.{domain}/", f"www.{domain}"))
