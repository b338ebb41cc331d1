"""Settings: ``config/defaults.toml``, then the user's TOML file, then environment, then CLI.

Loaded into frozen dataclasses. An unknown key anywhere is a :class:`ConfigError` naming it.
"""
from __future__ import annotations

import dataclasses
import math
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from rules.worktime import WorkTime
from sheets_sync.errors import ConfigError


def config_dir() -> Path:
    """The ``config/`` data folder: beside the packages in a checkout, else the installed copy."""
    here = Path(__file__).resolve().parent.parent / "config"
    if (here / "defaults.toml").exists():
        return here
    installed = Path(sys.prefix) / "share" / "backoffice" / "config"
    if (installed / "defaults.toml").exists():
        return installed
    raise ConfigError("Dossier config/ introuvable : réinstallez backoffice (pip install -e .).")


@dataclass(frozen=True)
class Agency:
    """The agency's identity, printed on every mandate. The defaults carry none."""

    name: str = ""
    legal_form: str = ""
    siret: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    demo: bool = False  # only the demo's own config: an invented agency, placeholders allowed

    def gaps(self) -> list[str]:
        """What keeps this identity off a real document: ``key (why)`` for each, in order."""
        out = []
        for key in AGENCY_REQUIRED:
            value = str(getattr(self, key)).strip()
            if not value:
                out.append(f"{key} (manquant)")
            elif not self.demo and _placeholder(key, value):
                out.append(f"{key} (valeur d'exemple « {value} »)")
        return out


AGENCY_REQUIRED = ("name", "siret", "address", "postal_code", "city", "email")
# What `backoffice init` writes and what example files carry: never on a real mandate.
_PLACEHOLDER_WORDS = ("à compléter", "a completer", "exemple", "example", "todo", "xxx")
_RESERVED_DOMAINS = ("example.org", "example.com", "example.net", ".example", ".invalid", ".test")


def _placeholder(key: str, value: str) -> bool:
    low = value.casefold()
    if any(word in low for word in _PLACEHOLDER_WORDS):
        return True
    if key == "siret":
        digits = "".join(ch for ch in value if ch.isdigit())
        return len(digits) != 14 or len(set(digits)) == 1 or len(digits) != len(value.replace(" ", ""))
    if key == "email":
        return "@" not in value or low.endswith(_RESERVED_DOMAINS)
    return False


@dataclass(frozen=True)
class Sheets:
    """Google Sheets access: the service-account key, timeouts, retries and the request budget."""
    credentials: str = ""
    timeout_s: float = 30.0
    max_retries: int = 5
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    requests_per_minute: int = 60
    late_apply_s: float = 30.0  # after a write's answer is lost: how long it may still land before a resend


@dataclass(frozen=True)
class Presence:
    """How early a call counts, and the grace before a missing presence is « Manquante »."""
    early_minutes: int = 60
    grace_minutes: int = 15
    stale_minutes: int = 30  # a log whose newest call and file are older is not trusted for Manquante
    queue_max_open: int = 500  # calls « à traiter » in Appels SVI at most: a flood of junk calls stays out


@dataclass(frozen=True)
class Suggest:
    """The suggestion plan: horizon, candidates kept, the score's weights (the working-time
    limits are :class:`WorkTime`, shared with the check)."""
    days: int = 14
    top: int = 3
    default_radius_km: float = 50.0
    medical_months: int = 24
    road_factor: float = 1.0  # km by road ≈ straight line × this (1.3 is the usual figure for France)
    road_table: str = ""  # a CSV from;to;km;minutes (Matricule;Code magasin): its km replace the estimate
    weight_distance: float = 1.0
    weight_brand_history: float = 15.0
    weight_store_history: float = 10.0
    weight_week_load: float = 5.0
    weight_presence: float = 20.0
    weight_fairness: float = 4.0  # per mission above the fair share (open + held, per employee) in the horizon
    fairness_cap: int = 2  # with fairness on, nobody gets more than the fairest possible maximum + this (-1: no cap)
    weight_urgency: float = 5.0  # bonus of a mission of the horizon's first day, down to 0 on its last
    stability_bonus: float = 5.0  # the previous run's first choice keeps it unless beaten by this much
    plan_time_limit_s: float = 20.0  # the plan solver stops there and keeps its best plan
    plan_candidates: int = 15  # the solver sees each mission's 15 cheapest candidates


