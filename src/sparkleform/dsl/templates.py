"""Template: the sections of a CloudFormation template as nodes, the keyword helpers, the
reuse calls (load, dynamic, registry, nest) and compile.
"""

from __future__ import annotations

import inspect
import os
import traceback
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from sparkleform.cfn import NESTED_STACK_TYPE, SECTION_ORDER
from sparkleform.dsl.compiler import compile_tree
from sparkleform.dsl.fn import name_of
from sparkleform.dsl.location import caller_location, display_path
from sparkleform.dsl.names import camel
from sparkleform.dsl.node import Node
from sparkleform.dsl.parts import Entry, Registry, current_registry
from sparkleform.errors import CollectionError, SparkleformError, TemplateError
from sparkleform.sourcemap import Location, SourceMap

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


@dataclass
class Compiled:
    """A compiled template: the dict, where its values came from, and its nested templates."""

    name: str
    template: dict[str, Any]
    sources: SourceMap = field(default_factory=SourceMap)
    nested: dict[str, Compiled] = field(default_factory=dict)  # TemplateURL -> child
    origin: str = "dsl"  # "dsl" | "file"
    path: str | None = None
    # (path prefix, location, label): what built-in dynamics made, for `sparkleform trace`
    parts: list[tuple[tuple[str, ...], Location | None, str]] = field(default_factory=list)


@dataclass
class _Nest:
    logical: str
    template: Any
    parameters: dict[str, Any]
    compile_parameters: dict[str, Any]
    url: str
    loc: Location | None


