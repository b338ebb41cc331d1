"""The workbook contract (``shared/workbook.md``) as data: tabs, key columns, column types.

Column names here are the canonical ones of the contract. A region may rename a tab or a
header in its config; the reader maps the sheet's headers onto these names.
"""
from __future__ import annotations

from dataclasses import dataclass

# Cell types of the contract; each has a parser in ``parsing.py``.
TEXT, DATE, TIME, AMOUNT, NUMBER, LIST, BOOL, POSTAL, PHONE, EMAIL = (
    "text", "date", "time", "amount", "number", "list", "bool", "postal", "phone", "email",
)


@dataclass(frozen=True)
class Column:
    """A column of the contract: its name, type, and whether it is required or the job's."""
    name: str
    type: str = TEXT
    required: bool = False  # the column must exist in the sheet
    mandatory: bool = False  # every row must have a value (a finding otherwise)
    job: bool = False  # written by a job; created by the job when missing
    choices: tuple[str, ...] = ()
    width: int = 0  # the tool's own tabs: the column's width when the tool lays the tab out (0: from its header)


@dataclass(frozen=True)
class TabSpec:
    """A tab of the contract: its name, key column and columns."""
    name: str
    key: str | None
    columns: tuple[Column, ...]
    owned: bool = False  # Anomalies, Journal, Synthèse: the tool's own tabs
    hidden: bool = False  # created hidden where the backend allows (the tool's memory and outbox)
    # (column, state column, states that do not count): a row added whose value in ``column``
    # a counting row of the re-read already has is left out (one outbox row per effect)
    unique_by: tuple[str, str, tuple[str, ...]] | None = None

    def column(self, name: str) -> Column:
        """The column ``name`` (KeyError when the tab has none)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical column names, in contract order."""
        return tuple(c.name for c in self.columns)


MISSION_STATUSES = ("À pourvoir", "Proposée", "Confirmée", "Réalisée", "Annulée")
CONTRACT_STATUSES = ("À envoyer", "Envoyé", "Signé", "Refusé")
MANDATE_STATUSES = ("À générer", "Généré", "Envoyé", "Accusé", "Refusé", "À refaire")
KIT_STATUSES = ("À commander", "Commandé", "Expédié", "Livré", "Retourné")
PRESENCE_STATUSES = ("Confirmée", "En retard", "Manquante")
MISSION_TYPES = ("animation", "dégustation", "merchandising", "démonstration")
EXPENSE_CATEGORIES = ("repas", "km", "transport", "hébergement", "autre")
EXPENSE_STATUSES = ("Soumise", "Validée", "Refusée")
EXPENSE_MODES = ("forfait", "réel")  # a flat allowance (URSSAF ceiling, no receipt) or the cost (receipt)

EMPLOYEES = TabSpec(
    "Salariés",
    "Matricule",
    (
        Column("Matricule", TEXT, required=True, mandatory=True),
        Column("Nom", TEXT, required=True, mandatory=True),
        Column("Prénom", TEXT, required=True, mandatory=True),
        Column("Téléphone", PHONE, required=True, mandatory=True),
        Column("Email", EMAIL),
        Column("Adresse", TEXT),
        Column("Code postal", POSTAL),
        Column("Ville", TEXT),
        Column("Latitude", NUMBER, job=True),
        Column("Longitude", NUMBER, job=True),
        Column("Compétences", LIST),
        Column("Rayon km", NUMBER),
        Column("Visite médicale", DATE),
        Column("Statut", TEXT, required=True, choices=("Actif", "Inactif")),
        Column("Date de naissance", DATE),
        Column("DPAE", DATE),
        Column("Puissance fiscale", NUMBER),
        Column("Taux horaire", AMOUNT),
        Column("N° sécurité sociale", TEXT),
    ),
)

