"""Expense rules (Notes de frais): amounts, URSSAF ceilings, mileage, receipts, duplicates.

Notes with Statut « Refusée » are settled and left out. Categories are compared without case
or accents. Thresholds are ``[check]`` settings (URSSAF meal ceilings, the sector's minimum km
rate of each period, URSSAF's mileage scale). The optional ``Mode`` column says how a line is
reimbursed: ``forfait`` (a flat allowance: URSSAF's ceiling applies, no receipt is needed) or
``réel`` (at cost: the receipt is needed, no ceiling); empty, both are checked.
"""
from __future__ import annotations

import math
from typing import Mapping

import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR
from sheets_sync.parsing import norm

from .rule_support import cached, day, employee_label, norm_series
from .geo import haversine_km

from .registry import RuleContext, rule

TAB = "Notes de frais"
RECEIPT_CATEGORIES = ("repas", "transport", "hebergement")


def euros(value: float) -> str:
    """``21,40 €``."""
    return f"{value:,.2f} €".replace(",", " ").replace(".", ",")


def _notes(ctx: RuleContext) -> pd.DataFrame:
    def compute():
        notes = ctx.data[TAB].df
        notes = notes[norm_series(notes["Statut"]) != "refusee"]
        mode = norm_series(notes["Mode"]) if "Mode" in notes else pd.Series("", index=notes.index)
        return notes.assign(_cat=norm_series(notes["Catégorie"]), _mode=mode)

    return cached(ctx, "notes", compute)


@rule("frais.montant_invalide", TAB, ERREUR)
def amount_not_positive(ctx: RuleContext):
    """Le Montant d'une note de frais est nul ou négatif (un montant illisible est signalé
    par donnees.cellule_illisible)."""
    n = _notes(ctx)
    bad = n[n["Montant"] <= 0]
    return ctx.findings_on(bad.index, "Montant", (
        f"montant {euros(a)} : il doit être positif. Corrigez le montant ou supprimez la ligne."
        for a in bad["Montant"]))


MEAL_TYPES = ("restaurant", "extérieur", "sur place")  # « Type repas »; empty = restaurant


def meal_ceilings_of(table: dict, year: int) -> dict:
    """The URSSAF ceilings of ``year`` (the latest year of the table before it when it has none)."""
    years = sorted(int(y) for y in table)
    known = [y for y in years if y <= year] or years[:1]
    return {norm(k): float(v) for k, v in table[str(known[-1])].items()}


@rule("frais.repas_plafond", TAB, ALERTE)
def meal_ceiling(ctx: RuleContext):
    """Une indemnité de repas forfaitaire dépasse le plafond URSSAF de son année et de son type
    (colonne facultative « Type repas » : restaurant, extérieur, sur place ; vide = restaurant ;
    2026 : 21,40 €, 10,40 €, 7,50 € ; 2025 : 21,10 €, 10,30 €, 7,40 € ; réglage
    check.meal_ceilings) : le dépassement devient un avantage soumis à cotisations. Les
    plafonds bornent les allocations forfaitaires : un repas remboursé au réel (colonne
    facultative « Mode » = réel), sur justificatif, n'en a pas."""
    table = ctx.settings.check.meal_ceilings
    n = _notes(ctx)
    meals = n[(n["_cat"] == "repas") & (n["_mode"] != "reel") & n["Montant"].notna() & n["Date"].notna()]
    shown = (meals["Type repas"].str.strip().replace("", "restaurant") if "Type repas" in meals
             else pd.Series("restaurant", index=meals.index))
    kinds = norm_series(shown)
    of_year = {y: meal_ceilings_of(table, y) for y in {d.year for d in meals["Date"]}}  # a few years, once each
    ceilings = pd.Series([of_year[d.year].get(k, math.nan) for d, k in zip(meals["Date"], kinds)],
                         index=meals.index, dtype=float)
    bad = meals[meals["Montant"] > ceilings + 1e-9]
    return ctx.findings_on(bad.index, "Montant", (
        f"repas{'' if k == 'restaurant' else f' ({t})'} de {euros(a)}, au-dessus du plafond URSSAF de "
        f"{euros(c)}. Remboursez au plus le plafond ou justifiez le dépassement."
        for a, k, t, c in zip(bad["Montant"], kinds[bad.index], shown[bad.index], ceilings[bad.index])))


def per_km(rate: float) -> str:
    """``0,29 €/km``, ``0,606 €/km``: a rate with the decimals it has (up to three)."""
    text = f"{rate:.3f}".rstrip("0")
    return (text + "0" if len(text.split(".")[1]) < 2 else text).replace(".", ",") + " €/km"


def rate_of(table: Mapping[str, float], when: pd.Timestamp) -> float:
    """The rate of ``table`` (``{"AAAA-MM-JJ": rate}``, each from that day on) in force at
    ``when``; before the first day, the first rate."""
    ordered = sorted((pd.Timestamp(k), float(v)) for k, v in table.items())
    known = [rate for start, rate in ordered if start <= when]
    return known[-1] if known else ordered[0][1]


