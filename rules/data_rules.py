"""Data rules: cells that cannot be used as they are (the reader's findings, bad references)."""
from __future__ import annotations


import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR, Finding
from sheets_sync.parsing import format_time, norm
from sheets_sync.reading import RULE_DUPLICATE, RULE_HEADER, RULE_REQUIRED, RULE_UNREADABLE

from .registry import RuleContext, rule
from .rule_support import day, employee_label, hours_text, live_missions, norm_series

ALL_TABS = "tous"


def _unknown_reference(ctx: RuleContext, column: str, target: str, what: str,
                       values: pd.Series) -> list[Finding]:
    known = ctx.data[target].all_keys
    bad = values[(values != "") & ~values.isin(known)]
    by_norm = {norm(k): k for k in known}
    out = []
    for key, value in bad.items():
        close = by_norm.get(norm(value))
        hint = f" (vouliez-vous « {close} » ?)" if close else ""
        out.append(ctx.finding(
            key, column,
            f"{what} « {value} » n'existe pas dans l'onglet {ctx.data[target].title}{hint}. "
            f"Corrigez la cellule ou ajoutez la ligne manquante dans {ctx.data[target].title}."))
    return out


# --- what the reader finds (documented here so --rules lists them) ---------------------------

def _reader(ctx: RuleContext) -> list[Finding]:
    """What the reader found under the running rule's id."""
    return [f for f in ctx.data.findings if f.rule == ctx.rule.id]


@rule(RULE_HEADER, ALL_TABS, ALERTE)
def header_to_declare(ctx: RuleContext):
    """Un en-tête de la ligne 1 n'est pas du format alors qu'une colonne facultative manque et
    qu'il lui ressemble (« CP » pour « Code postal », « Date mission » pour « Date ») : le
    message donne les lignes à coller dans la configuration ([headers."Onglet"]) ; en attendant
    la colonne est lue vide. Une colonne obligatoire introuvable arrête la région, avec la même
    suggestion, pour tous les onglets en une fois."""
    return _reader(ctx)


@rule(RULE_UNREADABLE, ALL_TABS, ERREUR)
def unreadable_cell(ctx: RuleContext):
    """Cellule illisible : une date, une heure, un montant, un nombre, un code postal, un
    téléphone, un e-mail ou un oui/non qui ne se lit pas (ex. « 31/02/2026 »). Si la ligne ne
    peut servir sans elle (la clé, une date, une heure, un montant ou un texte obligatoire, une
    colonne d'un traitement), elle est ignorée tant que la cellule n'est pas corrigée ; sinon
    (un téléphone, un e-mail, un code postal, un nombre, une date facultative) la cellule est
    lue comme vide et la ligne sert aux traitements qui n'en ont pas besoin."""
    return _reader(ctx)


@rule(RULE_REQUIRED, ALL_TABS, ERREUR)
def required_field(ctx: RuleContext):
    """Champ obligatoire vide (ex. la Date ou le Code magasin d'une mission, le Téléphone
    d'un salarié). La ligne est ignorée tant qu'il manque."""
    return _reader(ctx)


@rule(RULE_DUPLICATE, ALL_TABS, ERREUR)
def duplicate_key(ctx: RuleContext):
    """Clé en double : le même N° mission, Matricule, Code magasin, Marque ou N° note sur
    plusieurs lignes ; chaque cellule concernée est nommée. Ces lignes sont ignorées tant
    que la clé n'est pas unique."""
    return _reader(ctx)


# --- references and consistency ------------------------------------------------------------

@rule("donnees.fin_avant_debut", "Missions", ERREUR)
def end_not_after_start(ctx: RuleContext):
    """L'heure de Fin d'une mission n'est pas après son heure de Début et la mission, lue comme
    finissant le lendemain (une mission de nuit passe minuit : 21:00–01:00 dure 4 h), durerait
    plus que la journée maximale (réglage worktime.max_day_hours) : Début et Fin sont
    sans doute inversés."""
    from .worktime import mission_instants

    m = ctx.data["Missions"].df
    m = m[m["Date"].notna() & m["Début"].notna() & m["Fin"].notna() & (m["Fin"] <= m["Début"])]
    first, last = mission_instants(m["Date"], m["Début"], m["Fin"])
    elapsed = (last - first).dt.total_seconds() / 3600
    limit = ctx.settings.worktime.max_day_hours
    bad = m[(elapsed > limit + 1e-9).to_numpy()]
    return ctx.findings_on(bad.index, "Fin", (
        f"fin {format_time(f)} avant le début {format_time(d)} : lue comme le lendemain, la mission durerait "
        f"{hours_text(h)}. Corrigez Début ou Fin (une mission de nuit, 21:00–01:00, est acceptée)."
        for d, f, h in zip(bad["Début"], bad["Fin"], elapsed[(elapsed > limit + 1e-9).to_numpy()])))


@rule("donnees.marque_inconnue", "Missions", ERREUR)
def unknown_brand(ctx: RuleContext):
    """La Marque d'une mission n'existe pas dans l'onglet Marques (comparaison exacte : les
    mandats et les formations s'appuient sur ce nom)."""
    return _unknown_reference(ctx, "Marque", "Marques", "marque",
                              ctx.data["Missions"].df["Marque"])


@rule("donnees.magasin_inconnu", "Missions", ERREUR)
def unknown_store(ctx: RuleContext):
    """Le Code magasin d'une mission n'existe pas dans l'onglet Magasins."""
    return _unknown_reference(ctx, "Code magasin", "Magasins",
                              "code magasin", ctx.data["Missions"].df["Code magasin"])


@rule("donnees.salarie_inconnu", "Missions", ERREUR)
def unknown_employee(ctx: RuleContext):
    """Le Salarié d'une mission n'est pas un Matricule de l'onglet Salariés."""
    return _unknown_reference(ctx, "Salarié", "Salariés", "matricule",
                              ctx.data["Missions"].df["Salarié"])


@rule("donnees.salarie_inactif", "Missions", ERREUR)
def inactive_employee(ctx: RuleContext):
    """Une mission d'aujourd'hui ou à venir, non annulée, est affectée à un salarié dont le
    Statut est « Inactif ». Les missions passées ne sont pas signalées (historique)."""
    m = live_missions(ctx)
    employees = ctx.data["Salariés"].df
    inactive = set(employees.index[norm_series(employees["Statut"]) == "inactif"])
    bad = m[m["Salarié"].isin(inactive) & (m["Date"] >= ctx.today)]
    return ctx.findings_on(bad.index, "Salarié", (
        f"{employee_label(ctx, s)} est « Inactif » dans Salariés mais affecté(e) à cette mission "
        f"du {day(d)}. Affectez un salarié actif ou réactivez la fiche."
        for s, d in zip(bad["Salarié"], bad["Date"])))
