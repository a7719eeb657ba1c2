"""The certificate store (IIS `serverCertStoreName` + `serverCertHash`).

`CertStore(ConfigFolder.cert_dir).find(thumbprint, store_name)` is what the
server calls; the rest backs `iisftp cert ...`.
"""

from __future__ import annotations

from iisftp.certs._model import StoredCertificate, normalize_thumbprint, thumbprint_of
from iisftp.certs.store import DEFAULT_STORE, CertStore, ImportResult

__all__ = [
    "DEFAULT_STORE",
    "CertStore",
    "ImportResult",
    "StoredCertificate",
    "normalize_thumbprint",
    "thumbprint_of",
]
