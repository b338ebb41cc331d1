"""The findings the jobs produce as they work, registered so that ``check --rules`` (and
``docs/rules.md``) lists every id that can appear in ``Anomalies`` or a run's output, and
``[check.rules]`` can set their level. The jobs take their ids from here; the check never runs
them (their rows in ``Anomalies`` are kept from the job's last run)."""
from __future__ import annotations

from sheets_sync.findings import ALERTE, ERREUR

from .registry import job_finding

MISSIONS, STORES, EMPLOYEES = "Missions", "Magasins", "Salariés"

# --- mandates ----------------------------------------------------------------------------------
MANDATE_MISSING_REF = job_finding(
    "mandat.reference_introuvable", MISSIONS, ERREUR, "mandates",
    "La mission nomme une marque, un magasin ou un salarié introuvable : son mandat n'est pas "
    "généré tant que la valeur n'est pas corrigée ou la ligne ajoutée.")
MANDATE_NO_EMAIL = job_finding(
    "mandat.magasin_sans_email", STORES, ALERTE, "mandates",
    "Le magasin n'a pas d'e-mail : ses mandats ne partent pas ; renseignez l'e-mail du directeur "
    "ou envoyez-les à la main.")
MANDATE_SEND_FAILED = job_finding(
    "mandat.envoi_echoue", MISSIONS, ERREUR, "mandates",
    "Le mandat n'a pas pu être envoyé (serveur SMTP, destinataire refusé) : Mandat reste « Généré », "
    "il repart au prochain envoi.")
MANDATE_PDF_FAILED = job_finding(
    "mandat.pdf_echoue", MISSIONS, ALERTE, "mandates",
    "La conversion PDF du mandat a échoué : le .docx est prêt et Mandat fichier le désigne.")
MANDATE_RESEND = job_finding(
    "mandat.a_renvoyer", MISSIONS, ALERTE, "mandates",
    "Le magasin a reçu un mandat devenu faux (la mission a changé) : le nouveau est généré, à "
    "envoyer (backoffice mandates --send).")
MANDATE_NO_FILE = job_finding(
    "mandat.fichier_introuvable", MISSIONS, ALERTE, "mandates",
    "Le fichier du mandat a disparu : rien n'est envoyé ; mettez Mandat à « À refaire » pour le "
    "régénérer.")
MANDATE_MAILBOX = job_finding(
    "mandat.boite_illisible", MISSIONS, ALERTE, "mandates",
    "La boîte des réponses des magasins ([imap]) n'a pas pu être lue : Mandat se met à jour à la "
    "main en attendant.")
MANDATE_FOLLOWUP_FAILED = job_finding(
    "mandat.suivi_non_envoye", MISSIONS, ERREUR, "mandates",
    "Une relance, une escalade ou une annulation n'a pas pu partir : elle repart au prochain envoi "
    "(ou prévenez le magasin par téléphone).")
MANDATE_UNCLEAR_REPLY = job_finding(
    "mandat.reponse_a_lire", MISSIONS, ALERTE, "mandates",
    "Le magasin a répondu sans accuser réception clairement (une question, une condition) : lisez "
    "sa réponse et appelez-le (il est sur la liste d'appels), puis mettez Mandat à « Accusé » ou "
    "« Refusé ». Une réponse automatique, un avis de non-remise ou un autre expéditeur que le "
    "magasin ne changent rien.")

# --- kits ----------------------------------------------------------------------------------------
KIT_ORDER_IMPOSSIBLE = job_finding(
    "kit.commande_impossible", MISSIONS, ALERTE, "kits",
    "Le kit ne peut pas être commandé : salarié introuvable ou adresse de livraison incomplète.")
KIT_TRACKING_LINE = job_finding(
    "kit.suivi_rejete", "fichier du partenaire", ALERTE, "kits",
    "Une ligne du fichier de suivi du partenaire logistique n'est pas appliquée (commande inconnue, "
    "statut illisible) : le message donne le fichier et la ligne.")

