"""Build ``config/templates/mandat_fournisseur.docx``, the Word template of the mandate.

Run ``python -m generators.make_template [OUT.docx]`` to rebuild it. People may then edit the
template in Word: the ``{{ tags }}`` (docxtpl / Jinja syntax) are the only thing that must stay.
Every tag is a flat name (``salarie_nom``, not ``salarie.nom``) so that a tag the data does not
have is detected exactly (see :data:`rules.mandates.TAGS`).
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "config" / "templates" / "mandat_fournisseur.docx"
GREY = RGBColor(0x55, 0x55, 0x55)


def _para(doc, text: str = "", *, bold=False, size=None, align=None, space_after=6, italic=False,
          color=None):
    p = doc.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    return p


def _runs(doc, parts, *, align=None, space_after=6):
    """A paragraph made of (text, bold) parts: tags stay whole inside one run."""
    p = doc.add_paragraph()
    for text, bold in parts:
        p.add_run(text).bold = bold
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    return p


def _shade(cell, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    props.append(shd)


def _grid(doc, rows, widths=(Cm(5.5), Cm(11))):
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = widths
        cells[0].paragraphs[0].add_run(label).bold = True
        _shade(cells[0], "EDEDED")
        cells[1].paragraphs[0].add_run(value)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def page(doc, header_text: str, footer_text: str, margin_cm: float = 1.8, size: float = 10.5):
    """An A4 page in Calibri with the agency's grey header and footer lines; the document."""
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(margin_cm), Cm(margin_cm)
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(size)
    header = section.header.paragraphs[0]
    header.text = header_text
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = GREY
    footer = section.footer.paragraphs[0]
    footer.text = footer_text
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.runs[0].font.size = Pt(7.5)
    footer.runs[0].font.color.rgb = GREY
    return doc


