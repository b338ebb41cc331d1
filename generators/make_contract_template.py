"""Build ``config/templates/contrat_cidd.docx``, the Word template of the CIDD (contrat
d'intervention à durée déterminée d'animation commerciale).

Run ``python -m generators.make_contract_template [OUT.docx]`` to rebuild it. People may then edit
the template in Word: the ``{{ tags }}`` (docxtpl / Jinja syntax, flat names listed in
:data:`rules.contracts.TAGS`) are the only thing that must stay. The mentions follow Code du
travail L1242-12 and the agreement of 13/02/2006 (IDCC 2098); a lawyer of the agency should read
the template once before the first real contract.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from .make_template import _grid, _para, _runs, page

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "config" / "templates" / "contrat_cidd.docx"

CLAUSES = (
    ("Article 1 — Objet du contrat",
     "Le présent contrat est un contrat d'intervention à durée déterminée d'animation commerciale (CIDD), conclu "
     "en application de l'article L1242-2 3° du Code du travail, de la convention collective nationale des "
     "prestataires de services dans le domaine du secteur tertiaire (IDCC 2098) et de l'accord du 13 février 2006 "
     "relatif aux salariés employés en CIDD. Il a pour objet la seule animation décrite à l'article 2."),
    ("Article 3 — Durée du travail",
     "La durée du travail comprend le temps de présence en magasin, déduction faite de la pause, et le temps "
     "de préparation et de compte rendu de l'animation (temps annexes, accord du 13 février 2006, article 4.1). "
     "Le temps de trajet entre le domicile et le magasin n'est pas du temps de travail."),
    ("Article 5 — Indemnités de fin de contrat",
     "À l'issue du contrat, le salarié perçoit une indemnité de fin de contrat égale à 10 % de la rémunération "
     "totale brute (article L1243-8 du Code du travail ; accord du 13 février 2006, article 9) et une indemnité "
     "compensatrice de congés payés égale à 10 % de la rémunération totale brute, indemnité de fin de contrat "
     "comprise (article L3141-24)."),
    ("Article 6 — Annulation",
     "{{ annulation }}"),
    ("Article 7 — Période d'essai",
     "{{ periode_essai }}"),
    ("Article 8 — Protection sociale",
     "Le salarié relève de la caisse de retraite complémentaire {{ caisse_retraite }} et de l'organisme de "
     "prévoyance {{ organisme_prevoyance }}. Les cotisations sont versées à l'{{ agence_urssaf }}."),
    ("Article 9 — CDI intermittent",
     "Conformément à l'accord du 13 février 2006, le salarié qui a travaillé plus de {{ seuil_cdi_intermittent }} "
     "heures sur douze mois consécutifs pour l'agence peut demander à bénéficier d'un contrat à durée "
     "indéterminée intermittent, que l'agence lui propose."),
    ("Article 10 — Remise du contrat",
     "Le présent contrat est transmis au salarié au plus tard dans les deux jours ouvrables qui suivent "
     "l'embauche (article L1242-13 du Code du travail). Faute de contrat écrit, le contrat est réputé conclu "
     "pour une durée indéterminée (article L1242-12)."),
)


def build(out: Path = DEFAULT_OUT) -> Path:
    """Write the packaged contract template at ``out``."""
    doc = page(Document(), "{{ agence_nom }} {{ agence_forme }} — CIDD réf. {{ reference }}",
               "{{ agence_nom }} {{ agence_forme }} — SIRET {{ agence_siret }} — {{ agence_adresse }}, "
               "{{ agence_code_postal }} {{ agence_ville }} — {{ agence_telephone }} — {{ agence_email }} — IDCC 2098",
               margin_cm=1.6, size=10)

    _para(doc, "CONTRAT D'INTERVENTION À DURÉE DÉTERMINÉE", bold=True, size=15, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=0)
    _para(doc, "d'animation commerciale (CIDD)", bold=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=2)
    _runs(doc, [("Référence : ", False), ("{{ reference }}", True)], align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)

    _para(doc, "Entre les soussignés", bold=True, size=11)
    _runs(doc, [("La société ", False), ("{{ agence_nom }}", True),
                (", {{ agence_forme }}, SIRET {{ agence_siret }}, dont le siège est situé {{ agence_adresse }}, "
                 "{{ agence_code_postal }} {{ agence_ville }}, cotisant auprès de l'{{ agence_urssaf }}, "
                 "ci-après « l'Agence »,", False)])
    _runs(doc, [("et ", False), ("{{ salarie_prenom }} {{ salarie_nom }}", True),
                (" (matricule {{ salarie_matricule }}), demeurant {{ salarie_adresse }}{{ salarie_naissance }}"
                 "{{ salarie_secu }}, ci-après « le Salarié »,", False)], space_after=8)
    _para(doc, "il est convenu ce qui suit.", space_after=10)

    heading, text = CLAUSES[0]
    _para(doc, heading, bold=True, size=11)
    _para(doc, text, space_after=6).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    _para(doc, "Article 2 — Description précise de l'animation", bold=True, size=11)
    _grid(doc, [
        ("N° de mission", "{{ mission_numero }}"),
        ("Marque", "{{ marque_nom }}"),
        ("Opération", "{{ mission_operation }}"),
        ("Type d'animation", "{{ mission_type }}"),
        ("Magasin", "{{ magasin_enseigne }} {{ magasin_nom }} ({{ magasin_code }})"),
        ("Adresse du magasin", "{{ magasin_adresse }}, {{ magasin_code_postal }} {{ magasin_ville }}"),
        ("Date(s) et horaires", "{{ mission_jours }}"),
        ("Terme du contrat", "{{ mission_terme }}"),
    ])

    heading, text = CLAUSES[1]
    _para(doc, heading, bold=True, size=11)
    _para(doc, text, space_after=4).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _grid(doc, [
        ("Temps de présence", "{{ duree_presence }}"),
        ("Pause", "{{ duree_pause }}"),
        ("Préparation et compte rendu", "{{ duree_preparation }}"),
        ("Durée du travail", "{{ duree_travail }}"),
    ])

    _para(doc, "Article 4 — Emploi et rémunération", bold=True, size=11)
    _grid(doc, [
        ("Emploi", "{{ poste }}"),
        ("Qualification", "{{ qualification }}"),
        ("Taux horaire brut", "{{ taux_horaire }}"),
        ("Rémunération brute", "{{ remuneration_brute }}"),
        ("Indemnité de fin de contrat (10 %)", "{{ indemnite_fin_contrat }}"),
        ("Indemnité de congés payés (10 %)", "{{ indemnite_conges }}"),
    ])

    for heading, text in CLAUSES[2:]:
        _para(doc, heading, bold=True, size=11)
        _para(doc, text, space_after=6).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    _runs(doc, [("Fait à ", False), ("{{ fait_a }}", True), (", le ", False), ("{{ fait_le }}", True),
                (", signé électroniquement ou en deux exemplaires.", False)], space_after=12)
    sig = doc.add_table(rows=1, cols=2)
    sig.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = sig.rows[0].cells
    for cell, lines in ((left, ["Pour l'Agence", "{{ agence_nom }} {{ agence_forme }}", "", "", ""]),
                        (right, ["Le Salarié", "{{ salarie_prenom }} {{ salarie_nom }}",
                                 "« Lu et approuvé »", "", ""])):
        cell.paragraphs[0].add_run(lines[0]).bold = True
        for line in lines[1:]:
            cell.add_paragraph(line).paragraph_format.space_after = Pt(0)
    # Yousign's smart anchor for the employee's signature (signer 1, 184 × 80 px), in white Arial:
    # invisible on paper, found by Yousign when the PDF is uploaded with parse_anchors
    anchor = right.add_paragraph().add_run('{{ "{{s1|signature|184|80}}" }}')
    anchor.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    anchor.font.name = "Arial"
    anchor.font.size = Pt(8)

    props = doc.core_properties
    props.title = "Contrat d'intervention à durée déterminée"
    props.author = "backoffice"
    props.subject = "CIDD d'animation commerciale (IDCC 2098)"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