class Template:
    """A CloudFormation template being written. Sections are nodes: `t.resources.web...`."""

    def __init__(
        self,
        name: str = "template",
        *,
        description: str | None = None,
        load: typing.Sequence[str] = (),
        registry: Registry | None = None,
    ) -> None:
        self.name = name
        self._root = Node()
        self._registry = registry or current_registry()
        self._loaded: list[str] = []
        self._nests: list[_Nest] = []
        self._overrides: list[Any] = []
        self._parts: list[tuple[Node, Location | None, str]] = []
        self._policy: list[dict[str, Any]] = []  # statements of t.stack_policy(...)
        if description is not None:
            self._root._assign("Description", True, description, caller_location())
        for component_name in load:
            self.load(component_name)

    # -- sections ---------------------------------------------------------------------
    def _section(self, key: str) -> Node:
        return self._root._child(key, True, None)

    @property
    def parameters(self) -> Node:
        return self._section("Parameters")

    @property
    def mappings(self) -> Node:
        return self._section("Mappings")

    @property
    def conditions(self) -> Node:
        return self._section("Conditions")

    @property
    def rules(self) -> Node:
        return self._section("Rules")

    @property
    def resources(self) -> Node:
        return self._section("Resources")

    @property
    def outputs(self) -> Node:
        return self._section("Outputs")

    @property
    def metadata(self) -> Node:
        return self._section("Metadata")

    @property
    def description(self) -> str | None:
        return self._root._get("Description")

    @description.setter
    def description(self, value: str) -> None:
        self._root._assign("Description", True, value, caller_location())

    @property
    def transform(self) -> Any:
        return self._root._get("Transform")

    @transform.setter
    def transform(self, value: Any) -> None:
        self._root._assign("Transform", True, value, caller_location())

    @property
    def aws_template_format_version(self) -> str | None:
        from sparkleform.dsl.compiler import OMIT

        value = self._root._get("AWSTemplateFormatVersion", "2010-09-09")
        return None if value is OMIT else value

    @aws_template_format_version.setter
    def aws_template_format_version(self, value: str | None) -> None:
        """Set the version; None leaves AWSTemplateFormatVersion out of the compiled template."""
        from sparkleform.dsl.compiler import OMIT

        self._root._assign("AWSTemplateFormatVersion", True, OMIT if value is None else value, caller_location())

    def __getitem__(self, key: str) -> Node:
        return self._root[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._root._assign(key, True, value, caller_location())

    @property
    def root(self) -> Node:
        """The template's root node (every section under its CloudFormation name)."""
        return self._root

    def __repr__(self) -> str:
        return f"<Template {self.name!r}>"

    # -- keyword helpers ----------------------------------------------------------------
    def parameter(self, name: str, /, *, type: str = "String", **attributes: Any) -> Node:
        """Declare a parameter: `t.parameter("instance_type", default="t3.micro", allowed_values=[...])`."""
        loc = caller_location()
        node = self.parameters._child(name, not _is_snake(name), loc)
        node._assign("type", False, type, loc)
        for key, value in attributes.items():
            node._assign(key, False, value, loc)
        return node

    def resource(
        self,
        name: str,
        type: str,
        /,
        *,
        depends_on: Any = None,
        condition: str | None = None,
        deletion_policy: str | None = None,
        update_replace_policy: str | None = None,
        metadata: dict[str, Any] | None = None,
        creation_policy: dict[str, Any] | None = None,
        update_policy: dict[str, Any] | None = None,
        **properties: Any,
    ) -> Node:
        """Declare a resource with its properties as keywords; returns its node."""
        loc = caller_location()
        node = self.resources._child(name, not _is_snake(name), loc)
        node._assign("type", False, type, loc)
        for key, value in (
            ("condition", condition),
            ("depends_on", depends_on),
            ("deletion_policy", deletion_policy),
            ("update_replace_policy", update_replace_policy),
            ("creation_policy", creation_policy),
            ("update_policy", update_policy),
            ("metadata", metadata),
        ):
            if value is not None:
                node._assign(key, False, value, loc)
        if properties:
            props = node._child("properties", False, loc)
            for key, value in properties.items():
                props._assign(key, not _is_snake(key), value, loc)
        return node

    def output(
        self,
        name: str,
        value: Any,
        /,
        *,
        description: str | None = None,
        export: Any = None,
        condition: str | None = None,
    ) -> Node:
        """Declare an output; `export` is the export name (a string or an intrinsic)."""
        loc = caller_location()
        node = self.outputs._child(name, not _is_snake(name), loc)
        if description is not None:
            node._assign("description", False, description, loc)
        if condition is not None:
            node._assign("condition", False, name_of(condition), loc)
        node._assign("value", False, value, loc)
        if export is not None:
            node._assign("export", False, {"Name": export}, loc)
        return node

    def condition(self, name: str, expression: Any, /) -> Node:
        """Declare a condition: `t.condition("is_prod", equals(ref("env"), "prod"))`."""
        self.conditions._assign(name, not _is_snake(name), expression, caller_location())
        return self.conditions

    def mapping(self, name: str, data: dict[str, Any], /) -> Node:
        """Declare a mapping from a dict (its keys are kept exactly as written, even keys that
        differ only in case); returns the Mappings section."""
        self.mappings._assign(name, not _is_snake(name), dict(data), caller_location())
        return self.mappings

    # -- reuse --------------------------------------------------------------------------
    def overrides(self, fn: Any) -> Any:
        """Register `fn(t)` to run after the template's components (SparkleFormation's
        `overrides` block); use it as a decorator inside the template body."""
        self._overrides.append(fn)
        return fn

    def run_overrides(self) -> None:
        """Run the registered overrides in order (once each); `build` does this for you."""
        while self._overrides:
            run_user(self._overrides.pop(0), self)

    def load(self, *names: str) -> Template:
        """Apply components by name, once each, in the order given, now (`@template(load=...)`
        applies them after the template's body instead, as SparkleFormation does)."""
        for name in names:
            if name in self._loaded:
                continue
            entry = self._registry.get("component", name)
            self._loaded.append(name)
            for layer in entry.layers():
                run_user(layer.fn, self)
        return self

    def dynamic(self, dynamic_name: str, name: str, /, **config: Any) -> Any:
        """Insert a dynamic by name (`t.dynamic("launch_config", "web", run_list=[...])`).

        A name no user or pack dynamic has is a built-in resource dynamic, found by a suffix
        of a resource type's name (`t.dynamic("ec2_instance", "web", instance_type="t3.micro")`
        adds the AWS::EC2::Instance `WebEc2Instance`; see builtins.py)."""
        entry = self._registry.find("dynamic", dynamic_name)
        if entry is None:
            from sparkleform.dsl import builtins

            type_name = builtins.builtin_type(dynamic_name)
            if type_name is None:
                self._registry.get("dynamic", dynamic_name)  # raises the usual "no dynamic named" error
                raise AssertionError("unreachable")
            return builtins.insert(self, dynamic_name, type_name, name, config)
        if entry.previous is None:
            return run_user(entry.fn, self, name, **config)
        result = None
        for i, layer in enumerate(entry.layers()):
            extra = {"previous_layer_result": result} if i and _takes(layer.fn, "previous_layer_result") else {}
            result = run_user(layer.fn, self, name, **config, **extra)
        return result

    def registry(self, entry_name: str, node: Node, /, **config: Any) -> Any:
        """Insert a registry entry into `node` (`t.registry("chef_metadata", lc, run_list=...)`)."""
        entry = self._registry.get("registry", entry_name)
        return run_user(entry.fn, node, **config)

    def nest(
        self,
        name: str,
        template: Any,
        parameters: dict[str, Any] | None = None,
        **compile_parameters: Any,
    ) -> Node:
        """Add an AWS::CloudFormation::Stack running `template` (a name in the collection, a
        template function, or a Template). Its parameters that match, by name, outputs of a
        sibling nested stack are wired with GetAtt Sibling.Outputs.Name unless given."""
        loc = caller_location()
        logical = name if not _is_snake(name) else camel(name)
        url = f"{self.name}-{logical}.template"
        node = self.resources._child(name, not _is_snake(name), loc)
        node._assign("type", False, NESTED_STACK_TYPE, loc)
        node._child("properties", False, loc)._assign("template_url", False, url, loc)
        self._nests.append(_Nest(logical, template, dict(parameters or {}), compile_parameters, url, loc))
        return node

    def stack_policy(
        self,
        allow: Any = None,
        deny: Any = None,
        *,
        statements: typing.Sequence[dict[str, Any]] = (),
    ) -> None:
        """The stack policy of stacks made from this template (SparkleFormation's `policy`):
        `allow` / `deny` are `{resource: actions}` (logical ids or snake_case names, or `*`;
        actions Modify, Replace, Delete, *), or actions alone for every resource;
        `statements` are stack policy statements as CloudFormation writes them. Applied on
        create and update to the stack and, for nested templates, to each nested stack."""
        from sparkleform.dsl.stack_policy import statements_for

        def named(spec: Any) -> Any:
            if not isinstance(spec, dict):
                return spec
            return {k if k == "*" or not _is_snake(k) else camel(k): v for k, v in spec.items()}

        self._policy += statements_for("Allow", named(allow), "stack_policy(allow=...)")
        self._policy += statements_for("Deny", named(deny), "stack_policy(deny=...)")
        self._policy += [dict(statement) for statement in statements]

    # -- compile ------------------------------------------------------------------------
    def compile(self) -> dict[str, Any]:
        """The template as a plain dict (sections in CloudFormation order)."""
        return self.compile_all().template

    def compile_with_sources(self) -> tuple[dict[str, Any], SourceMap]:
        result = self.compile_all()
        return result.template, result.sources

    def compile_all(self, path: str | None = None) -> Compiled:
        """The template, its SourceMap, and every nested template compiled alongside."""
        from sparkleform.dsl.stack_policy import METADATA_KEY, build_policy

        nested = self._compile_nests()
        doc, sources = compile_tree(self._root)
        policy = build_policy(doc, self._policy)
        if policy is not None:
            metadata = doc.get("Metadata")
            if not isinstance(metadata, dict):  # a new section: in CloudFormation's order, before Parameters
                metadata = {}
                head: dict[str, Any] = {k: doc.pop(k) for k in ("AWSTemplateFormatVersion", "Description", "Transform")
                                        if k in doc}
                rest = dict(doc)
                doc.clear()
                doc.update(head)
                doc["Metadata"] = metadata
                doc.update(rest)
            metadata[METADATA_KEY] = policy
        if nested:
            self._wire_nests(doc, nested, sources)
        parts: list[tuple[tuple[str, ...], Location | None, str]] = [
            (("Resources", node._name), loc, label) for node, loc, label in self._parts
        ]
        return Compiled(self.name, doc, sources, nested, "dsl", path, parts)

    def _compile_nests(self) -> dict[str, Compiled]:
        out: dict[str, Compiled] = {}
        for nest in self._nests:
            target = nest.template
            if isinstance(target, Template):
                out[nest.url] = target.compile_all()
                continue
            entry: Entry | None
            if isinstance(target, str):
                entry = self._registry.get("template", target)
            else:
                entry = getattr(target, "__sparkleform__", None)
                if entry is None or entry.kind != "template":
                    raise TemplateError(
                        f"nest({nest.logical!r}): template must be a template name, a @template function or a Template",
                        location=str(nest.loc) if nest.loc else None,
                    )
            child = build(entry, self._registry, nest.compile_parameters, name=f"{self.name}-{nest.logical}",
                          prompt=False)
            out[nest.url] = child.compile_all(entry.file)
        return out

    def _wire_nests(self, doc: dict[str, Any], nested: dict[str, Compiled], sources: SourceMap | None = None) -> None:
        outputs_of = {n.logical: set(nested[n.url].template.get("Outputs") or {}) for n in self._nests}
        resources = doc.get("Resources", {})
        for nest in self._nests:
            child = nested[nest.url].template
            props = resources[nest.logical].setdefault("Properties", {})
            given = {camel(k): v for k, v in nest.parameters.items()}
            wired: dict[str, Any] = {}
            for pname in child.get("Parameters") or {}:
                if pname in given:
                    wired[pname] = given.pop(pname)
                    continue
                for sibling in self._nests:
                    if sibling.logical != nest.logical and pname in outputs_of[sibling.logical]:
                        wired[pname] = {"Fn::GetAtt": [sibling.logical, f"Outputs.{pname}"]}
                        break
                else:
                    # SparkleFormation's parameter bubbling: the parent takes the parameter
                    # (the first definition of a name wins) and passes it down.
                    bubbled = doc.setdefault("Parameters", {})
                    if pname not in bubbled:
                        bubbled[pname] = child["Parameters"][pname]
                        if sources is not None and nest.loc is not None:
                            sources.add(("Parameters", pname), nest.loc)
                    wired[pname] = {"Ref": pname}
            if given:
                unknown = ", ".join(sorted(given))
                raise TemplateError(
                    f"nest({nest.logical!r}): the nested template has no parameter(s) {unknown}",
                    location=str(nest.loc) if nest.loc else None,
                )
            if wired:
                existing = props.get("Parameters")
                props["Parameters"] = {**wired, **(existing if isinstance(existing, dict) else {})}
        if "Parameters" in doc:  # keep CloudFormation's section order
            order = {key: i for i, key in enumerate(SECTION_ORDER)}
            items = sorted(doc.items(), key=lambda kv: order.get(kv[0], len(order)))
            doc.clear()
            doc.update(items)


def _is_snake(name: str) -> bool:
    from sparkleform.dsl.names import is_snake

    return is_snake(name)


# -- running user code -------------------------------------------------------------------
def run_user(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a user's function; an exception from their code becomes a TemplateError that
    names their file:line (the original stays chained for -v)."""
    try:
        return fn(*args, **kwargs)
    except SparkleformError as exc:
        if exc.location is None:
            loc = _user_frame(exc.__traceback__)
            if loc:
                exc.location = loc
        raise
    except RecursionError as exc:
        raise TemplateError("infinite recursion in template code", location=_user_frame(exc.__traceback__)) from exc
    except BaseException as exc:  # sys.exit(), GeneratorExit, ... in a template: its error
        loc = _user_frame(exc.__traceback__)
        where = getattr(fn, "__name__", "template code")
        if isinstance(exc, Exception):
            raise TemplateError(f"{type(exc).__name__} in {where}: {exc}", location=loc) from exc
        raise TemplateError(f"{describe_exception(exc)} in {where}", location=loc) from exc


def describe_exception(exc: BaseException) -> str:
    """'sys.exit(3) was called' for a template that exits (SystemExit), or raises another
    exception that is not an Exception (KeyboardInterrupt, GeneratorExit, its own)."""
    if isinstance(exc, SystemExit):
        return f"sys.exit({exc.code!r}) was called (a template cannot end sparkleform)"
    if isinstance(exc, KeyboardInterrupt):
        return "KeyboardInterrupt was raised"
    return f"{type(exc).__name__} was raised" + (f": {exc}" if str(exc) else "")


def _user_frame(tb: types.TracebackType | None) -> str | None:
    last: str | None = None
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if not filename.startswith(_PKG_DIR) or "/packs/" in filename:
            last = f"{Location(display_path(filename), lineno)}"
    return last


# -- compile-time parameters ---------------------------------------------------------------
def template_parameters(fn: Any) -> dict[str, tuple[Any, Any]]:
    """name -> (annotation, default) for a template function's keyword-only arguments."""
    import inspect

    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}
    out = {}
    for pname, param in inspect.signature(fn).parameters.items():
        if param.kind in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD) and pname != next(
            iter(inspect.signature(fn).parameters)
        ):
            out[pname] = (hints.get(pname, param.annotation), param.default)
    return out