def build(out: Path = DEFAULT_OUT) -> Path:
    """Write the packaged mandate template at ``out``."""
    doc = page(Document(), "{{ agence_nom }} {{ agence_forme }} — Mandat fournisseur réf. {{ reference }}",
               "{{ agence_nom }} {{ agence_forme }} — SIRET {{ agence_siret }} — {{ agence_adresse }}, "
               "{{ agence_code_postal }} {{ agence_ville }} — {{ agence_telephone }} — {{ agence_email }}")

    _para(doc, "{{ marque_raison_sociale }}", bold=True, size=12, space_after=0)
    _para(doc, "{{ marque_adresse }}", space_after=14)

    _para(doc, "MANDAT D'INTERVENTION EN MAGASIN", bold=True, size=16,
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=2)
    _para(doc, "Autorisation d'animation commerciale donnée par la marque", italic=True,
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=2, color=GREY)
    _runs(doc, [("Référence : ", False), ("{{ reference }}", True)],
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=16)

    _para(doc, "Entre les soussignés", bold=True, size=11)
    _runs(doc, [
        ("La société ", False), ("{{ marque_raison_sociale }}", True),
        (", titulaire de la marque ", False), ("{{ marque_nom }}", True),
        (", dont le siège est situé {{ marque_adresse }}, représentée par ", False),
        ("{{ marque_signataire }}", True), (", en sa qualité de {{ marque_fonction_signataire }},", False),
    ])
    _para(doc, "ci-après « le Mandant »,", italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _runs(doc, [
        ("donne mandat à la société ", False), ("{{ agence_nom }}", True),
        (", {{ agence_forme }} immatriculée sous le numéro SIRET {{ agence_siret }}, dont le siège "
         "est situé {{ agence_adresse }}, {{ agence_code_postal }} {{ agence_ville }},", False),
    ])
    _para(doc, "ci-après « l'Agence »,", italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _runs(doc, [
        ("et à son salarié ", False), ("{{ salarie_prenom }} {{ salarie_nom }}", True),
        (" (matricule {{ salarie_matricule }}), ci-après « l'Intervenant », ", False),
        ("de réaliser en son nom et pour son compte l'opération décrite ci-dessous, dans le magasin "
         "désigné, aux date et heures indiquées.", False),
    ], space_after=12)

    _para(doc, "1. Intervenant", bold=True, size=11)
    _grid(doc, [
        ("Prénom et nom", "{{ salarie_prenom }} {{ salarie_nom }}"),
        ("Matricule", "{{ salarie_matricule }}"),
        ("Employeur", "{{ agence_nom }} {{ agence_forme }} — SIRET {{ agence_siret }}"),
    ])
    _para(doc, "2. Mission", bold=True, size=11)
    _grid(doc, [
        ("N° de mission", "{{ mission_numero }}"),
        ("Marque", "{{ marque_nom }}"),
        ("Opération", "{{ mission_operation }}"),
        ("Type d'intervention", "{{ mission_type }}"),
        ("Date", "{{ mission_date_longue }} ({{ mission_date }})"),
        ("Horaires", "de {{ mission_debut }} à {{ mission_fin }}"),
    ])
    _para(doc, "3. Magasin", bold=True, size=11)
    _grid(doc, [
        ("Enseigne", "{{ magasin_enseigne }}"),
        ("Magasin", "{{ magasin_nom }}"),
        ("Code magasin", "{{ magasin_code }}"),
        ("Adresse", "{{ magasin_adresse }}, {{ magasin_code_postal }} {{ magasin_ville }}"),
    ])

    _para(doc, "4. Conditions", bold=True, size=11)
    for text in (
        "L'Intervenant est autorisé à accéder à la surface de vente du magasin désigné, aux seuls date "
        "et horaires indiqués, pour y réaliser l'opération pour le compte du Mandant. Il présente ce "
        "mandat et une pièce d'identité à la direction du magasin à son arrivée.",
        "L'Intervenant demeure salarié de l'Agence, qui reste seule responsable de son encadrement, "
        "de sa rémunération et du respect de la réglementation du travail (convention collective des "
        "prestataires de services dans le domaine du secteur tertiaire, IDCC 2098).",
        "L'Intervenant respecte le règlement intérieur, les consignes d'hygiène et de sécurité du "
        "magasin, ainsi que les règles d'implantation de l'enseigne. Aucun produit n'est vendu ni "
        "encaissé par l'Intervenant, sauf accord écrit du magasin.",
        "Le présent mandat est valable pour la seule mission désignée ; toute modification de "
        "l'intervenant, du magasin, de la date ou des horaires donne lieu à un nouveau mandat portant "
        "une nouvelle référence.",
    ):
        _para(doc, text, space_after=4).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    _para(doc, "", space_after=6)
    _runs(doc, [("Fait à ", False), ("{{ fait_a }}", True), (", le ", False), ("{{ fait_le }}", True),
                (", en un exemplaire transmis au magasin par voie électronique.", False)], space_after=14)

    sig = doc.add_table(rows=1, cols=2)
    sig.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = sig.rows[0].cells
    for cell, lines in (
        (left, ["Pour le Mandant", "{{ marque_raison_sociale }}", "{{ marque_signataire }}",
                "{{ marque_fonction_signataire }}", "", "Signature et cachet :", "", "", ""]),
        (right, ["Pour l'Agence", "{{ agence_nom }} {{ agence_forme }}", "", "",
                 "", "Signature et cachet :", "", "", ""]),
    ):
        first = cell.paragraphs[0]
        first.add_run(lines[0]).bold = True
        for line in lines[1:]:
            cell.add_paragraph(line).paragraph_format.space_after = Pt(0)

    _para(doc, "", space_after=2)
    _para(doc, "Document établi pour la mission {{ mission_numero }} — à présenter à l'accueil du magasin "
               "{{ magasin_nom }} (enseigne {{ magasin_enseigne }}, code {{ magasin_code }}).",
          italic=True, size=8, color=GREY, align=WD_ALIGN_PARAGRAPH.CENTER)

    props = doc.core_properties
    props.title = "Mandat fournisseur"
    props.author = "backoffice"
    props.subject = "Mandat d'intervention en magasin"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
