"""Documents and messages made from the workbook data: mandates (Word/PDF), e-mails."""
