"""The data layer: regional workbooks (Google Sheets or .xlsx) read per the contract,
written back by key with compare-before-write, every write journaled."""
from .backend import COLOR_ERROR, COLOR_MISSING, Backend, RawTab, WritePlan
from .changes import ApplyReport, ChangeSet, Skipped, preview_rows
from .errors import BackofficeError, ConfigError, InputError, WorkbookError
from .findings import ALERTE, ERREUR, Finding
from .memory_backend import MemoryBackend
from .table import ROW, CellChange, Highlight, Table
from .workbook import Workbook, WorkbookData

__all__ = [
    "ALERTE", "ERREUR", "COLOR_ERROR", "COLOR_MISSING", "ROW", "ApplyReport", "Backend",
    "BackofficeError", "CellChange", "ChangeSet", "ConfigError", "Finding", "Highlight",
    "InputError", "MemoryBackend", "RawTab", "Skipped", "Table", "Workbook", "WorkbookData",
    "WorkbookError", "WritePlan", "preview_rows",
]
