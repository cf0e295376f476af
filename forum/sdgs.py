"""The 17 UN Sustainable Development Goals (verdensmål) a commitment can serve.

The msgids are the official English names; each comment gives the official Danish name
(from FN's danske verdensmål), which is what the Danish catalogue must say.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

SDGS: dict[int, LazyString] = {
    1: _l("No poverty"),  # da: "Afskaf fattigdom"
    2: _l("Zero hunger"),  # da: "Stop sult"
    3: _l("Good health and well-being"),  # da: "Sundhed og trivsel"
    4: _l("Quality education"),  # da: "Kvalitetsuddannelse"
    5: _l("Gender equality"),  # da: "Ligestilling mellem kønnene"
    6: _l("Clean water and sanitation"),  # da: "Rent vand og sanitet"
    7: _l("Affordable and clean energy"),  # da: "Bæredygtig energi"
    8: _l("Decent work and economic growth"),  # da: "Anstændige jobs og økonomisk vækst"
    9: _l("Industry, innovation and infrastructure"),  # da: "Industri, innovation og infrastruktur"
    10: _l("Reduced inequalities"),  # da: "Mindre ulighed"
    11: _l("Sustainable cities and communities"),  # da: "Bæredygtige byer og lokalsamfund"
    12: _l("Responsible consumption and production"),  # da: "Ansvarligt forbrug og produktion"
    13: _l("Climate action"),  # da: "Klimaindsats"
    14: _l("Life below water"),  # da: "Livet i havet"
    15: _l("Life on land"),  # da: "Livet på land"
    # da: "Fred, retfærdighed og stærke institutioner"
    16: _l("Peace, justice and strong institutions"),
    17: _l("Partnerships for the goals"),  # da: "Partnerskaber for handling"
}

SDG_NUMBERS = tuple(SDGS)


def sdg_label(number: int) -> str:
    """Return "13. Climate action" in the reader's language. Raises KeyError for a non-goal."""
    return f"{number}. {SDGS[number]}"