MISSIONS = TabSpec(
    "Missions",
    "N° mission",
    (
        Column("N° mission", TEXT, required=True, mandatory=True),
        Column("Opération", TEXT),
        Column("Marque", TEXT, required=True, mandatory=True),
        Column("Code magasin", TEXT, required=True, mandatory=True),
        Column("Type", TEXT, choices=MISSION_TYPES),
        Column("Compétences requises", LIST),
        Column("Date", DATE, required=True, mandatory=True),
        Column("Début", TIME, required=True, mandatory=True),
        Column("Fin", TIME, required=True, mandatory=True),
        Column("Kit", TEXT),
        Column("Salarié", TEXT, required=True),
        Column("Statut", TEXT, required=True, choices=MISSION_STATUSES),
        Column("Contrat", TEXT, choices=CONTRACT_STATUSES),
        Column("CR reçu", DATE),
        Column("Suggestions", TEXT, job=True),
        Column("Mandat", TEXT, job=True, choices=MANDATE_STATUSES),
        Column("Mandat fichier", TEXT, job=True),
        Column("Mandat envoyé le", DATE, job=True),
        Column("Kit statut", TEXT, job=True, choices=KIT_STATUSES),
        Column("N° commande kit", TEXT, job=True),
        Column("N° suivi", TEXT, job=True),
        Column("Présence", TEXT, job=True),
        Column("Heure appel", TIME, job=True),
        Column("Commentaire", TEXT),
        Column("Mandat suivi", TEXT, job=True),
        Column("Kit annulé le", DATE, job=True),
        Column("Pause", NUMBER),
        Column("DPAE", DATE),
        Column("Accord 4 h", BOOL),
        Column("Dérogation", BOOL),
        Column("Offre", TEXT, job=True),
        Column("Contrat fichier", TEXT, job=True),
        Column("Contrat envoyé le", DATE, job=True),
    ),
)

STORES = TabSpec(
    "Magasins",
    "Code magasin",
    (
        Column("Code magasin", TEXT, required=True, mandatory=True),
        Column("Enseigne", TEXT, mandatory=True),
        Column("Nom", TEXT, mandatory=True),
        Column("Adresse", TEXT),
        Column("Code postal", POSTAL),
        Column("Ville", TEXT),
        Column("Latitude", NUMBER, job=True),
        Column("Longitude", NUMBER, job=True),
        Column("Email", EMAIL),
        Column("Téléphone", PHONE),
        Column("Délai mandat", NUMBER),
    ),
)

BRANDS = TabSpec(
    "Marques",
    "Marque",
    (
        Column("Marque", TEXT, required=True, mandatory=True),
        Column("Raison sociale", TEXT, mandatory=True),
        Column("Adresse", TEXT),
        Column("Signataire", TEXT),
        Column("Fonction signataire", TEXT),
        Column("Email", EMAIL),
    ),
)

TRAININGS = TabSpec(
    "Formations",
    None,
    (
        Column("Matricule", TEXT, required=True, mandatory=True),
        Column("Marque", TEXT, required=True, mandatory=True),
        Column("Module", TEXT),
        Column("Date", DATE, required=True, mandatory=True),
        Column("Valide jusqu'au", DATE, required=True),
    ),
)

TIME_OFF = TabSpec(
    "Indisponibilités",
    None,
    (
        Column("Matricule", TEXT, required=True, mandatory=True),
        Column("Du", DATE, required=True, mandatory=True),
        Column("Au", DATE, required=True, mandatory=True),
        Column("Motif", TEXT),
    ),
)

EXPENSES = TabSpec(
    "Notes de frais",
    "N° note",
    (
        Column("N° note", TEXT, required=True, mandatory=True),
        Column("Matricule", TEXT, required=True, mandatory=True),
        Column("N° mission", TEXT, required=True),
        Column("Date", DATE, required=True, mandatory=True),
        Column("Catégorie", TEXT, required=True, mandatory=True, choices=EXPENSE_CATEGORIES),
        Column("Montant", AMOUNT, required=True, mandatory=True),
        Column("Km", NUMBER),
        Column("Justificatif", BOOL),
        Column("Statut", TEXT, choices=EXPENSE_STATUSES),
        Column("Reçue le", DATE),
        Column("Type repas", TEXT, choices=("restaurant", "extérieur", "sur place")),
        Column("Mode", TEXT, choices=EXPENSE_MODES),
    ),
)