# --- presence ------------------------------------------------------------------------------------
PRESENCE_UNMATCHED = job_finding(
    "presence.appel_non_rattache", "Appels SVI", ALERTE, "presence",
    "Un appel du SVI ne correspond à aucune mission du jour : rattachez-le ou rejetez-le dans "
    "l'onglet Appels SVI.")
PRESENCE_BAD_LINE = job_finding(
    "presence.ligne_illisible", "journal SVI", ALERTE, "presence",
    "Une ligne de l'export du SVI est illisible : elle est ignorée, le message donne le fichier et "
    "la ligne.")
PRESENCE_STALE = job_finding(
    "presence.journal_perime", "SVI", ERREUR, "presence",
    "L'export du SVI du jour est absent ou périmé alors que des missions ont commencé : personne "
    "n'est marqué « Manquante » ; vérifiez l'export puis relancez.")
PRESENCE_QUEUE = job_finding(
    "presence.appel_a_corriger", "Appels SVI", ALERTE, "presence",
    "Une ligne de l'onglet Appels SVI est à corriger (mission introuvable, motif de rejet manquant).")
PRESENCE_QUEUE_FULL = job_finding(
    "presence.file_appels_pleine", "Appels SVI", ALERTE, "presence",
    "L'onglet Appels SVI déborde : archivez les appels traités (backoffice archive).")

# --- geocode, dossier ----------------------------------------------------------------------
GEOCODE_PARTIAL = job_finding(
    "geocode.coordonnee_incomplete", "Salariés / Magasins", ALERTE, "geocode",
    "Une seule des deux coordonnées est remplie : complétez l'autre ou videz les deux.")
GEOCODE_EMPTY = job_finding(
    "geocode.adresse_vide", "Salariés / Magasins", ALERTE, "geocode",
    "Adresse, Code postal et Ville vides : rien à géocoder.")
GEOCODE_DOWN = job_finding(
    "geocode.indisponible", "Salariés / Magasins", ERREUR, "geocode",
    "Le géocodeur national n'a pas répondu : les coordonnées seront calculées au prochain passage.")
GEOCODE_LOW = job_finding(
    "geocode.score_faible", "Salariés / Magasins", ALERTE, "geocode",
    "Adresse trouvée avec une confiance faible : vérifiez-la avant de laisser les coordonnées.")
GEOCODE_NOT_FOUND = job_finding(
    "geocode.introuvable", "Salariés / Magasins", ALERTE, "geocode",
    "Adresse introuvable : corrigez Adresse, Code postal et Ville, ou saisissez les coordonnées.")
DOSSIER_MEDICAL = job_finding(
    "dossier.visite_medicale", EMPLOYEES, ERREUR, "dossier",
    "Dans le dossier d'un salarié : visite médicale à faire ou dépassée.")

# --- offers ------------------------------------------------------------------------------------
OFFER_CALL = job_finding(
    "offre.a_appeler", MISSIONS, ALERTE, "offers",
    "Aucun des candidats sollicités n'a accepté la mission (refus ou silence), ou plus aucun n'est "
    "joignable : appelez les suivants (liste d'appels offres).")
OFFER_STOP = job_finding(
    "offre.stop", EMPLOYEES, ALERTE, "offers",
    "Le salarié a répondu STOP : il ne reçoit plus d'offres par SMS ; proposez-lui les missions par "
    "téléphone.")
OFFER_TO_READ = job_finding(
    "offre.reponse_a_lire", EMPLOYEES, ALERTE, "offers",
    "Une réponse à une offre ne se rattache à aucune offre (pas de code, ou plusieurs offres en "
    "cours) : lisez-la et mettez la mission à jour à la main.")
OFFER_SEND_FAILED = job_finding(
    "offre.envoi_echoue", MISSIONS, ERREUR, "offers",
    "L'offre (ou sa confirmation) n'a pas pu partir : elle repart au prochain passage.")