@dataclass(frozen=True)
class Geocode:
    """The national geocoder: its address, the minimum score trusted, timeouts and retries."""
    url: str = "https://data.geopf.fr/geocodage/search/csv/"
    min_score: float = 0.6
    timeout_s: float = 60.0
    max_retries: int = 3
    max_wait_s: float = 30.0  # longest single wait (Retry-After included)


@dataclass(frozen=True)
class Mandates:
    """Mandates: horizon, output folder, template, the stores' default delay, LibreOffice."""
    days: int = 21
    out_dir: str = "output"
    template: str = "templates/mandat_fournisseur.docx"
    default_delay_days: int = 7
    libreoffice: str = "soffice"
    pdf_timeout_s: float = 120.0  # one LibreOffice batch, plus 3 s per file
    reminder_days_before: int = 3  # the reminder e-mail goes this many days before the store's deadline
    escalation_days_before: int = 0  # the CDBO phones the store this many days before its deadline


@dataclass(frozen=True)
class Smtp:
    """The SMTP server that sends the mandates (the password comes from the environment)."""
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password_env: str = "BACKOFFICE_SMTP_PASSWORD"
    sender: str = ""
    timeout_s: float = 30.0


@dataclass(frozen=True)
class Imap:
    """The mailbox where the stores reply to the mandates (optional: empty host = not read)."""
    host: str = ""
    port: int = 993
    security: str = "ssl"  # ssl | starttls | none
    user: str = ""
    password_env: str = "BACKOFFICE_IMAP_PASSWORD"
    folder: str = "INBOX"
    days: int = 30  # replies of the last N days are read
    timeout_s: float = 30.0
    accept_store_domain: bool = False  # a reply from the store's domain counts, not only from its address


@dataclass(frozen=True)
class Outbox:
    """The outbox (``Envois``): when a row another machine planned and never did is taken over."""
    lease_minutes: float = 30.0


@dataclass(frozen=True)
class Offers:
    """Offers of open missions to employees (``backoffice offers``), by SMS or e-mail."""
    days: int = 7  # missions from today to today + N days are offered
    reply_hours: float = 24.0  # the candidate's time to answer, after which the next one is asked
    near_hours: float = 48.0  # a mission starting within this many hours of the offer…
    near_reply_hours: float = 3.0  # …gives this shorter time to answer
    max_candidates: int = 3  # candidates asked one after the other before the CDBO's call list
    read_days: int = 3  # replies of the last N days are read
    replacement_minutes: float = 90.0  # a replacement must be able to arrive within this (Présence Manquante)
    urgent: bool = False  # true: the replacements of a missing employee are also offered the mission by SMS
    urgent_reply_minutes: float = 30.0  # a replacement's time to answer, then the next one is asked


@dataclass(frozen=True)
class Contracts:
    """The CIDD of each staffed mission (``backoffice contracts``): what it prints, when it is due."""
    days: int = 14  # staffed missions from today to today + N days get their contract
    template: str = "templates/contrat_cidd.docx"
    position: str = "Animateur commercial / Animatrice commerciale"
    level: str = "Employé, niveau 1 (CCN IDCC 2098)"
    hourly_rate: float = 12.02  # when Salariés has no « Taux horaire »
    minimum_hourly_rate: float = 12.02  # the SMIC from 1 January 2026 (L3231-2): no contract under it
    urssaf: str = "URSSAF"  # the URSSAF body the agency pays (printed)
    pension: str = "à compléter (caisse de retraite complémentaire, nom et adresse)"
    provident: str = "à compléter (organisme de prévoyance, nom et adresse)"
    trial: str = "Le présent contrat ne comporte pas de période d'essai."
    group_consecutive: bool = False  # true: consecutive days of one operation for one employee share one contract


