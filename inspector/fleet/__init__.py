"""Work over many phones at once: re-checking every stored acquisition (rescan), batch audits and
the workers of a shared store. Like ``inspector.pipeline``, this package strings the rooms together
(acquisition folders, analysis, store); the rooms themselves never import it."""
