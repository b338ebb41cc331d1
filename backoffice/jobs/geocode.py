"""The geocode job: fill the EMPTY Latitude/Longitude of Salariés and Magasins from their address.

One batched request per tab (never one per row). A result is written when its status is
``ok`` and its score is at least ``geocode.min_score``; every other address gets a finding
(alerte) on its Latitude cell saying what the geocoder answered and what to do. Coordinates
already there are never overwritten; a row with only one of the two filled is reported, not
geocoded (its other half may be right or wrong: a person decides).
"""
from __future__ import annotations


from sheets_sync.findings import ALERTE, ERREUR, Finding
from rules.job_findings import GEOCODE_DOWN, GEOCODE_EMPTY, GEOCODE_LOW, GEOCODE_NOT_FOUND, GEOCODE_PARTIAL

from ..geocoding import Address, Geocoder, GeocoderError
from .base import JobContext, JobResult

TASK = "geocode"
TABS = ("Salariés", "Magasins")


def geocoder_for(ctx: JobContext, url: str | None = None) -> Geocoder:
    """The geocoder client of the run (its address from ``--url`` or the settings)."""
    g = ctx.settings.geocode
    url = url or g.url  # BACKOFFICE_GEOCODE_URL reaches g.url through the settings
    return Geocoder(url, timeout_s=g.timeout_s, max_retries=g.max_retries, max_wait_s=g.max_wait_s)


def geocode_step(data, ctx: JobContext, geocoder: Geocoder | None = None, url: str | None = None) -> JobResult:
    """Fill the missing coordinates of employees and stores from the geocoder (``url``: --url),
    never over a value."""
    result = JobResult(TASK)
    geocoder = geocoder or geocoder_for(ctx, url)
    min_score = ctx.settings.geocode.min_score
    sent = filled = 0
    for tab in ctx.progress(TABS, "Géocodage", len(TABS)):  # one request a tab, up to a minute each
        table = data[tab]
        df = table.df
        lat_empty, lon_empty = df["Latitude"].isna(), df["Longitude"].isna()
        for key in df.index[lat_empty ^ lon_empty]:
            result.findings.append(_finding(table, key, GEOCODE_PARTIAL,
                                            "une seule des deux coordonnées est remplie : complétez l'autre "
                                            "ou videz les deux pour que « backoffice geocode » les calcule."))
        todo = df[lat_empty & lon_empty]
        addresses: dict[str, tuple[str, Address]] = {}
        for key, row in todo.iterrows():
            address = Address(f"{len(addresses)}", str(row["Adresse"]), str(row["Code postal"]), str(row["Ville"]))
            if not address.text:
                result.findings.append(_finding(table, key, GEOCODE_EMPTY,
                                                "Adresse, Code postal et Ville vides : rien à géocoder. "
                                                "Saisissez l'adresse ou Latitude et Longitude."))
                continue
            addresses[address.ref] = (key, address)
        if not addresses:
            continue
        sent += len(addresses)
        try:
            answers = geocoder.geocode(a for _k, a in addresses.values())
        except GeocoderError as err:
            result.findings.append(Finding(GEOCODE_DOWN, ERREUR, table.title, "", "",
                                           f"{table.title} : {err}"))
            continue
        for ref, (key, address) in addresses.items():
            answer = answers[ref]
            score = answer.score if answer.score is not None else 0.0
            if answer.status == "ok" and answer.latitude is not None and answer.longitude is not None \
                    and score >= min_score:
                result.changes.add(TASK, table.change(key, "Latitude", round(answer.latitude, 6)))
                result.changes.add(TASK, table.change(key, "Longitude", round(answer.longitude, 6)))
                filled += 1
            elif answer.status == "ok":
                result.findings.append(_finding(
                    table, key, GEOCODE_LOW,
                    f"adresse « {address.text} » trouvée avec un score de {_fr(score)} "
                    f"(minimum {_fr(min_score)}) : « {answer.label} ». Vérifiez Adresse, Code postal et Ville, "
                    "puis relancez « backoffice geocode », ou saisissez Latitude et Longitude."))
            else:
                result.findings.append(_finding(
                    table, key, GEOCODE_NOT_FOUND,
                    f"adresse « {address.text} » non trouvée par le géocodeur (statut {answer.status}). "
                    "Corrigez Adresse, Code postal et Ville, puis relancez « backoffice geocode », "
                    "ou saisissez Latitude et Longitude."))
    reported = sum(1 for f in result.findings if f.rule in (GEOCODE_LOW, GEOCODE_NOT_FOUND))
    result.summary = [("adresses envoyées", sent), ("coordonnées remplies", filled), ("à vérifier", reported)]
    result.needs_attention = bool(result.findings)
    return result


def _finding(table, key, rule: str, message: str) -> Finding:
    ref = table.cell_of(key, "Latitude")
    return Finding(rule, ALERTE, table.title, ref, str(key), f"{ref} : {message}", "Latitude")


def _fr(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")