@dataclass(frozen=True)
class Yousign:
    """Yousign's API v3 (electronic signature); empty key: contracts go by e-mail to sign and return."""
    url: str = "https://api.yousign.app/v3"
    api_key_env: str = "BACKOFFICE_YOUSIGN_API_KEY"
    authentication: str = "otp_sms"  # the signer's one-time code: otp_sms, otp_email or no_otp
    timeout_s: float = 30.0
    max_retries: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0


@dataclass(frozen=True)
class Sms:
    """Twilio's REST API (Programmable Messaging); empty ``account_sid``: offers go by e-mail."""
    url: str = "https://api.twilio.com"
    account_sid: str = ""
    auth_token_env: str = "BACKOFFICE_SMS_AUTH_TOKEN"
    sender: str = ""  # ``from`` in the config file: the agency's number, E.164 (+33…)
    timeout_s: float = 20.0
    max_retries: int = 4
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0


@dataclass(frozen=True)
class Kits:
    """Kit orders: horizon, the partner's lead time in working days, days allowed for the return."""
    days: int = 10
    lead_working_days: int = 1
    return_days: int = 7


@dataclass(frozen=True)
class Check:
    """The check's thresholds and limits (contracts, reports, expenses, working time)."""
    unstaffed_days: int = 3
    contract_offer_days: int = 10
    contract_working_days: int = 2
    report_days: int = 3
    intermittent_hours: float = 500.0  # worked in 12 months: a CDI intermittent is due (accord 2006)
    meal_ceilings: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: {  # URSSAF, per year
        "2025": {"restaurant": 21.10, "extérieur": 10.30, "sur place": 7.40},
        "2026": {"restaurant": 21.40, "extérieur": 10.40, "sur place": 7.50}})
    km_min_rates: Mapping[str, float] = field(default_factory=lambda: {  # the sector's minimum, from each day
        "2024-01-01": 0.28, "2025-03-01": 0.29})
    km_scale: Mapping[str, float] = field(default_factory=lambda: {  # URSSAF, per CV, up to 5,000 km a year
        "3": 0.529, "4": 0.606, "5": 0.636, "6": 0.665, "7": 0.697})
    km_tolerance: float = 1.3
    expense_max_delay_days: int = 30
    medical_months: int = 24
    acceptance_days: int = 3  # days the employee has to accept a proposed mission (accord 2006)
    cancellation_hours: float = 72.0  # cancelled less than this before the start: paid 100 % (accord 2006)
    cancellation_half_hours: float = 168.0  # …less than this (7 days): paid 50 %
    cancellation_days_shown: int = 31  # how long after the mission date that finding stays (pay period)
    expiry_warning_days: int = 30  # warn this many days before a medical check or a training expires
    dpae_days: int = 2  # the DPAE is checked from this many days before the start (L1221-10)
    dpae_max_days_before: int = 8  # a DPAE is made at the earliest 8 days before the hire (R1221-5)
    rules: Mapping[str, str] = field(default_factory=dict)  # rule id -> off | erreur | alerte


@dataclass(frozen=True)
class Archive:
    """What `backoffice archive` moves out of the sheet, into CSV files per month."""

    journal_days: int = 90  # Journal rows older than this
    mission_days: int = 400  # missions « Réalisée » / « Annulée » dated before this (records kept 1 year: D3171-16)
    folder: str = "archives"  # relative to the config file; <folder>/<region>/Journal-AAAA-MM.csv
    google_cells_warning: float = 0.6  # check warns past this share of Google's 10 million cells


@dataclass(frozen=True)
class Report:
    """The manager's page (`backoffice report`) and each region's `Synthèse` tab."""

    days: int = 7  # the staffing horizon: today and the next days
    weeks: int = 8  # the anomalies' trend, in weeks
    out_dir: str = "rapports"  # relative to the config file; rapport-AAAA-MM-JJ.html


