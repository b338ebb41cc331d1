"""Kit jobs: order the kits of the coming missions, import the partner's tracking file.

An order is, in one write: the mission's ``Kit statut`` and ``N° commande kit``, the memory of
what it was made for (``État``, ``kit:<N° commande>``: mission, employee, date, kit, when; the
contract has no column for it, the check reads it to spot orders to correct), and its line for
the partner as a row of the outbox (``Envois``). The partner's file is built from the outbox
rows this run's write took, then each row is marked ``fait`` with the file's name: an order in
the sheet is in exactly one file line, whatever run dies where. A cancellation is the same,
with ``Kit annulé le`` and the partner's cancellation file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generators.kit_orders import write_orders
from rules.calendar import subtract_working_days
from rules.kits import KitOrder, is_region_order, missions_to_order, order_number, status_rank, token
from sheets_sync.errors import InputError
from sheets_sync.findings import ALERTE, ERREUR, Finding
from sheets_sync.parsing import display_phone, format_date
from sheets_sync.workbook import WorkbookData
from rules.job_findings import KIT_ORDER_IMPOSSIBLE, KIT_TRACKING_LINE

from ..kit_tracking import Rejected, read_tracking
from .base import ActResult, JobContext, JobResult, Table
from .memory import KIT, records
from .outbox import Outbox, memory, outbox

TASK_ORDER = "kits"
TASK_IMPORT = "kits-suivi"
SIDECAR = "commandes.json"
RULE_ORDER_IMPOSSIBLE = KIT_ORDER_IMPOSSIBLE
RULE_TRACKING_LINE = KIT_TRACKING_LINE

__all__ = ["kits_order_step", "kits_import_step", "load_kit_orders"]


ORDER, CANCEL = "commande kit", "annulation kit"  # the outbox rows' Type


def kits_dir(ctx: JobContext) -> Path:
    """Where the region's kit files go: ``<out>/<region>/kits``."""
    return ctx.out_dir() / "kits"


def load_kit_orders(data: WorkbookData, ctx: JobContext) -> dict[str, dict]:
    """The orders made so far for the region: order number -> {mission, employee, date, kit,
    ordered_at}; ``{}`` when none was made. Given to the check as ``RuleContext.kit_orders``."""
    return records(data, ctx, KIT)


def _payload(order: KitOrder) -> dict:
    """An order line as the outbox keeps it: any machine can write it to a partner's file."""
    return {"number": order.number, "mission": order.mission, "kit": order.kit, "recipient": order.recipient,
            "address": order.address, "postal_code": order.postal_code, "city": order.city, "phone": order.phone,
            "deliver_by": order.deliver_by.isoformat(), "employee": order.employee, "date": order.date.isoformat(),
            "urgent": order.urgent}


def _order(payload: dict) -> KitOrder:
    import datetime as dt

    fields = {k: payload[k] for k in KitOrder.__dataclass_fields__ if k in payload}
    return KitOrder(**{**fields, "deliver_by": dt.date.fromisoformat(payload["deliver_by"]),
                       "date": dt.date.fromisoformat(payload["date"])})


def _in_file(path: str, number: str) -> bool:
    """Whether the partner's file a dead run wrote holds this order (it was written whole)."""
    try:
        return bool(path) and number.encode("utf-8") in Path(path).read_bytes()
    except OSError:
        return False


@dataclass(frozen=True)
class KitOrderOptions:
    """``kits order`` (and the kits step of ``run``): horizon, order file, its format."""

    days: int | None = None  # --days (default: kits.days)
    out: str | None = None  # --out FILE
    xlsx: bool = False  # --xlsx


def _order_file(ctx: JobContext, options: KitOrderOptions) -> Path:
    xlsx = options.xlsx
    given = options.out
    if given:
        return Path(given)
    return _unused_path(kits_dir(ctx), f"commande_kits_{ctx.now:%Y%m%d-%H%M}", ".xlsx" if xlsx else ".csv")


def _unused_path(folder: Path, stem: str, ext: str) -> Path:
    """``folder/stem.ext``, or ``stem-2.ext``…: two runs in one minute never overwrite a file
    already sent to the partner."""
    path, n = folder / f"{stem}{ext}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{ext}"
    return path


# --- order -----------------------------------------------------------------------------------

