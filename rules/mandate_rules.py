"""Follow-up of the mandates (*mandats fournisseur*): sent in time, acknowledged, still right.

A mandate is needed for a mission with a Salarié and Statut ``Proposée`` or ``Confirmée``
that has not started yet. The store wants it ``Délai mandat`` days ahead (its column in
``Magasins``; empty = ``mandates.default_delay_days``, 7).
"""
from __future__ import annotations

import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR
from sheets_sync.parsing import format_date

from .mandates import MissingReference, changed_fields, mandate_data
from .registry import RuleContext, rule
from .rule_support import cached, days_text, in_days

STAFFED = ("Proposée", "Confirmée")
LAST_DAYS = 2  # from this many days before the start, only an acknowledged mandate is enough


def upcoming(ctx: RuleContext) -> pd.DataFrame:
    """Staffed missions from today on, with ``jours`` (days to go) and ``delai`` (the store's);
    computed once per check (several rules ask; none changes it)."""
    return cached(ctx, "upcoming", lambda: _upcoming(ctx))


def _upcoming(ctx: RuleContext) -> pd.DataFrame:
    m = ctx.data["Missions"].df
    m = m[(m["Salarié"] != "") & m["Statut"].isin(STAFFED) & m["Date"].notna() & (m["Date"] >= ctx.today)]
    stores = ctx.data["Magasins"].df["Délai mandat"] if "Magasins" in ctx.data else pd.Series(dtype=float)
    delay = m["Code magasin"].map(stores).astype(float).fillna(ctx.settings.mandates.default_delay_days)
    return m.assign(jours=(m["Date"] - ctx.today).dt.days, delai=delay)


def _status(value) -> str:
    return f"« {value} »" if value else "non préparé"


def _to_do(value) -> str:
    """What to do with a mandate in that state: a generated one is only to be sent."""
    return "envoyez-le" if value == "Généré" else "générez-le et envoyez-le"


@rule("mandat.non_envoye", "Missions", ALERTE)
def not_sent_in_time(ctx: RuleContext):
    """La mission commence dans le délai que le magasin demande pour recevoir le mandat (« Délai
    mandat », 7 jours par défaut) et le mandat n'est ni envoyé ni accusé."""
    m = upcoming(ctx)
    hit = m[(m["jours"] <= m["delai"]) & (m["jours"] > LAST_DAYS)
            & ~m["Mandat"].isin(("Envoyé", "Accusé", "Refusé"))]
    return ctx.findings_on(hit.index, "Mandat", (
        f"mandat {_status(state)} alors que la mission du {format_date(date)} au magasin {store} est "
        f"{in_days(days)} et que le magasin veut le mandat {days_text(delay)} avant ; {_to_do(state)} "
        "(backoffice mandates --send)."
        for state, date, store, days, delay in zip(hit["Mandat"], hit["Date"], hit["Code magasin"], hit["jours"],
                                                   hit["delai"])))


@rule("mandat.non_accuse", "Missions", ERREUR)
def not_acknowledged(ctx: RuleContext):
    """La mission commence dans 2 jours ou moins et le magasin n'a pas accusé réception du mandat :
    le salarié risque de se voir refuser l'entrée."""
    m = upcoming(ctx)
    hit = m[(m["jours"] <= LAST_DAYS) & ~m["Mandat"].isin(("Accusé", "Refusé"))]
    return ctx.findings_on(hit.index, "Mandat", (
        f"mandat « Envoyé », non accusé par le magasin {store}, pour une mission {in_days(days)} "
        f"({format_date(date)}) ; appelez le magasin pour confirmer la réception, puis mettez Mandat à "
        "« Accusé »." if state == "Envoyé" else
        f"mandat {_status(state)}, jamais envoyé au magasin {store}, pour une mission {in_days(days)} "
        f"({format_date(date)}) ; {_to_do(state)} (backoffice mandates --send), appelez le magasin pour qu'il "
        "le confirme, puis mettez Mandat à « Accusé »."
        for state, store, days, date in zip(hit["Mandat"], hit["Code magasin"], hit["jours"], hit["Date"])))


@rule("mandat.refuse", "Missions", ERREUR)
def refused(ctx: RuleContext):
    """Le magasin a refusé le mandat d'une mission à venir."""
    m = upcoming(ctx)
    hit = m[m["Mandat"] == "Refusé"]
    return ctx.findings_on(hit.index, "Mandat", (
        f"mandat refusé par le magasin {store} pour la mission du {format_date(date)} ; "
        "voyez avec le magasin et la marque, corrigez la mission, puis mettez Mandat à « À refaire »."
        for store, date in zip(hit["Code magasin"], hit["Date"])))


@rule("mandat.a_refaire", "Missions", ALERTE)
def to_redo(ctx: RuleContext):
    """Le mandat est à refaire : Mandat vaut « À refaire », ou ce que le mandat imprime (salarié,
    magasin, date, horaires…) a changé depuis qu'il a été généré (empreinte différente de celle
    gardée dans mandats/empreintes.json)."""
    records = ctx.mandate_records
    m = upcoming(ctx)
    out = []
    for key in m.index[m["Mandat"] == "À refaire"]:
        out.append(ctx.finding(key, "Mandat",
                               "mandat à refaire ; lancez backoffice mandates pour le régénérer, puis --send."))
    tracked = m[m["Mandat"].isin(("Généré", "Envoyé", "Accusé", "Refusé")) & m.index.isin(list(records))]
    for key in tracked.index:
        record = records[key]
        try:
            current = mandate_data(ctx.data, key, ctx.settings.agency)
        except MissingReference:
            continue  # the data rules report the unknown brand, store or employee
        if current.fingerprint == record.get("empreinte"):
            continue
        what = "; ".join(changed_fields(record.get("donnees", {}), current.fields)) or "données du mandat"
        out.append(ctx.finding(key, "Mandat",
                               f"mandat {_status(tracked.at[key, 'Mandat'])} devenu faux ({what}) ; lancez "
                               "backoffice mandates pour le régénérer, puis --send."))
    return out
