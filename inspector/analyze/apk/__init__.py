"""The APK engine: tiered feature extraction (``features``, ``dex_tables``), a feature cache by APK
SHA-256 (``cache``), weighted rules (``rules``, ``signatures/apk-rules/``) and matching (``engine``)."""

from inspector.analyze.apk.engine import RuleMatch, check_apk, match_all, match_rule, rules_for
from inspector.analyze.apk.features import FEATURES_VERSION, extract
from inspector.analyze.apk.rules import ApkRule, ApkRuleError, load_rules

__all__ = ["FEATURES_VERSION", "ApkRule", "ApkRuleError", "RuleMatch", "check_apk", "extract",
           "load_rules", "match_all", "match_rule", "rules_for"]