def scale_of(table: Mapping[str, float], cv) -> float:
    """URSSAF's rate per km (up to 5,000 km a year) of a car of ``cv`` fiscal horsepower
    (below the table's first power, its first; above its last, its last; unknown, its highest)."""
    ordered = sorted((int(k), float(v)) for k, v in table.items())
    if cv is None or pd.isna(cv):
        return max(v for _k, v in ordered)
    known = [rate for power, rate in ordered if power <= cv]
    return known[-1] if known else ordered[0][1]


@rule("frais.km_montant", TAB, ERREUR)
def km_amount(ctx: RuleContext):
    """Une ligne « km » payée moins que Km × le taux minimum de la branche à sa date (0,29 €/km
    depuis le 1/3/2025, 0,28 € avant : avenant du 6/11/2024 étendu le 6/2/2025 ; réglage
    check.km_min_rates), ou dont les Km sont vides."""
    rates = ctx.settings.check.km_min_rates
    n = _notes(ctx)
    n = n[(n["_cat"] == "km") & n["Montant"].notna()]
    rate = pd.Series([rate_of(rates, d) if pd.notna(d) else math.nan for d in n["Date"]], index=n.index, dtype=float)
    minimum = (n["Km"].fillna(0) * rate).round(2)
    bad = n[n["Km"].isna() | (n["Montant"] < minimum - 0.005)]
    return ctx.findings_on(bad.index, "Montant", (
        f"indemnité km de {euros(a)} sans kilomètres dans Km. Renseignez les Km parcourus."
        if pd.isna(k) else
        f"indemnité km de {euros(a)} pour {k:g} km : au moins {euros(round(k * r, 2))} dus au taux de la "
        f"branche ({per_km(r)} au {day(d)}). Complétez le remboursement ou corrigez les Km."
        for a, k, r, d in zip(bad["Montant"], bad["Km"], rate[bad.index], bad["Date"])))


@rule("frais.km_bareme", TAB, ALERTE)
def km_above_scale(ctx: RuleContext):
    """Une ligne « km » payée plus que Km × le barème kilométrique URSSAF de la voiture du
    salarié (colonne facultative « Puissance fiscale » de Salariés, en CV ; inconnue : le taux
    le plus haut ; jusqu'à 5 000 km par an ; réglage check.km_scale) : l'excédent est un
    avantage imposable et soumis à cotisations."""
    scale = ctx.settings.check.km_scale
    n = _notes(ctx)
    n = n[(n["_cat"] == "km") & n["Montant"].notna() & n["Km"].notna()]
    employees = ctx.data["Salariés"].df
    power = (n["Matricule"].map(employees["Puissance fiscale"]) if "Puissance fiscale" in employees
             else pd.Series(math.nan, index=n.index))
    rate = pd.Series([scale_of(scale, cv) for cv in power], index=n.index, dtype=float)
    ceiling = (n["Km"] * rate).round(2)
    bad = n[n["Montant"] > ceiling + 0.005]
    return ctx.findings_on(bad.index, "Montant", (
        f"indemnité km de {euros(a)} pour {k:g} km, au-dessus du barème URSSAF ({per_km(r)}"
        f"{'' if pd.isna(cv) else f', {cv:g} CV'}, soit {euros(c)}) : l'excédent est imposable. Vérifiez le "
        "montant ou déclarez l'excédent en paie."
        for a, k, r, cv, c in zip(bad["Montant"], bad["Km"], rate[bad.index], power[bad.index], ceiling[bad.index])))


@rule("frais.km_distance", TAB, ALERTE)
def km_distance(ctx: RuleContext):
    """Les Km d'une ligne « km » dépassent 1,3 fois (réglage check.km_tolerance)
    l'aller-retour à vol d'oiseau entre le domicile du salarié et le magasin de sa mission. Ignoré
    quand une des coordonnées est inconnue."""
    tolerance = ctx.settings.check.km_tolerance
    n = _notes(ctx)
    n = n[(n["_cat"] == "km") & n["Km"].notna()]
    employees = ctx.data["Salariés"].df
    stores = ctx.data["Magasins"].df
    store_code = n["N° mission"].map(ctx.data["Missions"].df["Code magasin"])
    lat1 = n["Matricule"].map(employees["Latitude"])
    lon1 = n["Matricule"].map(employees["Longitude"])
    lat2 = store_code.map(stores["Latitude"])
    lon2 = store_code.map(stores["Longitude"])
    round_trip = pd.Series(2 * haversine_km(lat1, lon1, lat2, lon2), index=n.index)
    bad_mask = round_trip.notna() & (n["Km"] > tolerance * round_trip + 1e-9)
    bad = n[bad_mask]
    return ctx.findings_on(bad.index, "Km", (
        f"{k:g} km déclarés alors que l'aller-retour domicile → magasin {c} fait environ "
        f"{rt:.0f} km (tolérance × {str(tolerance).replace('.', ',')}). Vérifiez le trajet avec le salarié."
        for k, c, rt in zip(bad["Km"], store_code[bad_mask], round_trip[bad_mask])))