OFFER_UNREADABLE = job_finding(
    "offre.reponses_illisibles", MISSIONS, ERREUR, "offers",
    "Les réponses aux offres n'ont pas pu être lues (Twilio ou la boîte IMAP) : aucune offre en "
    "cours n'est passée au candidat suivant tant qu'elles ne sont pas lues.")
OFFER_REPLACEMENT = job_finding(
    "offre.remplacement", MISSIONS, ALERTE, "offers",
    "Le salarié ne s'est pas présenté : les remplaçants possibles (éligibles, libres, assez proches "
    "pour arriver à temps) sont sur la liste d'appels offres.")
OFFER_UNREACHABLE = job_finding(
    "offre.injoignable", EMPLOYEES, ALERTE, "offers",
    "Le premier candidat d'une mission n'a ni numéro de portable utilisable ni e-mail : l'offre va au "
    "suivant ; complétez sa fiche.")

# --- contracts ---------------------------------------------------------------------------------
CONTRACT_UNUSABLE = job_finding(
    "contrat.donnees_manquantes", MISSIONS, ERREUR, "contracts",
    "Le contrat de la mission ne peut pas être fait : salarié ou magasin introuvable, horaires "
    "illisibles, ou taux horaire sous le SMIC (L3231-2) ; corrigez la cellule nommée.")
CONTRACT_AMEND = job_finding(
    "contrat.avenant", MISSIONS, ALERTE, "contracts",
    "La mission a changé après la signature de son contrat : le contrat signé n'est pas refait ; "
    "faites signer un avenant au salarié.")
CONTRACT_SEND_FAILED = job_finding(
    "contrat.envoi_echoue", MISSIONS, ERREUR, "contracts",
    "Le contrat n'a pas pu partir (Yousign, e-mail, PDF) : Contrat reste « À envoyer », il repart au "
    "prochain passage.")
CONTRACT_REFUSED = job_finding(
    "contrat.refuse", MISSIONS, ALERTE, "contracts",
    "Le salarié a refusé de signer son contrat (Yousign) : appelez-le, ou proposez la mission à un autre.")
CONTRACT_STALLED = job_finding(
    "contrat.signature_en_attente", MISSIONS, ALERTE, "contracts",
    "La demande de signature a expiré, a été annulée, ou n'est pas signée alors que la mission commence : "
    "appelez le salarié (liste d'appels contrats).")
CONTRACT_NO_EMAIL = job_finding(
    "contrat.salarie_sans_email", EMPLOYEES, ALERTE, "contracts",
    "Le salarié n'a pas d'e-mail : son contrat est prêt mais ne peut pas lui être envoyé (Yousign ou "
    "e-mail) ; renseignez l'e-mail ou remettez-le en main propre.")
CONTRACT_LATE = job_finding(
    "contrat.propose_en_retard", MISSIONS, ALERTE, "contracts",
    "Le contrat part moins de 10 jours avant la mission (réglage check.contract_offer_days ; accord du "
    "13/02/2006) : le message nomme le jour où il aurait dû partir et la date limite de remise (L1242-13).")

# --- suggestions -------------------------------------------------------------------------------
SUGGEST_NO_COORDINATES = job_finding(
    "suggest.coordonnees_manquantes", EMPLOYEES, ALERTE, "suggest",
    "Un salarié actif ou le magasin d'une mission ouverte n'a pas de coordonnées : il n'entre dans "
    "aucune suggestion tant que Latitude et Longitude manquent (backoffice geocode).")
SUGGEST_NO_COLUMN = job_finding(
    "suggest.colonne_absente", EMPLOYEES, ALERTE, "suggest",
    "L'onglet Salariés n'a pas la colonne d'une règle des suggestions (Compétences, Visite "
    "médicale) : la règle est levée, plutôt que d'écarter tout le monde, jusqu'à ce que la colonne "
    "soit ajoutée ou son en-tête déclaré.")
