"""The on-disk acquisition format (see docs/acquisition.md)."""

from inspector.acquisition.folder import (
    Acquisition,
    AcquisitionError,
    UnsafeArtifactName,
    sha256_file,
    utc_now,
)

__all__ = ["Acquisition", "AcquisitionError", "UnsafeArtifactName", "sha256_file", "utc_now"]