ANOMALIES = TabSpec(
    "Anomalies",
    None,
    tuple(
        Column(n, width=w)
        for n, w in (("Gravité", 9), ("Règle", 30), ("Onglet", 14), ("Cellule", 20), ("Clé", 14), ("Message", 120),
                     ("Détectée le", 12))
    ),
    owned=True,
)
LINKED = {"Anomalies": "Cellule"}  # the column of an owned tab whose cells link to the cell they name

JOURNAL = TabSpec(
    "Journal",
    None,
    tuple(
        Column(n)
        for n in (
            "Horodatage", "Tâche", "Onglet", "Clé", "Colonne", "Cellule",
            "Ancienne valeur", "Nouvelle valeur", "Écriture",
        )
    ),
    owned=True,
)

SYNTHESE = TabSpec(
    "Synthèse",
    None,
    tuple(Column(n) for n in ("Rubrique", "Indicateur", "Valeur", "Cellule")),
    owned=True,
)

CALL_OUTCOMES = ("OK", "ABANDON", "ERREUR")

IVR_QUEUE = TabSpec(
    "Appels SVI",
    "Appel",
    (
        Column("Appel", TEXT, job=True),
        Column("Heure", TEXT, job=True),
        Column("Numéro", TEXT, job=True),
        Column("Code saisi", TEXT, job=True),
        Column("Résultat", TEXT, job=True, choices=CALL_OUTCOMES),
        Column("Salarié", TEXT, job=True),
        Column("Raison", TEXT, job=True),
        Column("N° mission", TEXT),
        Column("Motif rejet", TEXT),
        Column("État", TEXT, job=True),
    ),
    owned=True,
)

OUTBOX_STATES = ("à faire", "fait", "échec", "doublon", "abandonné")

# What the tool remembers between runs, one JSON record per key (« mandat:M0001 », « statut:M0001 »,
# « kit:CMD-IDF-M0001 »): what each document was generated from, what was sent or ordered and
# when, since when a status is seen. The workbook is the only state: any machine decides alike.
STATE = TabSpec(
    "État",
    "Clé",
    (
        Column("Clé", TEXT, job=True, width=28),
        Column("Données", TEXT, job=True, width=80),
        Column("Mis à jour", TEXT, job=True, width=18),
    ),
    owned=True,
    hidden=True,
)

# The outbox: every outside effect (an e-mail, a kit order line, a partner cancellation) planned
# as a row in the same write as the cell it explains, performed by the run whose write created or
# claimed it, then marked « fait » in that run's follow-up write.
OUTBOX = TabSpec(
    "Envois",
    "Id",
    (
        Column("Id", TEXT, job=True, width=36),
        Column("Effet", TEXT, job=True, width=36),
        Column("Type", TEXT, job=True, width=18),
        Column("N° mission", TEXT, job=True, width=14),
        Column("Destinataire", TEXT, job=True, width=28),
        Column("État", TEXT, job=True, choices=OUTBOX_STATES, width=12),
        Column("Exécution", TEXT, job=True, width=28),
        Column("Créé le", TEXT, job=True, width=18),
        Column("Fait le", TEXT, job=True, width=18),
        Column("Détail", TEXT, job=True, width=40),
        Column("Données", TEXT, job=True, width=60),
    ),
    owned=True,
    hidden=True,
    unique_by=("Effet", "État", ("doublon", "abandonné")),
)

PEOPLE_TABS = (EMPLOYEES, MISSIONS, STORES, BRANDS, TRAININGS, TIME_OFF, EXPENSES)
OWNED_TABS = (ANOMALIES, JOURNAL, STATE, OUTBOX)  # read by every job
REPORT_TABS = (SYNTHESE,)  # owned too, read only by the job that writes it: no extra request for the others
QUEUE_TABS = (IVR_QUEUE,)  # the tool's rows, two columns typed by people; read only by the presence job
ALL_TABS = PEOPLE_TABS + OWNED_TABS + REPORT_TABS + QUEUE_TABS
SPECS = {spec.name: spec for spec in ALL_TABS}