@dataclass(frozen=True)
class Limits:
    """Bounds on hostile or broken input: refused with a message, never a crash."""

    xlsx_unpacked_mb: float = 200.0  # an .xlsx that would unpack beyond this is refused unread
    ivr_log_mb: float = 200.0  # an IVR export larger than this is refused


@dataclass(frozen=True)
class Region:
    """One Direction Régionale: its code, its workbook (.xlsx) or spreadsheet, its IVR export."""
    code: str
    name: str = ""
    workbook: str = ""  # .xlsx path (relative to the config file)
    spreadsheet: str = ""  # Google spreadsheet id
    officer_email: str = ""
    ivr_log: str = ""  # the region's IVR export (file or folder), relative to the config file
    tabs: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """Every setting of a run: defaults, the config file, the environment, in that order."""
    agency: Agency = Agency()
    sheets: Sheets = Sheets()
    presence: Presence = Presence()
    suggest: Suggest = Suggest()
    geocode: Geocode = Geocode()
    mandates: Mandates = Mandates()
    smtp: Smtp = Smtp()
    imap: Imap = Imap()
    kits: Kits = Kits()
    outbox: Outbox = Outbox()
    offers: Offers = Offers()
    sms: Sms = Sms()
    contracts: Contracts = Contracts()
    yousign: Yousign = Yousign()
    check: Check = Check()
    worktime: WorkTime = WorkTime()
    limits: Limits = Limits()
    archive: Archive = Archive()
    report: Report = Report()
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    tabs: Mapping[str, str] = field(default_factory=dict)
    regions: tuple[Region, ...] = ()
    base_dir: Path = Path(".")  # paths in the config file are relative to it
    config_dir: Path = Path(".")  # where templates are found
    source: Path | None = None  # the config file (--config), when there is one

    def require_agency(self) -> None:
        """Refuse to produce a document for a store while the agency's identity is not real."""
        gaps = self.agency.gaps()
        if gaps:
            where = str(self.source) if self.source else "votre fichier de configuration (--config)"
            raise ConfigError(
                f"Identité de l'agence incomplète, section [agency] de {where} : {', '.join(gaps)}. "
                "Complétez-la : aucun mandat n'est généré ni envoyé tant qu'elle manque."
            )

    def region(self, code: str) -> Region:
        """The region with this code (a :class:`ConfigError` naming the known codes otherwise)."""
        for region in self.regions:
            if region.code.casefold() == code.casefold():
                return region
        known = ", ".join(r.code for r in self.regions) or "(aucune)"
        raise ConfigError(f"Région « {code} » inconnue. Régions configurées : {known}.")

    def path(self, value: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def shown_path(self, value: str | Path) -> str:
        """A file we produced, as written in a sheet: relative to the workspace (the config
        file's folder) when it lies inside it, so that a colleague's PC finds it too."""
        if not value:
            return ""
        p = Path(value)
        try:
            return p.resolve().relative_to(self.base_dir.resolve()).as_posix()
        except ValueError:
            return str(p)

    def template_path(self, which: str = "") -> Path:
        """The mandate template (``which="contract"``: the contract's): the config's own, else the
        packaged one."""
        p = Path(self.contracts.template if which == "contract" else self.mandates.template).expanduser()
        if p.is_absolute():
            return p
        local = self.base_dir / p
        return local if local.exists() else self.config_dir / p

    def tab_names(self, region: Region | None) -> dict[str, str]:
        """Tab renames for ``region`` (the config's, then the region's own)."""
        return {**self.tabs, **(region.tabs if region else {})}

    def header_overrides(self, region: Region | None) -> dict[str, dict[str, str]]:
        """Header renames per tab for ``region`` (the config's, then the region's own)."""
        merged = {tab: dict(cols) for tab, cols in self.headers.items()}
        for tab, cols in (region.headers if region else {}).items():
            merged.setdefault(tab, {}).update(cols)
        return merged


_SECTIONS = {f.name: f.type for f in fields(Settings)}
_SECTION_CLASSES = {
    "agency": Agency, "sheets": Sheets, "presence": Presence, "suggest": Suggest, "geocode": Geocode,
    "mandates": Mandates, "smtp": Smtp, "imap": Imap, "kits": Kits, "check": Check, "limits": Limits,
    "archive": Archive, "report": Report, "worktime": WorkTime, "outbox": Outbox, "offers": Offers, "sms": Sms,
    "contracts": Contracts, "yousign": Yousign,
}
_ALIASES = {("sms", "from"): "sender"}  # a TOML key that is a Python keyword


# Numbers a setting may take: ``(name.key or key suffix): (lowest, highest)``; any other number lies
# within ±1e9 (a typo of nine zeros is refused rather than run for days).
_RANGES = {"sheets.requests_per_minute": (1, 100_000), "suggest.fairness_cap": (-1, 1_000),
           "days": (0, 3_660), "_days": (0, 3_660), "_s": (0.1, 86_400), "max_retries": (0, 100), "_hours": (0, 10_000),
           "_minutes": (0, 10_080), "_mb": (1, 100_000)}


def _figure(value: float) -> str:
    """``1 000 000 000``, ``0,1``: a bound as a person reads it."""
    text = f"{value:,.10g}" if abs(value) < 1e15 else f"{value:g}"
    return text.replace(",", " ").replace(".", ",")


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _check_table(setting: str, table: Mapping, where: str) -> None:
    """The tables of figures: their keys and values as the rules will read them."""
    if setting == "check.km_min_rates":
        for day, rate in table.items():
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(day)) or not _positive(rate):
                raise ConfigError(f'{where} : « {day} » = « {rate} » ; attendu "AAAA-MM-JJ" = taux en €/km.')
    elif setting == "check.km_scale":
        for power, rate in table.items():
            if not str(power).isdigit() or not _positive(rate):
                raise ConfigError(f'{where} : « {power} » = « {rate} » ; attendu "CV" = taux en €/km, ex. "5" = 0.636.')
    elif setting == "check.meal_ceilings":
        for year, kinds in table.items():
            if not re.fullmatch(r"\d{4}", str(year)) or not isinstance(kinds, Mapping) or not all(
                    _positive(v) for v in kinds.values()):
                raise ConfigError(f'{where} : « {year} » ; attendu "AAAA" = {{ restaurant = 21.40, '
                                  '"extérieur" = 10.40, "sur place" = 7.50 }.')


