"""Template Rules: RuleCondition and Assertions checked against the parameter values.

Rule-specific functions (Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::RefAll)
are evaluated here; Fn::ValueOf / Fn::ValueOfAll need AWS-side lookups of the parameter's
resource attributes and are refused with a clear message. A failed assertion is a
ValidationError whose message is the AssertDescription, as CloudFormation reports it.
"""

from __future__ import annotations

from typing import Any

from sparkleform.engine.errors import TemplateFormatError, ValidationError
from sparkleform.engine.intrinsics import Evaluator, _comparable


class RuleEvaluator(Evaluator):
    def __init__(self, template: dict, parameters: dict[str, Any], pseudo: dict[str, Any], **kw: Any) -> None:
        super().__init__(template, parameters, pseudo, None, **kw)
        self._fns.update(
            {
                "Fn::Contains": self._contains,
                "Fn::EachMemberEquals": self._each_equals,
                "Fn::EachMemberIn": self._each_in,
                "Fn::RefAll": self._ref_all,
                "Fn::ValueOf": self._value_of,
                "Fn::ValueOfAll": self._value_of,
            }
        )

    def _pair(self, args: Any, fn: str) -> tuple[Any, Any]:
        if not isinstance(args, list) or len(args) != 2:
            raise TemplateFormatError(f"Template error: {fn} takes two arguments")
        return self.resolve(args[0]), self.resolve(args[1])

    def _contains(self, args: Any) -> bool:
        values, value = self._pair(args, "Fn::Contains")
        return _comparable(value) in [_comparable(v) for v in (values or [])]

    def _each_equals(self, args: Any) -> bool:
        values, value = self._pair(args, "Fn::EachMemberEquals")
        return all(_comparable(v) == _comparable(value) for v in (values or []))

    def _each_in(self, args: Any) -> bool:
        values, allowed = self._pair(args, "Fn::EachMemberIn")
        allowed_set = [_comparable(a) for a in (allowed or [])]
        return all(_comparable(v) in allowed_set for v in (values or []))

    def _ref_all(self, ptype: Any) -> list:
        decls = self.template.get("Parameters") or {}
        return [self.parameters[n] for n, d in decls.items() if isinstance(d, dict) and d.get("Type") == ptype]

    def _value_of(self, _args: Any) -> Any:
        raise ValidationError("Rules: Fn::ValueOf and Fn::ValueOfAll need AWS lookups; the local engine cannot evaluate them")


def check_rules(template: dict, parameters: dict[str, Any], pseudo: dict[str, Any], region: str) -> None:
    rules = template.get("Rules") or {}
    if not rules:
        return
    ev = RuleEvaluator(template, parameters, pseudo, region=region)
    for name, rule in rules.items():
        if not isinstance(rule, dict):
            raise TemplateFormatError(f"Template format error: Rule {name} must be an object")
        cond = rule.get("RuleCondition")
        if cond is not None and not ev._condition_value(cond):
            continue
        for assertion in rule.get("Assertions") or []:
            if not ev._condition_value(assertion.get("Assert")):
                desc = assertion.get("AssertDescription") or f"Template assertion in rule {name} failed"
                raise ValidationError(str(desc))
