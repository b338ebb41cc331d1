"""The manager's page charts, drawn by matplotlib as inline SVG (no script, no network).

matplotlib rather than a JavaScript library (Vega-Lite, plotly): the page must open offline,
weigh little and run nothing; an SVG of a few kilobytes per chart is all three. Texts stay
texts in the SVG (``svg.fonttype = none``): the browser draws them in the page's font.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # no screen: draw to files only

import matplotlib.pyplot as plt  # noqa: E402

from rules.dashboard import DayStaffing, RegionFigures  # noqa: E402

STAFFED, WITH, WITHOUT = "#2e7d32", "#f9a825", "#c62828"
PRESENCE_COLOURS = ("#2e7d32", "#f9a825", "#c62828", "#9e9e9e")
DAYS = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
_STYLE = {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
          "svg.hashsalt": "backoffice"}  # a fixed salt: the same figures give the same SVG


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)  # the RDF block says nothing here
    return text[text.index("<svg"):]  # inline: no XML prolog or doctype inside the page


def staffing_chart(days: Sequence[DayStaffing], title: str) -> str:
    """Stacked bars per day: staffed, to staff with a candidate, to staff without one."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 2.4))
        labels = [f"{DAYS[d.day.weekday()]} {d.day.strftime('%d/%m')}" for d in days]
        staffed = [d.staffed for d in days]
        with_c = [d.with_candidate for d in days]
        without = [d.without_candidate for d in days]
        ax.bar(labels, staffed, color=STAFFED, label="Pourvues")
        ax.bar(labels, with_c, bottom=staffed, color=WITH, label="À pourvoir, avec candidat")
        ax.bar(labels, without, bottom=[a + b for a, b in zip(staffed, with_c)], color=WITHOUT,
               label="À pourvoir, sans candidat")
        ax.set_title(title, loc="left", fontsize=10)
        ax.set_ylabel("missions")
        ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
        return _svg(fig)


def presence_chart(regions: Sequence[RegionFigures]) -> str:
    """One horizontal stacked bar per region: today's started missions by presence."""
    from rules.dashboard import TODAY

    parts = ("Présence confirmée", "En retard", "Manquantes, à appeler", "Sans nouvelles")
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 0.5 + 0.45 * len(regions)))
        names = [r.code for r in regions][::-1]
        left = [0] * len(regions)
        for label, colour in zip(parts, PRESENCE_COLOURS):
            values = [r.value(TODAY, label) for r in regions][::-1]
            ax.barh(names, values, left=left, color=colour, label=label)
            left = [a + b for a, b in zip(left, values)]
        ax.set_title("Présence des missions commencées", loc="left", fontsize=10)
        ax.set_xlabel("missions")
        ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
        return _svg(fig)


def trend_chart(regions: Sequence[RegionFigures]) -> str:
    """Rows of Anomalies at the end of each week, one line per region."""
    weeks = sorted({w for r in regions for w, _n in r.trend})
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 2.4))
        for r in regions:
            if r.trend:
                ax.plot([weeks.index(w) for w, _n in r.trend], [n for _w, n in r.trend], marker="o", label=r.code)
        ax.set_xticks(range(len(weeks)), [_week(w) for w in weeks])
        ax.set_title("Anomalies en fin de semaine", loc="left", fontsize=10)
        ax.set_ylabel("anomalies")
        ax.set_ylim(bottom=0)
        if weeks:
            ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
        return _svg(fig)


def _week(monday: dt.date) -> str:
    return f"S{monday.isocalendar().week:02d}"
