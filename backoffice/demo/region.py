"""One demo region drawn from a seeded ``random.Random``: employees, stores, brands, missions,
expense lines and the IVR calls of the demo day, clean except for the planted anomalies.

The clean data passes every rule of the daily check; one day and one seed give the same data.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from rules.calendar import subtract_working_days
from rules.geo import haversine_km as geo_haversine_km
from sheets_sync.parsing import parse_phone

from . import data
from .planted import (CLEAN_MISSIONS, CLEAN_NOTES, MISSING_BRAND, RECIPES, REGION_DIGIT, REGION_RECIPES,
                      UNKNOWN_CALLER, clean_employees, mission_key)

SEED = 2098  # the sector's collective agreement (IDCC 2098)
STORES_PER_REGION = 40
OPEN_MISSIONS = 14  # clean missions « À pourvoir », 8 to 13 days ahead, left to `suggest`
FIRST_DAY, LAST_DAY = -7, 13  # the missions' window around the demo day
TIME_SLOTS = ((9, 0, 17, 0), (9, 30, 17, 30), (10, 0, 18, 0), (8, 30, 16, 30), (9, 0, 16, 0),
              (12, 0, 19, 0), (10, 0, 19, 0))  # 7 h at least: the sector's minimum day
MAX_DAYS_PER_WEEK = 4  # clean schedules stay far below the 6 days / 48 h limits


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km: the rules' own (one copy of the fact)."""
    return float(geo_haversine_km(lat1, lon1, lat2, lon2))


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


def _phone(rng: random.Random, prefix: str, used: set[str]) -> str:
    while True:
        digits = prefix + "".join(str(rng.randint(0, 9)) for _ in range(8))
        text = " ".join(digits[i:i + 2] for i in range(0, 10, 2))
        try:
            e164 = parse_phone(text)
        except ValueError:
            continue
        if not e164.startswith("+33"):
            continue  # an overseas block (06 92…: Réunion): the demo's regions are metropolitan
        if e164 not in used:
            used.add(e164)
            return text


@dataclass
class Employee:
    """A demo employee being built, with the days and hours already booked."""
    row: dict
    lat: float
    lon: float
    brands: set[str]
    skills: set[str]
    radius: float
    off: set[dt.date] = field(default_factory=set)
    busy: dict[dt.date, list[tuple[dt.time, dt.time]]] = field(default_factory=dict)

    @property
    def matricule(self) -> str:
        """The employee's Matricule."""
        return self.row["Matricule"]

    def days_in_week(self, day: dt.date) -> int:
        """Days already booked in the week of ``day``."""
        week = day.isocalendar()[:2]
        return sum(1 for d in self.busy if d.isocalendar()[:2] == week)

    def can_work(self, store: dict, brand: str, mtype: str, day: dt.date) -> bool:
        """Whether this employee may take that mission: skill, training, rest and weekly days."""
        return (self.row["Statut"] == "Actif" and brand in self.brands and mtype in self.skills
                and day not in self.off and day not in self.busy
                and self.days_in_week(day) < MAX_DAYS_PER_WEEK
                and haversine_km(self.lat, self.lon, store["Latitude"], store["Longitude"]) <= self.radius)

    def book(self, day: dt.date, start: dt.time, end: dt.time) -> None:
        """Record a mission's day and hours."""
        self.busy.setdefault(day, []).append((start, end))