def _send_orders(ctx: JobContext, options: KitOrderOptions, box: Outbox, numbers: list[str], report,
                 done: ActResult) -> None:
    """The act of the order step: the partner's file holds exactly the orders whose outbox rows
    this run's write took (new ones, or ones a run that died left); each row is then ``fait``
    with the file's name. A row whose file the dead run had already written is only marked."""
    mine = [row for row in (box.mine(report, f"kit:{n}") for n in numbers) if row is not None]
    already = [row for row in mine if _in_file(row.data.get("fichier", ""), row.data.get("number", ""))]
    todo = [row for row in mine if row not in already]
    for row in already:
        box.done(done.changes, row, row.data["fichier"])
    if not todo:
        done.summary.append(("fichier", "aucun (rien de nouveau dans le classeur)"))
        return
    path = Path(todo[0].data.get("fichier") or _order_file(ctx, options))
    if path.exists() and not options.out:
        path = _order_file(ctx, options)
    written = write_orders([_order(row.data) for row in todo], path, xlsx=options.xlsx)
    for row in todo:
        box.done(done.changes, row, str(written))
    done.files.append(written)
    done.summary.append(("fichier", str(written)))
    if len(mine) < len(numbers):
        done.summary.append(("commandes non passées (classeur modifié entre-temps)", len(numbers) - len(mine)))


def _act(ctx: JobContext, options: KitOrderOptions, box: Outbox, numbers: list[str], cancels: list[list[str]],
         report) -> ActResult:
    done = ActResult()
    if numbers:
        _send_orders(ctx, options, box, numbers, report, done)
    if cancels:
        _send_cancellations(ctx, box, cancels, report, done)
    return done


def _cancellations(missions, employees: pd.DataFrame, memory: dict[str, dict], ctx: JobContext,
                   result: JobResult, box: Outbox) -> list[list[str]]:
    """Plan the cancellation of the kits ordered for missions now « Annulée »: ``Kit annulé le``
    in the sheet and an outbox row, then one line of the partner's cancellation file (the act),
    once per order."""
    df = missions.df
    today = format_date(ctx.now)
    lines = []
    for number, record in sorted(memory.items()):
        key = str(record.get("mission", ""))
        if record.get("annule_le") or key not in df.index or df.at[key, "Statut"] != "Annulée":
            continue
        status = str(df.at[key, "Kit statut"]).strip()
        if status == "Retourné" or str(df.at[key, "N° commande kit"]).strip().upper() != number.upper():
            continue
        shown = df.at[key, "Kit annulé le"]
        result.changes.add(TASK_ORDER, missions.change(key, "Kit annulé le", today) if pd.isna(shown) else None)
        who = str(record.get("employee", ""))
        name = (f"{employees.at[who, 'Prénom']} {employees.at[who, 'Nom']}".strip() if who in employees.index else who)
        line = [number, key, str(record.get("kit", "")), name, status or "Commandé",
                today if pd.isna(shown) else format_date(shown)]
        planned = box.plan(result.changes, f"annulation-kit:{number}", CANCEL, key, "partenaire logistique",
                           {"ligne": line}, follows=(missions.name, key, "Kit annulé le") if pd.isna(shown) else None)
        if planned is not None:
            lines.append(line)
    if lines:
        result.summary.append(("annulations de kits", len(lines)))
        result.tables.append(Table("Kits à annuler", ["N° commande", "N° mission", "Kit", "Statut du kit"],
                                   [[n, k, kit, st] for n, k, kit, _d, st, _w in lines]))
    return lines


def _send_cancellations(ctx: JobContext, box: Outbox, lines: list[list[str]], report, done: ActResult) -> None:
    """The partner's cancellation file for the outbox rows this run's write took; each row
    ``fait`` and the memory's ``annule_le`` in the follow-up write."""
    from generators.kit_orders import write_cancellations

    mine = [row for row in (box.mine(report, f"annulation-kit:{line[0]}") for line in lines) if row is not None]
    if not mine:
        return
    path = _unused_path(kits_dir(ctx), f"annulation_kits_{ctx.now:%Y%m%d-%H%M}", ".csv")
    done.files.append(write_cancellations([row.data["ligne"] for row in mine], path))
    store = memory(box.data)
    for row in mine:
        box.done(done.changes, row, str(path))
        store.update(KIT, row.data["ligne"][0], annule_le=ctx.now.strftime("%Y-%m-%d %H:%M"))
    done.summary.append(("fichier d'annulation", str(path)))


def outbox_memory(data: WorkbookData, ctx: JobContext) -> tuple:
    """The run's memory and the kits step's view of its outbox."""
    return memory(data), outbox(data, ctx, TASK_ORDER)


def _left_over(box: Outbox, missions, result: JobResult) -> list[str]:
    """Order lines still to do that a run which is over left behind: claimed for this run; the
    line of a mission cancelled since, or whose order number changed, is dropped instead."""
    from rules.outbox import DROPPED, PENDING
    from sheets_sync.state import set_row

    out = []
    df = missions.df
    for row in box.rows(ORDER):
        if row.effect in box.planned or row.state not in PENDING:
            continue
        number = row.effect.removeprefix("kit:")
        wanted = row.mission in df.index and df.at[row.mission, "Statut"] != "Annulée" \
            and str(df.at[row.mission, "N° commande kit"]).strip().upper() == number.upper()
        if not wanted:
            if box.state_of(row.effect) == "":  # not another live run's: no longer needed
                set_row(result.changes, box.task, row, state=DROPPED, detail="plus nécessaire (mission changée)")
            continue
        if box.plan(result.changes, row.effect, ORDER, row.mission, row.to) is not None:
            out.append(number)
    if out:
        result.summary.append(("commandes reprises d'une exécution interrompue", len(out)))
    return out


