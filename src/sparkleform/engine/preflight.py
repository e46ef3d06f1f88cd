"""Preparing an operation before it touches the state: expand and check the template,
resolve parameters, check rules and imports, and build the `_Run` it will work on.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sparkleform.engine import prepare
from sparkleform.engine.errors import ResourceFailure, TemplateFormatError, ValidationError
from sparkleform.engine.graph import dependencies, order
from sparkleform.engine.intrinsics import Evaluator, partition_of, url_suffix
from sparkleform.engine.params import no_echo_names, resolve_parameters
from sparkleform.engine.rules import check_rules
from sparkleform.engine.run import _Run, _RunResolver
from sparkleform.errors import SparkleformError
from sparkleform.contract import StackOptions


class PreflightMixin:
    """Turning a submitted template and parameters into a checked run."""

    def _pseudo(self, name: str, stack_id: str, options: StackOptions) -> dict[str, Any]:
        return {
            "AWS::AccountId": self.account_id,
            "AWS::Region": self.region,
            "AWS::StackName": name,
            "AWS::StackId": stack_id,
            "AWS::Partition": partition_of(self.region),
            "AWS::URLSuffix": url_suffix(self.region),
            "AWS::NotificationARNs": list(options.notification_arns or []),
        }

    def _prepare(
        self,
        name: str,
        stack_id: str,
        original: dict,
        parameters: dict[str, Any],
        options: StackOptions,
        previous: dict[str, str] | None = None,
    ) -> _Run:
        try:
            return self._prepare_checked(name, stack_id, original, parameters, options, previous)
        except SparkleformError:
            raise
        except ResourceFailure as exc:
            raise ValidationError(exc.reason) from None
        except Exception as exc:  # a template shape no check caught: refuse it before any state changes
            raise TemplateFormatError(f"Template format error: {type(exc).__name__}: {exc}") from None

    def _prepare_checked(
        self,
        name: str,
        stack_id: str,
        original: dict,
        parameters: dict[str, Any],
        options: StackOptions,
        previous: dict[str, str] | None,
    ) -> _Run:
        if not isinstance(original, dict):
            raise TemplateFormatError("Template format error: the template must be a JSON or YAML object")
        given = {k: v for k, v in (parameters or {}).items()}
        template = prepare.expand(original, region=self.region, account_id=self.account_id, parameters=given)
        prepare.check_structure(template)
        prepare.check_capabilities(template, options.capabilities, original)
        values, raw = resolve_parameters(
            template.get("Parameters") or {}, given, previous=previous, ssm_lookup=self.ssm_lookup
        )
        pseudo = self._pseudo(name, stack_id, options)
        check_rules(template, values, pseudo, self.region)
        uses_imports = prepare.check_references(template)
        run = _Run(stack_id, name, template, values, raw, no_echo_names(template.get("Parameters")), options, None)
        ev = Evaluator(template, values, pseudo, _RunResolver(self, run), region=self.region)
        run.evaluator = ev
        ev.all_conditions()
        resources = template["Resources"]
        active = {lid for lid, res in resources.items() if res.get("Condition") is None or ev.condition(res["Condition"])}
        deps = dependencies(resources, active)
        run.active = order(deps)
        run.deps = deps
        if uses_imports:
            self._check_imports(run)
        return run

    def _check_imports(self, run: _Run) -> None:
        """Fn::ImportValue names must exist when the operation starts, as CloudFormation checks."""
        names: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if len(node) == 1 and "Fn::If" in node:
                    args = node["Fn::If"]
                    if isinstance(args, list) and len(args) == 3 and isinstance(args[0], str):
                        with contextlib.suppress(SparkleformError):
                            walk(args[1] if run.evaluator.condition(args[0]) else args[2])
                        return
                if len(node) == 1 and "Fn::ImportValue" in node:
                    with contextlib.suppress(SparkleformError):
                        value = Evaluator(run.template, run.values, run.evaluator.pseudo, None).resolve(
                            node["Fn::ImportValue"]
                        )
                        if isinstance(value, str):
                            names.add(value)
                    return
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        resources = run.template["Resources"]
        walk([resources[lid] for lid in run.active])
        for out in (run.template.get("Outputs") or {}).values():
            cond = out.get("Condition") if isinstance(out, dict) else None
            if cond is None or run.evaluator.condition(cond):
                walk(out)
        for name in sorted(names):
            row = self.store.one("SELECT 1 FROM exports WHERE region=? AND name=?", (self.region, name))
            if row is None:
                raise ValidationError(f"No export named {name} found.")
        run.imports = names