class RegionBuilder:
    """Builds one region's tabs (rows as dicts) and its IVR calls."""

    def __init__(self, code: str, day: dt.date, rng: random.Random, used_phones: set[str]):
        self.code, self.day, self.rng = code, day, rng
        self.digit = REGION_DIGIT[code]
        self.towns = data.TOWNS[code]
        self.used_phones = used_phones
        self.used_emails: set[str] = set()
        self.brands = data.BRANDS
        self.brand_by_name = {b.name: b for b in self.brands}
        self.stores: list[dict] = []
        self.employees: list[Employee] = []
        self.missions: list[dict] = []
        self.trainings: list[dict] = []
        self.time_off: list[dict] = []
        self.notes: list[dict] = []
        self.calls: list[tuple[dt.datetime, str, str, str]] = []
        self.order_n = 0

    # ---- helpers
    def d(self, offset: int) -> dt.date:
        """The demo day plus ``offset`` days."""
        return self.day + dt.timedelta(days=offset)

    def town(self) -> data.Town:
        """A town of the region, drawn by weight."""
        return self.rng.choices(self.towns, weights=[t.weight for t in self.towns])[0]

    def person_name(self) -> tuple[str, str, str]:
        """An invented (last name, first name, e-mail), the e-mail unique in the region."""
        first, last = self.rng.choice(data.FIRST_NAMES), self.rng.choice(data.LAST_NAMES)
        base = f"{_ascii(first)}.{_ascii(last)}"
        email, n = f"{base}@{self.rng.choice(data.EMAIL_DOMAINS)}", 1
        while email in self.used_emails:
            n += 1
            email = f"{base}{n}@{email.split('@')[1]}"
        self.used_emails.add(email)
        return last, first, email

    def working_day_before(self, day: dt.date) -> dt.date:
        """The working day before ``day`` (French public holidays)."""
        return subtract_working_days(day, 1)

    # ---- reference tabs
    def make_brands(self) -> list[dict]:
        """The Marques rows."""
        rows = []
        for b in self.brands:
            last, first, _ = self.person_name()
            rows.append({
                "Marque": b.name, "Raison sociale": b.legal_name,
                "Adresse": f"{b.street}, {b.postal_code} {b.city}",
                "Signataire": f"{first} {last}", "Fonction signataire": self.rng.choice(data.SIGNATORY_ROLES),
                "Email": f"trade.{_ascii(b.name)[:14]}@example.net",
            })
        return rows

    def make_stores(self) -> None:
        """The Magasins rows."""
        prefix = data.LANDLINE[self.code]
        for n in range(1, STORES_PER_REGION + 1):
            town = self.town()
            chain = self.rng.choice(data.CHAINS)
            code = f"{self.code}{n:03d}"
            self.stores.append({
                "Code magasin": code, "Enseigne": chain,
                "Nom": f"{chain} {town.name} {self.rng.choice(data.STORE_SUFFIXES)}",
                "Adresse": f"{self.rng.randint(1, 120)} {self.rng.choice(data.STORE_STREETS)}",
                "Code postal": town.postal_code, "Ville": town.name,
                "Latitude": round(town.lat + self.rng.uniform(-0.012, 0.012), 5),
                "Longitude": round(town.lon + self.rng.uniform(-0.015, 0.015), 5),
                "Email": f"direction.{code.lower()}@example.com",
                "Téléphone": _phone(self.rng, prefix, self.used_phones),
                "Délai mandat": self.rng.choice((7, 7, 10, 14)),
            })

    def new_employee(self, n: int, town: data.Town | None = None, *, brands: Iterable[str] = (),
                     skills: Iterable[str] = (), statut: str = "Actif", medical_days: int | None = None,
                     phone: str | None = None) -> Employee:
        """A new invented employee living in ``town``."""
        town = town or self.town()
        last, first, email = self.person_name()
        lat = round(town.lat + self.rng.uniform(-0.01, 0.01), 5)
        lon = round(town.lon + self.rng.uniform(-0.013, 0.013), 5)
        skills = set(skills) | set(self.rng.sample(data.SKILLS[:4], self.rng.randint(2, 4)))
        if self.rng.random() < 0.2:
            skills.add("anglais")
        medical = self.d(-(medical_days if medical_days is not None else self.rng.randint(30, 680)))
        row = {
            "Matricule": f"S{self.digit}{n:03d}", "Nom": last, "Prénom": first,
            "Téléphone": phone or _phone(self.rng, self.rng.choice(("06", "07")), self.used_phones),
            "Email": email, "Adresse": f"{self.rng.randint(1, 80)} {self.rng.choice(data.STREETS)}",
            "Code postal": town.postal_code, "Ville": town.name, "Latitude": lat, "Longitude": lon,
            "Compétences": ", ".join(s for s in data.SKILLS if s in skills),
            "Rayon km": self.rng.choice((30, 40, 50, 60)), "Visite médicale": medical, "Statut": statut,
            "DPAE": medical,  # declared on the day of the hiring's medical check (no draw: the demo stays the same)
        }
        emp = Employee(row, lat, lon, set(brands), skills, float(row["Rayon km"]))
        for brand in sorted(emp.brands):
            self.train(emp, brand)
        return emp

    def train(self, emp: Employee, brand: str) -> None:
        """Give the employee a training for ``brand``."""
        valid = "" if self.rng.random() < 0.6 else self.d(self.rng.randint(60, 500))
        self.trainings.append({"Matricule": emp.matricule, "Marque": brand,
                               "Module": f"Produits {self.brand_by_name[brand].product}",
                               "Date": self.d(-self.rng.randint(60, 700)), "Valide jusqu'au": valid})
        emp.brands.add(brand)

    def make_employees(self) -> None:
        """The clean employees of the region, with their trainings and days off."""
        names = [b.name for b in self.brands]
        for n in range(1, clean_employees(self.code) + 1):
            brands = self.rng.sample(names, self.rng.randint(3, 6))
            statut = "Inactif" if n % 25 == 0 else "Actif"
            emp = self.new_employee(n, brands=brands, statut=statut)
            if self.rng.random() < 0.3:  # an old training, expired, for another brand
                other = self.rng.choice([b for b in names if b not in emp.brands])
                self.trainings.append({"Matricule": emp.matricule, "Marque": other, "Module": "Initiation",
                                       "Date": self.d(-self.rng.randint(800, 1000)),
                                       "Valide jusqu'au": self.d(-self.rng.randint(200, 400))})
            if self.rng.random() < 0.12:
                start = self.rng.randint(FIRST_DAY, LAST_DAY - 2)
                end = start + self.rng.randint(1, 6)
                emp.off = {self.d(o) for o in range(start, end + 1)}
                self.time_off.append({"Matricule": emp.matricule, "Du": self.d(start), "Au": self.d(end),
                                      "Motif": self.rng.choice(data.TIME_OFF_REASONS)})
            self.employees.append(emp)

    # ---- missions
    def operations(self) -> list[dict]:
        """The promotions of the period: brand, theme, stores, kit."""
        ops = []
        for brand in self.brands:
            for _ in range(2):
                stores = self.rng.sample(self.stores, self.rng.randint(6, 12))
                ops.append({"brand": brand, "theme": self.rng.choice(data.OPERATION_THEMES),
                            "stores": stores, "kit": brand.kit if self.rng.random() < 0.6 else ""})
        return ops

    def lifecycle(self, m: dict, store: dict, emp: Employee | None) -> dict:
        """The status columns a clean mission has on the demo day."""
        rng, day, date = self.rng, self.day, m["Date"]
        offset = (date - day).days
        start = dt.datetime.combine(date, m["Début"])
        m.update({"Suggestions": "", "Mandat": "", "Mandat fichier": "", "Mandat envoyé le": "",
                  "Kit statut": "", "N° commande kit": "", "N° suivi": "", "Présence": "",
                  "Heure appel": "", "Commentaire": "", "CR reçu": ""})
        if emp is None:
            m.update({"Salarié": "", "Statut": "À pourvoir", "Contrat": "", "Kit": ""})
            return m
        m["Salarié"] = emp.matricule
        if offset <= 2:  # the contract's DPAE, made two days before the hire (within R1221-5's 8 days)
            m["DPAE"] = date - dt.timedelta(days=2)
        if offset < 0:
            m["Statut"], m["Contrat"] = "Réalisée", "Signé"
            if offset <= -3 or rng.random() < 0.5:
                m["CR reçu"] = min(date + dt.timedelta(days=rng.randint(0, 2)), day)
            m["Présence"] = "Confirmée"
            m["Heure appel"] = (start - dt.timedelta(minutes=rng.randint(5, 40))).time()
        elif offset == 0:
            m["Statut"], m["Contrat"] = "Confirmée", "Signé"
        else:
            m["Statut"] = "Confirmée" if offset <= 10 or rng.random() < 0.6 else "Proposée"
            if offset <= 3:
                m["Contrat"] = "Signé"
            elif offset <= 10:
                m["Contrat"] = rng.choice(("Signé", "Envoyé"))
            else:
                m["Contrat"] = rng.choice(("À envoyer", "Envoyé", ""))
        delay = store["Délai mandat"]
        if offset <= delay:
            m["Mandat"] = "Accusé"
            m["Mandat envoyé le"] = min(date - dt.timedelta(days=delay + rng.randint(0, 3)), day)
        if m["Kit"]:
            deliver_by = self.working_day_before(date)
            if offset < 0:
                status = "Retourné"
            elif deliver_by <= day:
                status = "Livré"
            elif deliver_by <= self.d(3):
                status = "Expédié"
            else:
                status = ""
            if status:
                self.order_n += 1
                m["Kit statut"] = status
                m["N° commande kit"] = f"CK-{self.code}-{self.order_n:04d}"
                m["N° suivi"] = f"TRK{self.digit}{rng.randint(10**8, 10**9 - 1)}"
        return m

    def mission_row(self, op: dict, store: dict, date: dt.date, slot: tuple) -> dict:
        """A mission row of an operation, without its number and staffing."""
        brand = op["brand"]
        return {
            "N° mission": "", "Opération": f"{brand.name} — {op['theme']}", "Marque": brand.name,
            "Code magasin": store["Code magasin"], "Type": brand.mission_type,
            "Compétences requises": brand.mission_type, "Date": date,
            "Début": dt.time(slot[0], slot[1]), "Fin": dt.time(slot[2], slot[3]), "Kit": op["kit"],
        }

    def candidates(self, store: dict, brand: data.Brand, date: dt.date, pool=None) -> list[Employee]:
        """The employees who may take the mission."""
        return [e for e in (pool or self.employees) if e.can_work(store, brand.name, brand.mission_type, date)]

    def mission_dates(self) -> list[dt.date]:
        """The days missions fall on (no Sunday, but the demo day)."""
        dates = [self.d(o) for o in range(FIRST_DAY, LAST_DAY + 1)]
        return [d for d in dates if d.weekday() != 6 or d == self.day]

    def make_missions(self, ops: list[dict]) -> None:
        """The clean missions, past ones done and reported, future ones staffed or to staff."""
        rng = self.rng
        dates = self.mission_dates()
        staffed = CLEAN_MISSIONS - OPEN_MISSIONS
        plan = [dates[i % len(dates)] for i in range(staffed)]
        plan.sort()
        for date in plan:
            for _ in range(200):
                op = rng.choice(ops)
                store = rng.choice(op["stores"])
                slot = rng.choice(TIME_SLOTS)
                if date == self.day and rng.random() < 0.6:
                    slot = rng.choice(TIME_SLOTS[:5])  # most of today's missions start in the morning
                pool = self.candidates(store, op["brand"], date)
                if pool:
                    emp = rng.choice(pool)
                    m = self.mission_row(op, store, date, slot)
                    emp.book(date, m["Début"], m["Fin"])
                    self.missions.append(self.lifecycle(m, store, emp))
                    break
            else:
                raise RuntimeError(f"demo {self.code}: no employee for a mission on {date}")
        far = [m for m in self.missions if (m["Date"] - self.day).days >= 5 and not m["Kit"]]
        for m in rng.sample(far, 4):  # a few cancelled by the store, far ahead
            m.update({"Statut": "Annulée", "Mandat": "", "Mandat envoyé le": "",
                          "Commentaire": "Annulée par l'enseigne"})
        open_stores = [s for s in self.stores if s["Délai mandat"] == 7]
        made = 0
        while made < OPEN_MISSIONS:
            date = self.d(rng.randint(8, LAST_DAY))
            op = rng.choice(ops)
            store = rng.choice(open_stores)
            if len(self.candidates(store, op["brand"], date)) < 3:
                continue
            m = self.mission_row(op, store, date, rng.choice(TIME_SLOTS[:4]))
            self.missions.append(self.lifecycle(m, store, None))
            made += 1
        self.missions.sort(key=lambda m: (m["Date"], m["Début"], m["Code magasin"]))
        for n, m in enumerate(self.missions, 1):
            m["N° mission"] = mission_key(self.code, n)

    # ---- expenses
    def expense_lines(self, m: dict, emp: Employee, store: dict) -> list[dict]:
        """The expense lines of a worked mission."""
        rng, date = self.rng, m["Date"]
        received = min(date + dt.timedelta(days=rng.randint(1, 6)), self.day)
        status = "Validée" if (self.day - received).days >= 3 and rng.random() < 0.7 else "Soumise"
        base = {"Matricule": emp.matricule, "N° mission": m["N° mission"], "Date": date,
                "Km": "", "Justificatif": "oui", "Statut": status, "Reçue le": received}
        lines = []
        if rng.random() < 0.85:
            lines.append({**base, "Catégorie": "repas", "Montant": rng.randint(90, 199) / 10})
        round_trip = 2 * haversine_km(emp.lat, emp.lon, store["Latitude"], store["Longitude"])
        if round_trip >= 8 and rng.random() < 0.7:
            km = int(round_trip * rng.uniform(1.0, 1.15))
            amount = round(km * 0.29, 2)  # the sector's minimum rate (0,29 €/km since 1 March 2025)
            lines.append({**base, "Catégorie": "km", "Montant": amount, "Km": km, "Justificatif": "non"})
        if rng.random() < 0.12:
            lines.append({**base, "Catégorie": "transport", "Montant": rng.randint(35, 250) / 10})
        return lines

    def make_notes(self) -> None:
        """The Notes de frais rows of the worked missions."""
        by_id = {e.matricule: e for e in self.employees}
        stores = {s["Code magasin"]: s for s in self.stores}
        lines = []
        for m in self.missions:
            if m["Statut"] == "Réalisée":
                lines += self.expense_lines(m, by_id[m["Salarié"]], stores[m["Code magasin"]])
        if len(lines) < CLEAN_NOTES:
            raise RuntimeError(f"demo {self.code}: only {len(lines)} expense lines")
        self.notes = lines[:CLEAN_NOTES]
        for n, line in enumerate(self.notes, 1):
            line["N° note"] = f"N{self.digit}{n:04d}"

    # ---- IVR calls of the demo day
    def call(self, when: dt.datetime, emp: Employee, result: str = "OK") -> None:
        """An IVR call of the employee at ``when``."""
        e164 = parse_phone(emp.row["Téléphone"])
        number = e164 if self.rng.random() < 0.7 else "0" + e164[3:]
        code = emp.matricule[1:] if self.rng.random() < 0.85 else ""
        self.calls.append((when, number, code, result))

    def make_calls(self) -> None:
        """The IVR calls of the demo day for the missions that started."""
        by_id = {e.matricule: e for e in self.employees}
        for m in self.missions:
            if m["Date"] == self.day and m["Salarié"] and m["Début"] <= dt.time(10, 0):
                start = dt.datetime.combine(self.day, m["Début"])
                self.call(start - dt.timedelta(minutes=self.rng.randint(4, 35)), by_id[m["Salarié"]])
        self.calls.append((dt.datetime.combine(self.day, dt.time(8, 47)), "masqué", "", "ABANDON"))

    # ---- planted anomalies
    def plant(self) -> None:
        """Append the planted anomalies' rows (:data:`PLANTED`)."""
        rng = self.rng
        ops_brand = {b.name: b for b in self.brands}
        stores7 = [s for s in self.stores if s["Délai mandat"] == 7]
        town_of = {(t.name, t.postal_code): t for t in self.towns}
        emp_n, mission_n, note_n = 901, 9001, 9001

        def employee(store: dict, brand: data.Brand | None, skill: str = "", **kw) -> Employee:
            nonlocal emp_n
            town = town_of[(store["Ville"], store["Code postal"])]
            emp = self.new_employee(emp_n, town, brands=[brand.name] if brand else (),
                                    skills=[skill or brand.mission_type] if brand else (), **kw)
            emp_n += 1
            self.planted_employees.append(emp)
            return emp

        def mission(store: dict, brand: data.Brand, offset: int, slot=(9, 0, 17, 0), emp=None) -> dict:
            nonlocal mission_n
            op = {"brand": brand, "theme": rng.choice(data.OPERATION_THEMES), "kit": ""}
            m = self.mission_row(op, store, self.d(offset), slot)
            self.lifecycle(m, store, emp)
            if emp is not None:
                emp.book(m["Date"], m["Début"], m["Fin"])
            m["N° mission"] = mission_key(self.code, mission_n)
            mission_n += 1
            self.planted_missions.append(m)
            return m

        def note(m: dict, emp: Employee, store: dict, **values) -> dict:
            nonlocal note_n
            line = {"N° note": f"N{self.digit}{note_n}", "Matricule": emp.matricule,
                    "N° mission": m["N° mission"], "Date": m["Date"], "Catégorie": "repas",
                    "Montant": 14.5, "Km": "", "Justificatif": "oui", "Statut": "Soumise",
                    "Reçue le": min(m["Date"] + dt.timedelta(days=1), self.day)}
            line.update(values)
            note_n += 1
            self.planted_notes.append(line)
            return line

        self.planted_employees, self.planted_missions, self.planted_notes = [], [], []
        for name in REGION_RECIPES[self.code]:
            store = rng.choice(stores7)
            brand = rng.choice(self.brands)
            if name == "date_illisible":
                m = mission(store, brand, 9, emp=employee(store, brand))
                m["Date"] = RECIPES[name].value
            elif name == "cle_en_double":
                emp = employee(store, brand)
                first = mission(store, brand, 11, emp=emp)
                mission(store, brand, 12, emp=emp)["N° mission"] = first["N° mission"]
            elif name == "marque_inconnue":
                mission(store, brand, 12)["Marque"] = MISSING_BRAND[self.code]
            elif name == "magasin_inconnu":
                mission(store, brand, 12)["Code magasin"] = f"{self.code}099"
            elif name == "salarie_inactif":
                mission(store, brand, 6, emp=employee(store, brand, statut="Inactif"))
            elif name == "non_forme":
                other = ops_brand[next(b.name for b in self.brands if b.name != brand.name
                                       and b.mission_type == brand.mission_type)]
                mission(store, brand, 5, emp=employee(store, other, skill=brand.mission_type))
            elif name == "chevauchement":
                emp = employee(store, brand)
                # two short contracts the employee agreed to (« Accord 4 h »), with a break noted: only the
                # overlap is wrong
                mission(store, brand, 3, (9, 0, 13, 0), emp=emp)["Accord 4 h"] = True
                second = mission(store, brand, 3, (12, 0, 17, 0), emp=emp)
                second.update({"Accord 4 h": True, "Pause": 20})
            elif name == "repos_insuffisant":
                emp = employee(store, brand)
                mission(store, brand, 4, (14, 0, 21, 0), emp=emp)
                mission(store, brand, 5, (7, 0, 14, 0), emp=emp)
            elif name == "visite_perimee":
                mission(store, brand, 2, emp=employee(store, brand, medical_days=800))
            elif name == "contrat_non_signe":
                mission(store, brand, -6, emp=employee(store, brand))["Contrat"] = "Envoyé"
            elif name == "cr_manquant":
                mission(store, brand, -6, emp=employee(store, brand))["CR reçu"] = ""
            elif name == "non_pourvue":
                mission(store, brand, 1)
            elif name in ("repas_plafond", "sans_justificatif", "km_excessif"):
                emp = employee(store, brand)
                m = mission(store, brand, -3 if name == "km_excessif" else -4, emp=emp)
                if name == "repas_plafond":
                    note(m, emp, store, Montant=27.8)
                elif name == "sans_justificatif":
                    note(m, emp, store, Justificatif="non")
                else:
                    note(m, emp, store, **{"Catégorie": "km", "Km": 240, "Montant": 69.60,
                                           "Justificatif": "non"})
            elif name == "telephone_illisible":
                employee(store, None, phone=RECIPES[name].value)
            elif name == "presence_manquante":
                mission(store, brand, 0, (9, 0, 17, 0), emp=employee(store, brand))
            elif name == "presence_retard":
                emp = employee(store, brand)
                mission(store, brand, 0, (8, 30, 16, 30), emp=emp)
                self.call(dt.datetime.combine(self.day, dt.time(8, 58)), emp)
            elif name == "appel_inconnu":
                self.calls.append((dt.datetime.combine(self.day, dt.time(9, 12)),
                                   UNKNOWN_CALLER[self.code], "", "OK"))

    def build(self) -> dict[str, list[dict]]:
        """The region's tabs, as rows of dicts."""
        brands = self.make_brands()
        self.make_stores()
        self.make_employees()
        self.make_missions(self.operations())
        self.make_notes()
        self.make_calls()
        self.plant()
        self.calls.sort()
        return {
            "Salariés": [e.row for e in self.employees + self.planted_employees],
            "Missions": self.missions + self.planted_missions,
            "Magasins": self.stores,
            "Marques": brands,
            "Formations": sorted(self.trainings, key=lambda t: (t["Matricule"], t["Date"])),
            "Indisponibilités": self.time_off,
            "Notes de frais": self.notes + self.planted_notes,
        }


def build_region(code: str, day: dt.date, seed: int = SEED,
                 used_phones: set[str] | None = None) -> tuple[dict[str, list[dict]], list]:
    """One region's tabs (rows as dicts of canonical column -> cell value) and its IVR calls.

    ``used_phones`` (E.164) is shared between regions: the IVR log of the day serves all three.
    """
    rng = random.Random(f"{seed}-{code}-{day.isoformat()}")
    builder = RegionBuilder(code, day, rng, used_phones if used_phones is not None else set())
    return builder.build(), builder.calls


