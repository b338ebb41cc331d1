"""Built-in data of the demo: real French towns with their coordinates, invented names.

Towns are real communes with their main postal code and the coordinates of their centre
(WGS84, rounded to 4 decimals); ``weight`` is a rough size class used to place more stores
and employees in bigger towns. Everything about people, brands and stores is invented.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Town:
    """An invented town of a demo region: name, postal code, coordinates, weight in the draw."""
    name: str
    postal_code: str
    lat: float
    lon: float
    weight: int = 1


REGIONS = {
    "IDF": "Île-de-France",
    "BRE": "Bretagne",
    "ARA": "Auvergne-Rhône-Alpes",
}

# Landline prefix of each region (stores' phones).
LANDLINE = {"IDF": "01", "BRE": "02", "ARA": "04"}

TOWNS = {
    "IDF": (
        Town("Paris", "75011", 48.8590, 2.3800, 8),
        Town("Paris", "75015", 48.8412, 2.3003, 8),
        Town("Paris", "75018", 48.8925, 2.3444, 6),
        Town("Boulogne-Billancourt", "92100", 48.8353, 2.2400, 3),
        Town("Montreuil", "93100", 48.8638, 2.4485, 3),
        Town("Saint-Denis", "93200", 48.9362, 2.3574, 3),
        Town("Argenteuil", "95100", 48.9472, 2.2467, 3),
        Town("Versailles", "78000", 48.8049, 2.1204, 3),
        Town("Nanterre", "92000", 48.8924, 2.2071, 2),
        Town("Créteil", "94000", 48.7904, 2.4556, 2),
        Town("Vitry-sur-Seine", "94400", 48.7875, 2.3928, 2),
        Town("Colombes", "92700", 48.9226, 2.2522, 2),
        Town("Aubervilliers", "93300", 48.9146, 2.3821, 2),
        Town("Asnières-sur-Seine", "92600", 48.9109, 2.2891, 2),
        Town("Courbevoie", "92400", 48.8973, 2.2522, 2),
        Town("Rueil-Malmaison", "92500", 48.8778, 2.1803, 2),
        Town("Champigny-sur-Marne", "94500", 48.8172, 2.5156, 2),
        Town("Saint-Maur-des-Fossés", "94100", 48.7994, 2.4997, 2),
        Town("Drancy", "93700", 48.9230, 2.4455, 1),
        Town("Issy-les-Moulineaux", "92130", 48.8245, 2.2743, 1),
        Town("Noisy-le-Grand", "93160", 48.8486, 2.5526, 1),
        Town("Cergy", "95000", 49.0364, 2.0761, 2),
        Town("Levallois-Perret", "92300", 48.8950, 2.2875, 1),
        Town("Antony", "92160", 48.7540, 2.2975, 1),
        Town("Évry-Courcouronnes", "91000", 48.6294, 2.4406, 2),
        Town("Meaux", "77100", 48.9601, 2.8788, 2),
        Town("Melun", "77000", 48.5421, 2.6554, 2),
        Town("Sarcelles", "95200", 48.9973, 2.3780, 1),
        Town("Ivry-sur-Seine", "94200", 48.8157, 2.3849, 1),
        Town("Massy", "91300", 48.7309, 2.2713, 1),
        Town("Saint-Germain-en-Laye", "78100", 48.8989, 2.0938, 1),
        Town("Poissy", "78300", 48.9295, 2.0455, 1),
        Town("Chelles", "77500", 48.8811, 2.5940, 1),
        Town("Bobigny", "93000", 48.9077, 2.4397, 1),
    ),
    "BRE": (
        Town("Rennes", "35000", 48.1173, -1.6778, 8),
        Town("Brest", "29200", 48.3904, -4.4861, 6),
        Town("Quimper", "29000", 47.9960, -4.1020, 4),
        Town("Lorient", "56100", 47.7483, -3.3700, 4),
        Town("Vannes", "56000", 47.6582, -2.7608, 4),
        Town("Saint-Malo", "35400", 48.6493, -2.0257, 3),
        Town("Saint-Brieuc", "22000", 48.5136, -2.7653, 3),
        Town("Lanester", "56600", 47.7617, -3.3422, 2),
        Town("Fougères", "35300", 48.3524, -1.1999, 2),
        Town("Lannion", "22300", 48.7326, -3.4566, 2),
        Town("Concarneau", "29900", 47.8753, -3.9189, 2),
        Town("Vitré", "35500", 48.1238, -1.2089, 2),
        Town("Morlaix", "29600", 48.5776, -3.8280, 2),
        Town("Pontivy", "56300", 48.0686, -2.9628, 2),
        Town("Cesson-Sévigné", "35510", 48.1214, -1.6031, 2),
        Town("Bruz", "35170", 48.0247, -1.7458, 1),
        Town("Saint-Jacques-de-la-Lande", "35136", 48.0653, -1.7186, 1),
        Town("Landerneau", "29800", 48.4508, -4.2494, 2),
        Town("Guingamp", "22200", 48.5627, -3.1500, 1),
        Town("Dinan", "22100", 48.4556, -2.0503, 2),
        Town("Auray", "56400", 47.6680, -2.9829, 2),
        Town("Ploemeur", "56270", 47.7356, -3.4264, 1),
        Town("Douarnenez", "29100", 48.0925, -4.3292, 1),
        Town("Quimperlé", "29300", 47.8728, -3.5496, 1),
        Town("Lamballe-Armor", "22400", 48.4690, -2.5170, 1),
        Town("Loudéac", "22600", 48.1778, -2.7536, 1),
        Town("Redon", "35600", 47.6519, -2.0844, 1),
        Town("Plérin", "22190", 48.5347, -2.7697, 1),
        Town("Guipavas", "29490", 48.4347, -4.3994, 1),
        Town("Betton", "35830", 48.1828, -1.6428, 1),
        Town("Ploërmel", "56800", 47.9317, -2.3975, 1),
        Town("Hennebont", "56700", 47.8050, -3.2775, 1),
        Town("Paimpol", "22500", 48.7786, -3.0478, 1),
    ),
    "ARA": (
        Town("Lyon", "69003", 45.7597, 4.8422, 8),
        Town("Lyon", "69007", 45.7456, 4.8425, 5),
        Town("Villeurbanne", "69100", 45.7667, 4.8800, 4),
        Town("Vénissieux", "69200", 45.6973, 4.8858, 2),
        Town("Saint-Étienne", "42000", 45.4397, 4.3872, 5),
        Town("Grenoble", "38000", 45.1885, 5.7245, 5),
        Town("Clermont-Ferrand", "63000", 45.7772, 3.0870, 5),
        Town("Annecy", "74000", 45.8992, 6.1294, 3),
        Town("Chambéry", "73000", 45.5646, 5.9178, 3),
        Town("Valence", "26000", 44.9334, 4.8924, 3),
        Town("Bourg-en-Bresse", "01000", 46.2052, 5.2255, 2),
        Town("Roanne", "42300", 46.0342, 4.0720, 2),
        Town("Vaulx-en-Velin", "69120", 45.7786, 4.9203, 2),
        Town("Caluire-et-Cuire", "69300", 45.7953, 4.8469, 2),
        Town("Bron", "69500", 45.7386, 4.9131, 2),
        Town("Villefranche-sur-Saône", "69400", 45.9898, 4.7188, 2),
        Town("Échirolles", "38130", 45.1436, 5.7189, 2),
        Town("Saint-Martin-d'Hères", "38400", 45.1672, 5.7653, 2),
        Town("Vienne", "38200", 45.5255, 4.8741, 2),
        Town("Montélimar", "26200", 44.5581, 4.7509, 1),
        Town("Annemasse", "74100", 46.1934, 6.2342, 2),
        Town("Thonon-les-Bains", "74200", 46.3705, 6.4793, 1),
        Town("Aix-les-Bains", "73100", 45.6886, 5.9153, 1),
        Town("Voiron", "38500", 45.3640, 5.5890, 1),
        Town("Aurillac", "15000", 44.9264, 2.4397, 1),
        Town("Le Puy-en-Velay", "43000", 45.0434, 3.8858, 1),
        Town("Moulins", "03000", 46.5660, 3.3330, 1),
        Town("Montluçon", "03100", 46.3401, 2.6036, 1),
        Town("Vichy", "03200", 46.1277, 3.4260, 1),
        Town("Riom", "63200", 45.8936, 3.1126, 1),
        Town("Oyonnax", "01100", 46.2561, 5.6556, 1),
        Town("Rillieux-la-Pape", "69140", 45.8214, 4.8983, 1),
        Town("Saint-Priest", "69800", 45.6963, 4.9440, 1),
        Town("Décines-Charpieu", "69150", 45.7689, 4.9589, 1),
        Town("Romans-sur-Isère", "26100", 45.0433, 5.0511, 1),
        Town("Firminy", "42700", 45.3880, 4.2878, 1),
    ),
}

FIRST_NAMES = (
    "Léa", "Emma", "Chloé", "Manon", "Camille", "Inès", "Sarah", "Julie", "Laura", "Marie",
    "Pauline", "Clara", "Lucie", "Anaïs", "Océane", "Mathilde", "Elise", "Justine", "Amandine",
    "Margaux", "Charlotte", "Juliette", "Alice", "Louise", "Zoé", "Nina", "Audrey", "Céline",
    "Sophie", "Aurélie", "Émilie", "Morgane", "Nadia", "Yasmine", "Fatou", "Salomé", "Maëlle",
    "Lucas", "Hugo", "Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Alexandre", "Kevin",
    "Romain", "Quentin", "Mathieu", "Adrien", "Baptiste", "Florian", "Jérémy", "Théo", "Louis",
    "Nathan", "Enzo", "Mehdi", "Karim", "Yanis", "Samuel", "Vincent", "Guillaume", "Damien",
    "Benoît", "Cédric", "Loïc", "Erwan", "Gaëtan", "Sébastien", "Arnaud", "Rémi", "Bastien",
)

LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand",
    "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier",
    "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier",
    "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin",
    "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas",
    "Le Gall", "Le Goff", "Kerleau", "Tanguy", "Le Roux", "Guillou", "Jaouen", "Cariou",
)

STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "rue Pasteur",
    "boulevard Gambetta", "rue de la Gare", "rue des Écoles", "rue du Moulin",
    "allée des Tilleuls", "rue des Lilas", "chemin des Vignes", "impasse des Acacias",
    "rue Jules Ferry", "place de l'Église", "rue de Verdun", "avenue de la Libération",
    "rue du Général de Gaulle", "rue des Roses", "rue Émile Zola", "avenue des Sports",
)

STORE_STREETS = (
    "avenue de la Libération", "rue du Commerce", "centre commercial des Quatre Vents",
    "zone commerciale du Moulin", "boulevard de l'Europe", "rue de la Gare",
    "avenue du Général Leclerc", "place du Marché", "route nationale", "rue des Artisans",
)

# Retail chains (enseignes) are real: stores of these chains exist everywhere; the store
# names, addresses and contacts below are invented.
CHAINS = ("Carrefour", "Carrefour Market", "E.Leclerc", "Auchan", "Intermarché", "Super U",
          "Monoprix")
STORE_SUFFIXES = ("Centre", "Gare", "Nord", "Sud", "Les Prés", "Le Moulin", "Les Quatre Vents",
                  "Europe", "Marché", "Les Tilleuls")


@dataclass(frozen=True)
class Brand:
    """An invented brand of the demo, with its legal identity and signatory."""
    name: str
    legal_name: str
    street: str
    postal_code: str
    city: str
    mission_type: str  # what its promoters usually do
    product: str
    kit: str  # kit reference, "" = no kit


# Invented brands (no real trademark). Addresses in real towns, invented streets.
BRANDS = (
    Brand("Chocolaterie Marceau", "Marceau Chocolats SAS", "14 rue des Artisans", "69007", "Lyon",
          "dégustation", "chocolats", "KIT-MAR-01"),
    Brand("Biscuiterie Lavandière", "Biscuiterie Lavandière SARL", "3 rue du Four", "35000", "Rennes",
          "dégustation", "biscuits", "KIT-LAV-01"),
    Brand("Cafés Montaubry", "Torréfaction Montaubry SA", "22 quai des Docks", "56100", "Lorient",
          "dégustation", "cafés", ""),
    Brand("Thés Orvanne", "Orvanne & Cie SAS", "8 passage des Thés", "75011", "Paris",
          "dégustation", "thés", "KIT-ORV-02"),
    Brand("Cidrerie Kervalan", "Cidrerie Kervalan SARL", "La Ville Neuve", "29000", "Quimper",
          "dégustation", "cidres", ""),
    Brand("Laiterie des Prés Hauts", "Laiterie des Prés Hauts SCA", "1 route de la Laiterie", "63000",
          "Clermont-Ferrand", "animation", "yaourts", "KIT-PH-01"),
    Brand("Épices Sarrazine", "Sarrazine Épices SAS", "5 rue du Port", "29200", "Brest",
          "démonstration", "épices", ""),
    Brand("Soins Aurélys", "Aurélys Cosmétiques SAS", "40 avenue des Fleurs", "38000", "Grenoble",
          "démonstration", "soins du visage", "KIT-AUR-01"),
    Brand("Pâtes Fiorvalle", "Fiorvalle Alimentaire SAS", "12 rue de l'Usine", "26000", "Valence",
          "animation", "pâtes fraîches", ""),
    Brand("Jus Verdelune", "Verdelune Boissons SARL", "9 chemin des Vergers", "74000", "Annecy",
          "dégustation", "jus de fruits", "KIT-VER-01"),
    Brand("Maison Dalmasse", "Dalmasse Salaisons SAS", "2 rue des Halles", "42000", "Saint-Étienne",
          "merchandising", "charcuterie", ""),
    Brand("Confitures Belrose", "Belrose Gourmet SARL", "17 rue des Jardins", "78000", "Versailles",
          "merchandising", "confitures", ""),
)

# Titles that read right whoever signs (the names are drawn at random, without gender).
SIGNATORY_ROLES = ("Responsable des ventes", "Responsable grands comptes", "Responsable trade marketing",
                   "Chef des ventes")

OPERATION_THEMES = ("Semaine découverte", "Fête des grands-mères", "Printemps gourmand",
                    "Nouvelle gamme", "Salon des vins et saveurs", "Opération fidélité")

SKILLS = ("animation", "dégustation", "merchandising", "démonstration", "anglais")

TIME_OFF_REASONS = ("Congés", "Congés", "Maladie", "Formation", "Congés")

EMAIL_DOMAINS = ("example.org", "example.com", "example.net")