def _free_number(base: str, used: set[str]) -> str:
    number, n = base, 1
    while number.upper() in used:
        n += 1
        number = f"{base}-{n}"
    return number


def kits_order_step(data: WorkbookData, ctx: JobContext, options: KitOrderOptions = KitOrderOptions()) -> JobResult:
    """Order the kits of the missions of the next ``kits.days`` days (``--days``)."""
    result = JobResult(TASK_ORDER)
    missions, employees = data["Missions"], data["Salariés"]
    days = ctx.settings.kits.days if options.days is None else int(options.days)
    memory = load_kit_orders(data, ctx)
    store, box = outbox_memory(data, ctx)
    ordered_mission = {str(rec.get("mission")): number for number, rec in memory.items()}
    used = {n.upper() for n in memory}
    used |= {str(n).strip().upper() for n in missions.df["N° commande kit"] if str(n).strip()}
    order_file = _order_file(ctx, options)
    orders: list[KitOrder] = []
    restored = 0
    for key, row in missions_to_order(missions.df, pd.Timestamp(ctx.now.date()), days).iterrows():
        key = str(key)
        if key in ordered_mission:
            # Ordered by an earlier version whose write did not reach the sheet: restore, never re-order.
            result.changes.add(TASK_ORDER, missions.change(key, "Kit statut", "Commandé"))
            result.changes.add(TASK_ORDER, missions.change(key, "N° commande kit", ordered_mission[key]))
            restored += 1
            continue
        order = _new_order(data, ctx, key, row, used, result)
        if order is None:
            continue
        orders.append(order)
        result.changes.add(TASK_ORDER, missions.change(key, "Kit statut", "Commandé"))
        result.changes.add(TASK_ORDER, missions.change(key, "N° commande kit", order.number), follows="Kit statut")
        placed = (missions.name, key, "N° commande kit")  # the memory and the partner's line follow the number
        store.put(KIT, order.number, order.memory(ctx.now), follows=placed)
        box.plan(result.changes, f"kit:{order.number}", ORDER, key, "partenaire logistique",
                 {**_payload(order), "fichier": str(order_file)}, follows=placed)
    # lines a run that died planned and never put in a file: this run's file takes them
    numbers = [o.number for o in orders] + _left_over(box, missions, result)
    cancels = _cancellations(missions, employees.df, memory, ctx, result, box)
    if numbers or cancels:
        result.act = lambda report: _act(ctx, options, box, numbers, cancels, report)
    _order_summary(result, orders, restored)
    return result


def _new_order(data: WorkbookData, ctx: JobContext, key: str, row, used: set[str], result: JobResult) -> KitOrder | None:
    """The order of one mission's kit, or ``None`` with a finding (unknown employee, incomplete
    address); its number is taken from ``used``."""
    missions, employees = data["Missions"], data["Salariés"]
    matricule = str(row["Salarié"]).strip()
    if matricule not in employees.df.index:
        ref = missions.cell_of(key, "Salarié")
        result.findings.append(Finding(
            RULE_ORDER_IMPOSSIBLE, ALERTE, missions.title, ref, key,
            f"{ref} : salarié « {matricule} » introuvable dans {employees.title} (ou sa ligne est "
            f"illisible) : kit « {row['Kit']} » non commandé. Corrigez le matricule ou la fiche.", "Salarié"))
        return None
    person = employees.df.loc[matricule]
    address = [str(person[c]).strip() for c in ("Adresse", "Code postal", "Ville")]
    if not all(address):
        ref = employees.cell_of(matricule, "Adresse")
        result.findings.append(Finding(
            RULE_ORDER_IMPOSSIBLE, ALERTE, employees.title, ref, matricule,
            f"{ref} : adresse de {person['Prénom']} {person['Nom']} incomplète (Adresse, Code "
            f"postal, Ville) : kit « {row['Kit']} » de la mission {key} non commandé. "
            "Complétez l'adresse.", "Adresse"))
        return None
    number = _free_number(order_number(ctx.region.code, key), used)
    used.add(number.upper())
    date = row["Date"].date()
    deliver_by = subtract_working_days(date, ctx.settings.kits.lead_working_days)
    return KitOrder(number=number, mission=key, kit=str(row["Kit"]).strip(),
                    recipient=f"{person['Prénom']} {person['Nom']}".strip(),
                    address=address[0], postal_code=address[1], city=address[2],
                    phone=display_phone(person["Téléphone"]),
                    deliver_by=deliver_by, employee=matricule, date=date, urgent=deliver_by <= ctx.now.date())