def convert_parameters(entry: Entry, overrides: dict[str, Any] | None, *, prompt: bool = True) -> dict[str, Any]:
    """Compile-time parameter values by the function's annotations and constraints (see
    params.py); strings are converted, missing required ones prompted for on a terminal."""
    from sparkleform.dsl.params import resolve

    return resolve(entry.name, entry.fn, overrides, prompt=prompt)


def build(
    entry: Entry,
    registry: Registry,
    overrides: dict[str, Any] | None = None,
    *,
    name: str | None = None,
    prompt: bool = True,
) -> Template:
    """Run a registered template function: its body, then its components, then its overrides
    (after the template it inherits, and the earlier layers it merges onto)."""
    params = convert_parameters(entry, overrides, prompt=prompt)
    t = Template(name or entry.name, registry=registry)
    return compose(t, entry, params)


def compose(t: Template, entry: Entry, params: dict[str, Any], _seen: tuple[str, ...] = ()) -> Template:
    """SparkleFormation's order: the template's body (the base block), then its components in
    load order, then its overrides (`@t.overrides` functions, or the body's code after a
    bare `yield`). A template that inherits another is built on top of it; layers of one
    name (layering="merge") run oldest first, each step for all layers together."""
    parent = entry.options.get("inherit")
    if parent:
        if parent in _seen or parent == entry.name:
            raise CollectionError(f"template {entry.name!r} inherits itself (through {' -> '.join(_seen)})")
        base = t._registry.get("template", parent)
        compose(t, base, _layer_params(base, params), (*_seen, entry.name))
    layers = entry.layers()
    pending = []
    for layer in layers:
        description = layer.options.get("description")
        if description:
            t._root._assign("Description", True, description, Location(display_path(layer.file or "?"), layer.line or 0))
        result = run_user(layer.fn, t, **(params if layer is entry else _layer_params(layer, params)))
        if isinstance(result, Template) and result is not t:
            return result
        if inspect.isgenerator(result) and run_user(_step, result, layer.name):
            pending.append(result)
    for layer in layers:
        t.load(*layer.options.get("load", ()))
    for gen in pending:
        run_user(_step, gen, entry.name)
    t.run_overrides()
    return t


def _layer_params(entry: Entry, given: dict[str, Any]) -> dict[str, Any]:
    """The compile-time values for an inherited or earlier layer: those it takes, by name."""
    spec = template_parameters(entry.fn)
    return convert_parameters(entry, {k: v for k, v in given.items() if k in spec}, prompt=False)


def _takes(fn: Any, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _step(gen: Any, name: str) -> bool:
    """Run a template generator to its next `yield`; False once it has finished."""
    try:
        next(gen)
    except StopIteration:
        return False
    return True


__all__ = ["Compiled", "Template", "build", "convert_parameters", "run_user", "template_parameters"]
