"""APK rules (``signatures/apk-rules/*.yaml``, format in docs/signatures.md): loaded and validated,
with errors that name the file and the rule.

A rule is a list of weighted conditions over an APK's feature record. Conditions are leaves (one
key: ``package``, ``dex_string``…) or groups (``any`` / ``all`` / ``at_least: N`` + ``of``). The
rule's ``match`` (any / all / at_least N) over its top-level conditions decides whether it can
match at all; its score is the sum of the weights of matched top-level conditions. ``score.strong``
or more → the rule's severity and confidence; ``score.review`` or more → at most "medium"
(needs review), so weak signals alone never make a high finding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from inspector.analyze.findings import CONFIDENCES, SEVERITIES
from inspector.yaml_safe import safe_load

LEAVES = {
    "package": str, "package_ci": str, "package_regex": str, "label": str, "cert_sha1": str,
    "cert_sha256": str, "apk_sha256": str, "dex_string": str, "dex_class_prefix": str, "asset": str,
    "asset_sha256": str, "native_lib": str, "permissions": dict, "component": str,
    "component_prefix": str, "intent_action": str, "intent_action_prefix": str, "file_string": str,
    "dex_class_name": str, "label_regex": str,
}
GROUPS = ("any", "all", "at_least")
_HEX = {"cert_sha1": 40, "cert_sha256": 64, "apk_sha256": 64, "asset_sha256": 64}


class ApkRuleError(Exception):
    """A rule file is malformed; the message names the file, the rule and the field."""


@dataclass(frozen=True)
class Condition:
    kind: str  # a LEAVES key, or "any" / "all" / "at_least"
    value: Any  # the leaf's value (normalised), or a tuple of child Conditions for a group
    weight: float
    need: int = 0  # for at_least
    regex: re.Pattern | None = None


@dataclass(frozen=True)
class ApkRule:
    id: str
    family: str
    name: str
    severity: str
    confidence: str
    references: tuple[str, ...]
    source: str
    match: str  # any | all | at_least
    need: int
    conditions: tuple[Condition, ...]
    strong: float
    review: float
    file: str


def load_rules(folder: Path, families: set[str] | None = None) -> list[ApkRule]:
    rules: list[ApkRule] = []
    seen: set[str] = set()
    for path in sorted(Path(folder).glob("*.yaml")) if Path(folder).is_dir() else ():
        try:
            data = safe_load(path.read_text("utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ApkRuleError(f"{path}: not valid YAML: {exc}") from None
        items = data.get("rules") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            raise ApkRuleError(f"{path}: must hold a mapping with a non-empty 'rules' list")
        for item in items:
            rule = _rule(path, item, families)
            if rule.id in seen:
                raise ApkRuleError(f"{path}: {rule.id}: duplicate rule id")
            seen.add(rule.id)
            rules.append(rule)
    return rules


def _rule(path: Path, item: Any, families: set[str] | None) -> ApkRule:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        raise ApkRuleError(f"{path}: every rule must be a mapping with an 'id'")
    rid = item["id"]

    def fail(msg: str) -> ApkRuleError:
        return ApkRuleError(f"{path}: rule {rid}: {msg}")

    known = {"id", "family", "name", "severity", "confidence", "references", "source", "match",
             "conditions", "score", "description"}
    if unknown := set(item) - known:
        raise fail(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    for key in ("family", "name", "source"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise fail(f"{key!r} is missing or not a string")
    if families is not None and item["family"] not in families:
        raise fail(f"family {item['family']!r} has no file in signatures/implants/")
    if item.get("severity") not in SEVERITIES:
        raise fail(f"severity must be one of {', '.join(SEVERITIES)}")
    if item.get("confidence") not in CONFIDENCES:
        raise fail(f"confidence must be one of {', '.join(CONFIDENCES)}")
    refs = item.get("references") or []
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise fail("references must be a list of URLs")
    match, need = _combinator(item.get("match", "any"), fail)
    conds = item.get("conditions")
    if not isinstance(conds, list) or not conds:
        raise fail("conditions must be a non-empty list")
    conditions = tuple(_condition(c, fail, f"conditions[{i}]") for i, c in enumerate(conds))
    if match == "at_least" and need > len(conditions):
        raise fail(f"match at_least {need} but only {len(conditions)} conditions")
    score = item.get("score") or {}
    if not isinstance(score, dict) or set(score) - {"strong", "review"}:
        raise fail("score must be a mapping with 'strong' and 'review'")
    strong, review = score.get("strong", 10), score.get("review", 1)
    if not all(isinstance(v, int | float) and v > 0 for v in (strong, review)) or review > strong:
        raise fail("score.strong and score.review must be positive numbers, review ≤ strong")
    return ApkRule(id=rid, family=item["family"], name=item["name"], severity=item["severity"],
                   confidence=item["confidence"], references=tuple(refs), source=item["source"], match=match,
                   need=need, conditions=conditions, strong=float(strong), review=float(review), file=path.name)


def _combinator(value: Any, fail) -> tuple[str, int]:
    if value in ("any", "all"):
        return value, 0
    if isinstance(value, dict) and set(value) == {"at_least"} and isinstance(value["at_least"], int) \
            and value["at_least"] > 0:
        return "at_least", value["at_least"]
    raise fail(f"match must be any, all or {{at_least: N}}, not {value!r}")


def _condition(item: Any, fail, where: str) -> Condition:
    if not isinstance(item, dict):
        raise fail(f"{where}: a condition must be a mapping")
    weight = item.get("weight", 1)
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0:
        raise fail(f"{where}: weight must be a number ≥ 0")
    keys = set(item) - {"weight", "of"}
    if len(keys) != 1:
        raise fail(f"{where}: give exactly one condition type (known: {', '.join(sorted(LEAVES) + list(GROUPS))})")
    kind = keys.pop()
    value = item[kind]
    if kind in GROUPS:
        children = value if kind != "at_least" else item.get("of")
        if not isinstance(children, list) or not children:
            raise fail(f"{where}: {kind} needs a non-empty list" + (" in 'of'" if kind == "at_least" else ""))
        need = 0
        if kind == "at_least":
            if not isinstance(value, int) or not 0 < value <= len(children):
                raise fail(f"{where}: at_least must be a number from 1 to {len(children)}")
            need = value
        return Condition(kind, tuple(_condition(c, fail, f"{where}.{kind}[{i}]") for i, c in enumerate(children)),
                         float(weight), need)
    if kind not in LEAVES:
        raise fail(f"{where}: unknown condition {kind!r} (known: {', '.join(sorted(LEAVES) + list(GROUPS))})")
    if not isinstance(value, LEAVES[kind]) or not value:
        raise fail(f"{where}: {kind} must be a non-empty {LEAVES[kind].__name__}")
    regex = None
    if kind in ("package_regex", "label_regex"):
        try:
            regex = re.compile(value)
        except re.error as exc:
            raise fail(f"{where}: {kind} does not compile: {exc}") from None
    if kind in _HEX:
        value = value.lower().replace(":", "").replace(" ", "")
        if not re.fullmatch(f"[0-9a-f]{{{_HEX[kind]}}}", value):
            raise fail(f"{where}: {kind} must be {_HEX[kind]} hex digits")
    if kind == "dex_class_prefix":
        value = "L" + value.strip("L;").replace(".", "/").rstrip("/")
    if kind == "permissions":
        value = _permissions(value, fail, where)
    return Condition(kind, value, float(weight), regex=regex)


def _permissions(value: dict, fail, where: str) -> tuple[int, tuple[str, ...]]:
    if set(value) == {"all_of"} and isinstance(value["all_of"], list) and value["all_of"]:
        names = value["all_of"]
        need = len(names)
    elif set(value) == {"n_of", "of"} and isinstance(value["of"], list) and isinstance(value["n_of"], int) \
            and 0 < value["n_of"] <= len(value["of"]):
        names, need = value["of"], value["n_of"]
    else:
        raise fail(f"{where}: permissions must be {{all_of: [...]}} or {{n_of: N, of: [...]}}")
    if not all(isinstance(n, str) and n for n in names):
        raise fail(f"{where}: permission names must be strings")
    return need, tuple(names)
