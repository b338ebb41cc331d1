"""A realistic region, as a new user sets one up from the README (issue 22): 25 employees, 10
stores, 48 missions around Brittany, phones written every way people write them, around a given
day. Invented people, invented brands."""
from __future__ import annotations

import datetime as dt

from tests.factories import make_tabs

STORES = [  # code, chain, name, address, postal code, city, latitude, longitude
    ("B01", "Carrefour", "Carrefour Cesson", "1 rue de Bray", "35510", "Cesson-Sévigné", 48.121, -1.603),
    ("B02", "Leclerc", "Leclerc Saint-Grégoire", "5 rue du Bois", "35760", "Saint-Grégoire", 48.151, -1.686),
    ("B03", "Super U", "Super U Vitré", "2 boulevard des Rochers", "35500", "Vitré", 48.118, -1.198),
    ("B04", "Intermarché", "Intermarché Fougères", "8 rue de la Forêt", "35300", "Fougères", 48.352, -1.199),
    ("B05", "Carrefour", "Carrefour Saint-Malo", "3 avenue de Marville", "35400", "Saint-Malo", 48.636, -2.002),
    ("B06", "Leclerc", "Leclerc Vannes", "12 rue du Port", "56000", "Vannes", 47.658, -2.760),
    ("B07", "Géant", "Géant Lorient", "4 rue de Lanveur", "56100", "Lorient", 47.748, -3.370),
    ("B08", "Carrefour", "Carrefour Quimper", "7 route de Brest", "29000", "Quimper", 47.996, -4.102),
    ("B09", "Leclerc", "Leclerc Brest", "9 rue de Siam", "29200", "Brest", 48.390, -4.486),
    ("B10", "Super U", "Super U Saint-Brieuc", "6 rue de Gouët", "22000", "Saint-Brieuc", 48.514, -2.765),
]
BRANDS = ["Chocolaterie d'Armor", "Cidrerie du Léon", "Café Ker Avel"]
TYPES = ["dégustation", "animation", "merchandising"]
FIRST_NAMES = ["Léa", "Hugo", "Manon", "Lucas", "Chloé", "Nathan", "Emma", "Louis", "Inès", "Gabriel",
               "Jade", "Arthur", "Louise", "Jules", "Alice", "Tom", "Lina", "Paul", "Rose", "Noé",
               "Anna", "Malo", "Zoé", "Yanis", "Camille"]
LAST_NAMES = ["Le Goff", "Le Gall", "Tanguy", "Le Bihan", "Guillou", "Morvan", "Le Roux", "Hamon",
              "Le Corre", "Riou", "Kerhervé", "Le Meur", "Cadiou", "Jégou", "Le Floch", "Quéré", "Prigent",
              "Salaün", "Le Bras", "Caroff", "Perrot", "Gourvès", "Nicolas", "Le Du", "Briand"]
# every way a valid French number is written: national, international, dots, dashes, overseas
PHONES = ["06 12 34 56 01", "+33 6 12 34 56 02", "0033612345603", "06.12.34.56.04", "06-12-34-56-05",
          "0692 12 34 06", "06 96 12 34 07", "+262 692 12 34 08", "07 81 23 45 09", "0612345610",
          "+33 (0)6 12 34 56 11", "06 94 12 34 12", "06 90 12 34 13", "6 12 34 56 14", "06 39 01 23 15",
          "07.81.23.45.16", "+596 696 12 34 17", "06 12 34 56 18", "06 12 34 56 19", "06 12 34 56 20",
          "06 12 34 56 21", "06 12 34 56 22", "06 12 34 56 23", "06 12 34 56 24", "06 12 34 56 25"]