@rule("frais.justificatif_manquant", TAB, ALERTE)
def receipt_missing(ctx: RuleContext):
    """Une dépense « repas », « transport » ou « hébergement » remboursée au réel sans
    justificatif (Justificatif n'est pas « oui ») : l'URSSAF exige le justificatif. Une
    allocation forfaitaire (colonne facultative « Mode » = forfait) n'en demande pas."""
    n = _notes(ctx)
    bad = n[n["_cat"].isin(RECEIPT_CATEGORIES) & (n["_mode"] != "forfait") & (n["Justificatif"] != True)]  # noqa: E712
    return ctx.findings_on(bad.index, "Justificatif", (
        f"dépense « {c} » de {euros(a)} sans justificatif. Demandez le justificatif au salarié "
        "puis mettez « oui »."
        for c, a in zip(bad["Catégorie"], bad["Montant"])))


@rule("frais.mission_non_travaillee", TAB, ERREUR)
def mission_not_worked(ctx: RuleContext):
    """La note de frais porte sur une mission que le salarié n'a pas faite : N° mission vide
    ou inconnu, mission affectée à un autre salarié, ou mission « Annulée »."""
    n = _notes(ctx)
    missions = ctx.data["Missions"]
    m = missions.df
    known = n["N° mission"].isin(m.index)
    salarie = n["N° mission"].map(m["Salarié"])
    statut = n["N° mission"].map(m["Statut"])
    keys, texts = [], []
    for key, num, mat, ok, s, st in zip(n.index, n["N° mission"], n["Matricule"], known, salarie, statut):
        if num == "":
            text = "aucun N° mission. Indiquez la mission à laquelle se rapporte la dépense."
        elif not ok:
            if num in missions.all_keys:
                continue  # the mission's row is unreadable: its own finding says so
            text = f"la mission « {num} » n'existe pas dans Missions. Corrigez le N° mission."
        elif st == "Annulée":
            text = f"la mission {num} est « Annulée ». Refusez la note ou corrigez le N° mission."
        elif s != mat:
            text = (f"la mission {num} est affectée à {employee_label(ctx, s) if s else 'personne'}, "
                    f"pas à {employee_label(ctx, mat)}. Refusez la note ou corrigez le N° mission.")
        else:
            continue
        keys.append(key)
        texts.append(text)
    return ctx.findings_on(keys, "N° mission", texts)


@rule("frais.doublon", TAB, ALERTE)
def duplicate_expense(ctx: RuleContext):
    """Deux notes (ou plus) du même salarié, à la même date, de même catégorie et de même
    montant : chaque ligne est signalée en nommant les autres."""
    n = _notes(ctx)
    same = ["Matricule", "Date", "_cat", "Montant"]
    n = n[n["Montant"].notna() & n["Date"].notna()]
    twins = n[n.duplicated(same, keep=False)]
    table = ctx.data[TAB]
    groups: dict[tuple, list] = {}  # the twins by what they share, in the sheet's order
    for key, *shared in zip(twins.index, *(twins[c] for c in same)):
        groups.setdefault(tuple(shared), []).append(key)
    out = []
    for keys in groups.values():
        cells = {k: table.cell_of(k, "Montant") for k in keys}
        for key in keys:
            others = ", ".join(f"{k} ({c})" for k, c in cells.items() if k != key)
            out.append(ctx.finding(
                key, "Montant",
                f"même salarié ({twins.at[key, 'Matricule']}), même date ({day(twins.at[key, 'Date'])}), même "
                f"catégorie ({twins.at[key, 'Catégorie']}) et même montant ({euros(twins.at[key, 'Montant'])}) "
                f"que {others}. Vérifiez qu'il ne s'agit pas d'un doublon et supprimez-le le cas échéant."))
    return out


@rule("frais.recu_tardif", TAB, ALERTE)
def received_late(ctx: RuleContext):
    """La note a été reçue (Reçue le) plus de 30 jours après la mission (réglage
    check.expense_max_delay_days ; règle d'entreprise d'un mois admise par la Cour de
    cassation, 29/9/2009). Sans mission connue, la date de la dépense sert de référence."""
    limit = ctx.settings.check.expense_max_delay_days
    n = _notes(ctx)
    ref = n["N° mission"].map(ctx.data["Missions"].df["Date"])
    ref = ref.where(ref.notna(), n["Date"])
    delay = (n["Reçue le"] - ref).dt.days
    bad_mask = delay > limit
    bad = n[bad_mask]
    return ctx.findings_on(bad.index, "Reçue le", (
        f"note reçue le {day(r)}, {int(d)} jours après la mission du {day(m)} (délai : {limit} "
        "jours). Vérifiez avec votre responsable avant de la rembourser."
        for r, d, m in zip(bad["Reçue le"], delay[bad_mask], ref[bad_mask])))
