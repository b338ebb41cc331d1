"""The manager's page: every region and the team at a glance, one self-contained HTML file.

One file, French, no script and no network: styles inline, charts as inline SVG
(:mod:`generators.charts`). Each number links to where it can be seen: on Google, the tab and
the cell (``#gid=…&range=…``); on an ``.xlsx``, the workbook file.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Sequence

import jinja2

from rules.dashboard import SECTIONS, DayStaffing, Figure, RegionFigures
from rules.titles import title
from sheets_sync.a1 import split_a1

from . import charts


@dataclass
class RegionPage:
    """One region's figures and how to reach its sheet: a Google spreadsheet id (with the
    sheet id of each tab title) or the path of its ``.xlsx``."""

    figures: RegionFigures
    spreadsheet: str = ""
    sheet_ids: dict[str, int | None] = field(default_factory=dict)
    workbook_uri: str = ""
    error: str = ""  # the region could not be read: shown instead of its figures

    def href(self, cell: str) -> str:
        """Where the figure whose first row is ``cell`` (``Missions!P12``) can be seen."""
        if self.spreadsheet:
            url = f"https://docs.google.com/spreadsheets/d/{self.spreadsheet}/edit"
            if not cell:
                return url
            tab, row, col = split_a1(cell)
            gid = self.sheet_ids.get(tab)
            return url + (f"#gid={gid}&range={cell.split('!', 1)[1]}" if gid is not None else "")
        return self.workbook_uri


def team_days(regions: Sequence[RegionFigures]) -> list[DayStaffing]:
    """The regions' staffing days added up, day by day."""
    by_day: dict[dt.date, list[int]] = {}
    for r in regions:
        for d in r.days:
            total = by_day.setdefault(d.day, [0, 0, 0, 0])
            for i, n in enumerate((d.missions, d.staffed, d.with_candidate, d.without_candidate)):
                total[i] += n
    return [DayStaffing(day, *values) for day, values in sorted(by_day.items())]


def team_value(regions: Sequence[RegionFigures], section: str, label: str) -> int:
    """A figure added up over the regions."""
    return sum(r.value(section, label) for r in regions)


_TEMPLATE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Back-office — tableau de bord du {{ at }}</title>
<style>
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1.5rem; color: #212121; max-width: 72rem; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 2px solid #1565c0; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
p.meta { color: #616161; margin-top: 0; }
table { border-collapse: collapse; margin: .3rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #e0e0e0; padding: .25rem .6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f5f5f5; }
tr.section th { background: #e3f2fd; }
td.alert a { color: #c62828; font-weight: bold; }
a { color: #1565c0; text-decoration: none; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts svg { max-width: 100%; height: auto; }
.error { color: #c62828; }
</style>
</head>
<body>
<h1>Back-office — tableau de bord</h1>
<p class="meta">Calculé le {{ at }} · {{ regions|length }} région(s) · missions des {{ days }} prochains jours</p>

<h2 id="equipe">Équipe</h2>
<table>
<tr><th>Indicateur</th>{% for r in regions %}<th><a href="#{{ r.figures.code }}">{{ r.figures.code }}</a></th>{% endfor %}<th>Équipe</th></tr>
{% for section, labels in rows %}
<tr class="section"><th colspan="{{ regions|length + 2 }}">{{ section }}</th></tr>
{% for label in labels %}
<tr><td>{{ label }}</td>
{% for r in regions %}{% set f = figure(r, section, label) %}<td class="n{% if f.value and section != 'Aujourd\\'hui' and label in alerts %} alert{% endif %}">{% if r.error %}—{% else %}<a href="{{ r.href(f.cell) }}">{{ f.value }}</a>{% endif %}</td>{% endfor %}
<td class="n"><strong>{{ total(section, label) }}</strong></td></tr>
{% endfor %}
{% endfor %}
</table>
<div class="charts">
{{ presence_svg|safe }}
{{ team_staffing_svg|safe }}
{{ trend_svg|safe }}
</div>

{% for r in regions %}
<h2 id="{{ r.figures.code }}">Région {{ r.figures.code }}{% if r.figures.name and r.figures.name != r.figures.code %} — {{ r.figures.name }}{% endif %}</h2>
{% if r.error %}<p class="error">Région non lue : {{ r.error }}</p>{% else %}
<p class="meta">{% if r.figures.last_call %}Dernier appel SVI confirmé à {{ r.figures.last_call }} · {% endif %}<a href="{{ r.href('') }}">ouvrir le classeur</a></p>
<table>
{% for section, labels in rows %}
<tr class="section"><th colspan="2">{{ section }}</th></tr>
{% for label in labels %}{% set f = figure(r, section, label) %}
<tr><td>{{ label }}</td><td class="n"><a href="{{ r.href(f.cell) }}">{{ f.value }}</a></td></tr>
{% endfor %}
{% endfor %}
</table>
<div class="charts">{{ staffing_svg[r.figures.code]|safe }}</div>
{% if r.figures.anomalies %}
<h3>Anomalies par règle</h3>
<table>
<tr><th>Règle</th><th>Gravité</th><th>Nombre</th></tr>
{% for rule, severity, count in r.figures.anomalies %}<tr><td title="{{ rule }}">{{ rule_title(rule) }}</td><td>{{ severity }}</td><td class="n">{{ count }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% endif %}
{% endfor %}
</body>
</html>
"""

# figures that need someone when they are not zero (shown in red)
ALERTS = ("Manquantes, à appeler", "Sans nouvelles", "À pourvoir sans candidat", "Envoyés non accusés, échéance proche",
          "Refusés", "Non livrés pour demain", "Non retournés", "Contrats non signés", "Erreurs")


def render_page(pages: Sequence[RegionPage], at: dt.datetime, days: int) -> str:
    """The page's HTML: the team table and charts, then one section per region."""
    readable = [p.figures for p in pages if not p.error]
    labels: dict[str, list[str]] = {s: [] for s in SECTIONS}
    for fig in readable[0].figures if readable else ():
        labels[fig.section].append(fig.label)

    def figure(page: RegionPage, section: str, label: str) -> Figure:
        if page.error:
            return Figure(section, label, 0)
        for f in page.figures.figures:
            if f.section == section and f.label == label:
                return f
        return Figure(section, label, 0)

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(_TEMPLATE)
    return template.render(
        at=at.strftime("%d/%m/%Y à %H:%M"), days=days, regions=list(pages),
        rows=[(s, ls) for s, ls in labels.items() if ls], figure=figure, alerts=ALERTS, rule_title=title,
        total=lambda section, label: team_value(readable, section, label),
        presence_svg=charts.presence_chart(readable) if readable else "",
        team_staffing_svg=charts.staffing_chart(team_days(readable), "Équipe : missions des prochains jours"),
        trend_svg=charts.trend_chart(readable),
        staffing_svg={p.figures.code: charts.staffing_chart(p.figures.days, f"{p.figures.code} : missions des prochains jours")
                      for p in pages if not p.error},
    )
