"""The store: an index of the phones seen, their acquisitions, scans and findings (SQLAlchemy).

SQLite in the user's data folder by default, any SQLAlchemy URL (PostgreSQL for a helpdesk team) by
argument or ``$INSPECTOR_DB``. Raw artifacts stay in the acquisition folders.
"""

from inspector.store.database import ENV_URL, ScanRecord, Store, default_url
from inspector.store.models import Acquisition, Base, Device, FindingRow, Scan

__all__ = ["ENV_URL", "Acquisition", "Base", "Device", "FindingRow", "Scan", "ScanRecord", "Store", "default_url"]