def _order_summary(result: JobResult, orders: list[KitOrder], restored: int) -> None:
    result.summary.append(("commandes de kits", len(orders)))
    late = [o.mission for o in orders if o.urgent]
    if late:  # the partner's lead time is gone: it must rush them, the CDBO may phone it
        result.summary.append(("dont urgentes (livraison due au plus tard aujourd'hui)",
                               f"{len(late)} : {', '.join(late[:10])}{' …' if len(late) > 10 else ''}"))
    if restored:
        result.summary.append(("commandes rétablies dans le classeur", restored))
    if orders:
        result.tables.append(Table(
            "Kits commandés",
            ["N° commande", "N° mission", "Kit", "Destinataire", "Ville", "Livrer avant", "Urgence"],
            [[o.number, o.mission, o.kit, o.recipient, o.city, format_date(o.deliver_by), "URGENT" if o.urgent else ""]
             for o in orders],
        ))


# --- import ----------------------------------------------------------------------------------

def kits_import_step(data: WorkbookData, ctx: JobContext, tracking_file: str | None = None) -> JobResult:
    """Set ``Kit statut`` and ``N° suivi`` from the partner's tracking file."""
    result = JobResult(TASK_IMPORT)
    if not tracking_file:
        raise InputError("Aucun fichier de suivi des kits donné.")
    path = Path(tracking_file)
    lines, rejected = read_tracking(path)
    read = len(lines) + len(rejected)
    severity = {r.line: ERREUR for r in rejected}
    missions = data["Missions"]
    df = missions.df
    best, other = _furthest_statuses(data, ctx, lines, rejected, severity)
    applied = unchanged = 0
    for key, (_number, line) in best.items():
        if line.status == str(df.at[key, "Kit statut"]).strip():
            unchanged += 1  # the partner repeats a status already known: nothing to change
            continue
        result.changes.add(TASK_IMPORT, missions.change(key, "Kit statut", line.status))
        if line.tracking:
            result.changes.add(TASK_IMPORT, missions.change(key, "N° suivi", line.tracking))
        applied += 1
    rejected.sort(key=lambda r: r.line)
    for r in rejected:
        result.findings.append(Finding(
            RULE_TRACKING_LINE, severity[r.line], path.name, "", r.number,
            f"{path.name} ligne {r.line} : {r.reason} ; ligne non appliquée.", ""))
    result.needs_attention = bool(rejected)
    result.summary += [("lignes lues", read), ("kits mis à jour", applied),
                       ("déjà à jour", unchanged), ("lignes rejetées", len(rejected))]
    if other:
        result.summary.append(("lignes d'autres régions", other))
    return result


def _furthest_statuses(data: WorkbookData, ctx: JobContext, lines, rejected: list, severity: dict) -> tuple[dict, int]:
    """Per mission, the tracking line with the furthest status (mission -> (number, line)), and
    how many lines were another region's; the lines that cannot apply go to ``rejected``."""
    missions = data["Missions"]
    df = missions.df
    by_number: dict[str, list[str]] = {}
    for key, number in df["N° commande kit"].items():
        if str(number).strip():
            by_number.setdefault(str(number).strip().upper(), []).append(str(key))
    other_regions = {r.code for r in ctx.settings.regions if token(r.code) != token(ctx.region.code)}
    best: dict[str, tuple[str, object]] = {}
    other = 0
    for line in lines:
        number = line.number.upper()
        keys = by_number.get(number, [])
        if not keys:
            if any(is_region_order(number, code) for code in other_regions):
                other += 1  # another region's order: that region's import applies it
                continue
            problem = (f"N° commande « {line.number} » inconnu : aucune mission de {missions.title} n'a ce "
                       "N° commande kit. Vérifiez le numéro avec le logisticien")
        elif len(keys) > 1:
            problem = (f"N° commande « {line.number} » présent sur plusieurs missions ({', '.join(keys)}). "
                       "Corrigez la colonne N° commande kit")
        else:
            problem = ""
        if problem:
            rejected.append(Rejected(line.line, line.number, problem))
            severity[line.line] = ERREUR
            continue
        key = keys[0]
        current = str(df.at[key, "Kit statut"]).strip()
        if status_rank(line.status) < status_rank(current):
            rejected.append(Rejected(
                line.line, line.number,
                f"statut « {line.status} » alors que le kit de la mission {key} est déjà « {current} » "
                f"({missions.cell_of(key, 'Kit statut')}) : un statut ne revient pas en arrière. "
                "Vérifiez avec le logisticien"))
            severity[line.line] = ALERTE
            continue
        kept = best.get(key)
        if kept is None or status_rank(line.status) >= status_rank(kept[1].status):
            best[key] = (number, line)
    return best, other
