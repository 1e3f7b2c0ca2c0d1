"""Moving evidence between installations: export bundles of a case or an acquisition (a zip with a
manifest of SHA-256 hashes, optionally redacted) and their import, all or nothing; and encryption
at rest to a recipient's public key (:mod:`inspector.exchange.sealed`)."""