# the renames people make, each with the header the tool guesses it stands for
RENAMED = {("Magasins", "Code postal"): "CP", ("Salariés", "Email"): "Mail", ("Missions", "Date"): "Date mission"}


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def region(day: dt.date) -> dict[str, list[list]]:
    """The region's seven tabs (rows with a header) around ``day``: 48 missions from 6 days
    before to 13 days after, a third of them open; every active employee near a store with open
    missions, trained for every brand."""
    stores = [{"Code magasin": c, "Enseigne": chain, "Nom": name, "Adresse": address, "Code postal": cp,
               "Ville": city, "Latitude": lat, "Longitude": lon, "Email": f"direction.{c.lower()}@example.org",
               "Téléphone": f"02 99 00 00 {i:02d}", "Délai mandat": 7}
              for i, (c, chain, name, address, cp, city, lat, lon) in enumerate(STORES, start=1)]
    employees, trainings = [], []
    for i in range(25):
        home = STORES[i % len(STORES)]
        key = f"S{i + 1:04d}"
        employees.append({
            "Matricule": key, "Nom": LAST_NAMES[i], "Prénom": FIRST_NAMES[i], "Téléphone": PHONES[i],
            "Email": f"{FIRST_NAMES[i].lower()}.{i + 1}@example.org", "Adresse": f"{i + 3} rue des Ajoncs",
            "Code postal": home[4], "Ville": home[5], "Latitude": round(home[6] + 0.03, 4),
            "Longitude": round(home[7] - 0.03, 4), "Compétences": "animation, dégustation, merchandising",
            "Rayon km": 40, "Visite médicale": _fr(day - dt.timedelta(days=200)),
            "Statut": "Inactif" if i == 24 else "Actif",
        })
        trainings += [{"Matricule": key, "Marque": brand, "Module": "Présentation produit",
                       "Date": _fr(day - dt.timedelta(days=90)), "Valide jusqu'au": ""} for brand in BRANDS]
    brands = [{"Marque": brand, "Raison sociale": f"{brand} SAS", "Adresse": f"{n} quai de la Fosse, 44000 Nantes",
               "Signataire": "Anne Kervella", "Fonction signataire": "Directrice commerciale",
               "Email": f"trade{n}@example.org"} for n, brand in enumerate(BRANDS, start=1)]
    missions, expenses = [], []
    for n in range(48):
        store = STORES[n % len(STORES)]
        offset = n // len(STORES) * 3 - 4  # -4, -1, 2, 5, 8 days
        date = day + dt.timedelta(days=offset + n % 2)
        staffed = offset < 2 or n % 3 == 0
        employee = f"S{n % 24 + 1:04d}" if staffed else ""
        status = "Réalisée" if staffed and date < day else "Confirmée" if staffed else "À pourvoir"
        missions.append({
            "N° mission": f"M{n + 1:04d}", "Opération": f"Temps fort {BRANDS[n % 3].split()[-1]}",
            "Marque": BRANDS[n % 3], "Code magasin": store[0], "Type": TYPES[n % 3],
            "Compétences requises": TYPES[n % 3], "Date": _fr(date), "Début": "09:30", "Fin": "17:30",
            "Salarié": employee, "Statut": status, "Contrat": "Signé" if staffed else "",
        })
        if status == "Réalisée":
            expenses.append({"N° note": f"N{n + 1:04d}", "Matricule": employee, "N° mission": f"M{n + 1:04d}",
                             "Date": _fr(date), "Catégorie": "repas", "Montant": "14,50", "Justificatif": "oui",
                             "Statut": "Soumise", "Reçue le": _fr(date + dt.timedelta(days=1))})
    return make_tabs(employees=employees, missions=missions, stores=stores, brands=brands, trainings=trainings,
                     time_off=[], expenses=expenses)


def renamed(tabs: dict[str, list[list]], renames: dict[tuple[str, str], str] = RENAMED) -> dict[str, list[list]]:
    """``tabs`` with some headers renamed (a copy)."""
    out = {name: [list(r) for r in rows] for name, rows in tabs.items()}
    for (tab, column), header in renames.items():
        out[tab][0][out[tab][0].index(column)] = header
    return out
