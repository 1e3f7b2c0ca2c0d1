"""The store: an index of the phones seen, their acquisitions, scans and findings (SQLAlchemy).

SQLite in the user's data folder by default, any SQLAlchemy URL (PostgreSQL for a helpdesk team) by
argument or ``$INSPECTOR_DB``. Raw artifacts stay in the acquisition folders.
"""

from inspector.store.database import (
    ENV_URL,
    CaseAcquisition,
    CaseClosed,
    CaseExists,
    CaseInfo,
    CaseNotFound,
    LatestScan,
    ScanRecord,
    Store,
    StoreError,
    default_url,
)
from inspector.store.migrate import StoreSchemaError
from inspector.store.models import Acquisition, ApkRecord, Base, Case, Device, FindingRow, Scan

__all__ = [
    "ENV_URL", "Acquisition", "ApkRecord", "Base", "Case", "CaseAcquisition", "CaseClosed", "CaseExists", "CaseInfo",
    "CaseNotFound", "Device", "FindingRow", "LatestScan", "Scan", "ScanRecord", "Store", "StoreError",
    "StoreSchemaError", "default_url",
]