def _range_of(name: str, key: str) -> tuple[float, float]:
    if f"{name}.{key}" in _RANGES:
        return _RANGES[f"{name}.{key}"]
    for suffix, bounds in _RANGES.items():
        if suffix.startswith("_") and key.endswith(suffix) or key == suffix:
            return bounds
    return (-1e9, 1e9)


def _coerce(cls, name: str, key: str, value: Any, where: str):
    target = {f.name: f for f in fields(cls)}[key]
    default = target.default if target.default is not dataclasses.MISSING else None
    if default is None and target.default_factory is not dataclasses.MISSING:
        default = target.default_factory()
    bad = f"{where} : valeur « {str(value)[:60]} » invalide pour {name}.{key}"
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "oui", "yes")
            if not isinstance(value, (bool, int)):
                raise ValueError
            return bool(value)
        if isinstance(default, (int, float)):
            if isinstance(value, (list, dict, bool)):
                raise ValueError
            number = float(str(value).replace(",", "."))
            low, high = _range_of(name, key)
            if not math.isfinite(number) or not low <= number <= high:
                raise ConfigError(f"{bad} : attendu un nombre de {_figure(low)} à {_figure(high)}.")
            if isinstance(default, int):
                if not number.is_integer():
                    raise ValueError
                return int(number)
            return number
        if isinstance(default, str):
            if isinstance(value, (list, dict)):
                raise ValueError
            return str(value)
        if isinstance(default, Mapping):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{bad} : attendu une table [{name}.{key}].")
            _check_table(f"{name}.{key}", value, f"{where} : [{name}.{key}]")
            return dict(value)
        if isinstance(default, tuple):
            if not isinstance(value, (list, tuple)) or len(value) != len(default):
                raise ConfigError(f"{bad} : attendu une liste de {len(default)} valeurs, comme {list(default)}.")
            return tuple(int(v) for v in value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{bad}.") from None
    return value


def _section(cls, name: str, values: Mapping[str, Any], where: str):
    known = {f.name for f in fields(cls)}
    out = {}
    for key, value in values.items():
        key = _ALIASES.get((name, key), key)
        if key not in known:
            raise ConfigError(
                f"{where} : clé inconnue « {name}.{key} ». Clés possibles : {', '.join(sorted(known))}."
            )
        if name == "check" and key == "rules":
            if not isinstance(value, Mapping):
                raise ConfigError(f"{where} : check.rules doit être une table, par exemple "
                                  '[check.rules] "frais.recu_tardif" = "off".')
            for rule, level in value.items():
                if level not in ("off", "erreur", "alerte"):
                    raise ConfigError(
                        f"{where} : check.rules.{rule} = « {level} » ; attendu off, erreur ou alerte."
                    )
            out[key] = dict(value)
        else:
            out[key] = _coerce(cls, name, key, value, where)
    return out


def check_region_code(code: str, where: str) -> None:
    """A region code names output folders and mandate references: letters, digits, - and _."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,19}", code):
        raise ConfigError(f"{where} : code de région « {code[:40]} » invalide : des lettres, des chiffres, - ou _ "
                          "(20 au plus), car il nomme les dossiers de sortie. Ex. : IDF, BRE, DR1.")


def _region(values: Mapping[str, Any], where: str) -> Region:
    if not isinstance(values, Mapping):
        raise ConfigError(f"{where} : chaque région est une table [[regions]] avec code = \"…\" ; trouvé « {values} ».")
    known = {f.name for f in fields(Region)}
    for key in values:
        if key not in known:
            raise ConfigError(
                f"{where} : clé inconnue « regions.{key} ». Clés possibles : {', '.join(sorted(known))}."
            )
    if not values.get("code"):
        raise ConfigError(f"{where} : une région sans « code ».")
    if isinstance(values.get("headers"), Mapping):
        _check_renames("headers", values["headers"], where)
    check_region_code(str(values["code"]), where)
    return Region(**{k: (str(v) if isinstance(v, (int, float)) else v) for k, v in values.items()})


def _merge(base: dict, extra: Mapping, where: str) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for key, value in extra.items():
        if key not in _SECTIONS:
            raise ConfigError(
                f"{where} : section inconnue « {key} ». Sections possibles : {', '.join(sorted(_SECTIONS) )}."
            )
        if key == "regions":
            if not isinstance(value, list):
                raise ConfigError(f"{where} : les régions s'écrivent [[regions]] (une table par région), "
                                  f"pas « regions = … ».")
            out[key] = list(value)
            continue
        if not isinstance(value, dict):
            raise ConfigError(f"{where} : « {key} » doit être une section [{key}], pas une valeur "
                              f"ou une liste [[{key}]].")
        if key in ("headers", "tabs"):
            _check_renames(key, value, where)
        if isinstance(out.get(key), dict):
            merged = dict(out[key])
            for k, v in value.items():
                if isinstance(v, dict) and isinstance(merged.get(k), dict):
                    merged[k] = {**merged[k], **v}
                else:
                    merged[k] = v
            out[key] = merged
        else:
            out[key] = value
    return out


def _check_renames(key: str, value: Mapping, where: str) -> None:
    """``[tabs]`` maps a tab to its name, ``[headers.<tab>]`` a header to its name: texts only."""
    tables = value.values() if key == "headers" else [value]
    if key == "headers" and not all(isinstance(t, Mapping) for t in tables):
        raise ConfigError(f"{where} : [headers] s'écrit par onglet, par exemple [headers.Missions] "
                          '"Date" = "Date mission".')
    for table in tables:
        for name, renamed in table.items():
            if not isinstance(renamed, str):
                raise ConfigError(f"{where} : [{key}] « {name} » = « {renamed} » : attendu un texte entre "
                                  'guillemets, par exemple "Code postal" = "CP".')


_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _read_toml(path: Path) -> dict:
    """A config file as a dict, or a French ConfigError naming the file (and the line and column of
    a syntax error)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(2_000_001)
    except FileNotFoundError:
        raise ConfigError(f"Fichier de configuration introuvable : {path}") from None
    except OSError as err:
        raise ConfigError(f"{path} : fichier de configuration illisible ({err.strerror}).") from None
    if len(data) > 2_000_000:
        raise ConfigError(f"{path} : fichier de configuration de plus de 2 Mo : ce n'est pas une configuration.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} : le fichier n'est pas du texte UTF-8 (enregistrez-le en UTF-8, "
                          "par exemple avec le Bloc-notes : Enregistrer sous, Encodage UTF-8).") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _TOML_WHERE.search(str(err))
        at = f" ligne {found.group(1)}, colonne {found.group(2)}" if found else ""
        raise ConfigError(
            f"{path} :{at} : syntaxe TOML invalide ({_TOML_WHERE.sub('', str(err)).strip()}). Un nom avec "
            'un accent ou un espace s\'écrit entre guillemets : [regions.headers."Salariés"], "Code postal" = "CP".'
        ) from None
    except RecursionError:
        raise ConfigError(f"{path} : structure imbriquée trop profondément : ce n'est pas une configuration.") from None


# Variables read directly by the code, not settings: the Sheets endpoint override and the
# default SMTP password variable must not be taken for ``sheets.api`` / ``smtp.password``.
_NOT_SETTINGS = {"BACKOFFICE_SHEETS_API", "BACKOFFICE_SMTP_PASSWORD", "BACKOFFICE_IMAP_PASSWORD",
                 "BACKOFFICE_SMS_AUTH_TOKEN", "BACKOFFICE_YOUSIGN_API_KEY"}


def _env_overrides(environ: Mapping[str, str]) -> dict:
    out: dict[str, dict] = {}
    for name, value in environ.items():
        if not name.startswith("BACKOFFICE_") or name in _NOT_SETTINGS:
            continue
        rest = name[len("BACKOFFICE_"):].lower()
        section, _, key = rest.partition("_")
        if section in _SECTION_CLASSES and key:
            # Checked here, so that a typo is blamed on the variable, not on a TOML file.
            _section(_SECTION_CLASSES[section], section, {key: value}, f"Variable d'environnement {name}")
            out.setdefault(section, {})[key] = value
    return out


def load_settings(
    path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Defaults, then the file at ``path``, then ``BACKOFFICE_<SECTION>_<KEY>``, then ``overrides``."""
    cdir = config_dir()
    raw = _read_toml(cdir / "defaults.toml")
    raw = _merge({}, raw, str(cdir / "defaults.toml"))
    base_dir = Path.cwd()
    if path is not None:
        path = Path(path)
        raw = _merge(raw, _read_toml(path), str(path))
        base_dir = path.resolve().parent
    raw = _merge(raw, _env_overrides(os.environ if environ is None else environ), "environnement")
    if overrides:
        raw = _merge(raw, overrides, "ligne de commande")
    kwargs: dict[str, Any] = {"base_dir": base_dir, "config_dir": cdir,
                              "source": path.resolve() if path is not None else None}
    where = str(path or cdir / "defaults.toml")
    for name, cls in _SECTION_CLASSES.items():
        kwargs[name] = cls(**_section(cls, name, raw.get(name, {}), where))
    kwargs["headers"] = raw.get("headers", {})
    kwargs["tabs"] = raw.get("tabs", {})
    kwargs["regions"] = tuple(_region(r, where) for r in raw.get("regions", []))
    codes = [r.code.casefold() for r in kwargs["regions"]]
    if len(codes) != len(set(codes)):
        raise ConfigError(f"{where} : un code de région apparaît deux fois.")
    return Settings(**kwargs)
