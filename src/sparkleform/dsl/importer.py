"""Import: translate a template dict into sparkleform DSL source a person would keep.

The output is a `@template` function: parameters through `t.parameter(...)`, resources as
`with t.resources.web_server as r:` blocks mirroring the template, intrinsic helper calls
(`ref`, `get_att`, `sub`, `join`, `if_`, ...) instead of raw dicts, and snake_case names
wherever the DSL's naming rule maps them back to exactly the original key.

Every choice is checked against the DSL's own rules, by calling its naming functions and
intrinsic helpers and comparing with the original: a snake name is used only when it
compiles back to the same key, a helper only when it returns the same dict. Where neither
works the exact form is written (`node["ExactKey"]`, a dict literal). `compile_source`
runs the generated code, so callers can confirm it compiles back to the input.

It reverses the compiler beside it: keys are named by the DSL's naming rule
(`names.resolve`, the one the compiler applies), and which helper writes which function,
with which arguments, is read from the table of intrinsics (sparkleform/intrinsics.py).
"""

from __future__ import annotations

import inspect
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sparkleform import intrinsics as table
from sparkleform.dsl import fn, names
from sparkleform.dsl.pysource import (
    INDENT,
    WIDTH,
    Doc,
    Group,
    Pair,
    Text,
    call,
    flat,
    layout,
    py_string,
    string_doc,
)
from sparkleform.errors import TemplateError

DEFAULT_VERSION = "2010-09-09"
INIT_KEY = "AWS::CloudFormation::Init"

# naming modes of a mapping's keys, as the DSL compiler applies them
PLAIN, PROPS, VERBATIM, METADATA, RESOURCE = "plain", "props", "verbatim", "metadata", "resource"

_WORDS = re.compile(r"[A-Z]+[0-9]+|[A-Z]+(?![a-z])|[A-Z]?[a-z]+[0-9]*|[0-9]+")
_OUTPUT_KEYS = {"Description", "Value", "Export", "Condition"}
_RESOURCE_VARS = {"Properties": "p", "Metadata": "m"}
_RESERVED = frozenset({"component", "template", "sparkleform"})
# pseudo parameter -> its name on `AWS` (AWS::Region -> region), read from the DSL itself
_PSEUDO = {value["Ref"]: attr for attr, value in vars(type(fn.AWS)).items() if isinstance(value, dict)}
# names a generated module imports from sparkleform (no variable may take them)
_HELPERS = frozenset({*table.BY_HELPER, "template", "component", "AWS", "t"})


def snake_guess(key: str) -> str | None:
    """A readable snake spelling of a CamelCase key (`DBInstanceClass` -> `db_instance_class`)."""
    words = _WORDS.findall(key)
    if not words or "".join(words) != key:
        return None
    return "_".join(w.lower() for w in words)


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


@dataclass(frozen=True)
class Ctx:
    """How the DSL compiler names the keys of one mapping (see dsl/compiler.py)."""

    mode: str
    schema: Any = None
    ppath: tuple = ()

    def candidates(self) -> dict[str, str] | None:
        if self.mode != PROPS or self.schema is None:
            return None
        return self.schema.names_at(self.ppath)

    def compiled_key(self, spelled: str, exact: bool) -> str:
        """The key the compiler makes of `spelled` here (the DSL's naming rule)."""
        if self.mode == VERBATIM or exact:
            return spelled
        if self.mode == RESOURCE:
            return names.RESOURCE_ATTRIBUTES.get(names.identity(spelled), names.camel(spelled))
        return names.resolve(spelled, exact, self.candidates())

    def child(self, key: str) -> Ctx:
        if self.mode == PROPS:
            return Ctx(PROPS, self.schema, (*self.ppath, key))
        if self.mode == METADATA and key == INIT_KEY:
            return Ctx(VERBATIM)
        return self

    def free_form(self) -> bool:
        """Keys chosen by the user (a JSON policy, a tag map): better written as a literal."""
        return self.mode == PROPS and (self.schema is None or self.candidates() is None)


def spelling(key: str, ctx: Ctx) -> tuple[str, str] | None:
    """("attr", name) for `node.name`, ("item", key) for `node["key"]`, or None (needs _set)."""
    for guess in (snake_guess(key), names.snake(key), key):
        if guess and names.is_snake(guess) and _identifier(guess) and ctx.compiled_key(guess, False) == key:
            return "attr", guess
    if ctx.compiled_key(key, not names.is_snake(key)) == key:
        return "item", key
    return None


def name_spelling(name: Any, to_name: Any) -> str | None:
    """How to write a name argument (`ref("web_server")`) so `to_name` gives back `name`."""
    if not isinstance(name, str) or not name:
        return None
    for guess in (snake_guess(name), names.snake(name), name):
        if guess and to_name(guess) == name and (names.is_snake(guess) or guess == name):
            return guess
    return None


def _target(node: str, key: str, how: tuple[str, str]) -> str:
    return f"{node}.{how[1]}" if how[0] == "attr" else f"{node}[{py_string(key)}]"


class Translator:
    """Builds the module text; `used` collects the names to import from sparkleform."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.lines: list[str] = []
        self.notes: list[str] = []

    # -- values -------------------------------------------------------------------------
    def value(self, value: Any, cond: bool = False) -> Doc:
        if isinstance(value, str):
            return string_doc(value)
        if isinstance(value, dict):
            helper = self.intrinsic(value, cond)
            if helper is not None:
                return helper
            return Group("{", [Pair(py_string(str(k)) + ": ", self.value(v, cond)) for k, v in value.items()], "}")
        if isinstance(value, list):
            return Group("[", [self.value(v, cond) for v in value], "]")
        if isinstance(value, float) and value != value:
            return Text('float("nan")')
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            return Text('float("inf")' if value > 0 else '-float("inf")')
        return Text(repr(value))

    def _call(self, name: str, args: list[Doc]) -> Doc:
        self.used.add(name)
        return call(name, args)

    def intrinsic(self, value: dict, cond: bool) -> Doc | None:
        """A helper call that returns exactly `value`, or None.

        The table names the helper, how it takes the function's argument (whole, spread
        over its parameters, or a mapping's keys as parameters), which of its arguments are
        names and which trailing option becomes a keyword; the helper itself is then called
        and must give back `value` exactly."""
        found = table.call_of(value, conditions=cond)
        if found is None:
            return None
        key, arg = found
        if key == "Ref" and isinstance(arg, str) and arg in _PSEUDO:
            self.used.add("AWS")
            return Text(f"AWS.{_PSEUDO[arg]}")
        row = table.FUNCTIONS.get(key)
        if row is None or row.helper is None:
            return None
        helper = getattr(fn, row.helper)
        arguments = _helper_arguments(row, helper, arg)
        if arguments is None:
            return None
        args, kwargs = arguments
        for pos in row.names:
            spelled = _spell_name(args, pos, lambda trial: _returns(helper, trial, kwargs, value))
            if spelled is None:
                return None
            args[pos] = spelled
        if not row.names and not _returns(helper, args, kwargs, value):
            return None
        inner = True if row.context == table.CONDITIONS else cond if row.context == table.SAME else False
        docs: list[Doc] = [
            Text(py_string(a)) if i in row.names else self.value(a, inner) for i, a in enumerate(args)
        ]
        docs += [Pair(f"{k}=", self.value(v, inner)) for k, v in kwargs.items()]
        return self._call(row.helper, docs)

    # -- statements ---------------------------------------------------------------------
    def emit(self, indent: int, text: str) -> None:
        self.lines.append(INDENT * indent + text)

    def assign(self, indent: int, target: str, value: Any, cond: bool = False) -> None:
        prefix = f"{target} = "
        self.emit(indent, prefix + layout(self.value(value, cond), len(INDENT) * indent, len(prefix)))

    def set_exact(self, indent: int, node: str, key: str, value: Any) -> None:
        doc = Group(f"{node}._set(", [Text(py_string(key)), self.value(value)], ")")
        self.emit(indent, layout(doc, len(INDENT) * indent))

    def fits(self, indent: int, target: str, value: Any) -> bool:
        text = flat(self.value(value))
        return text is not None and len(INDENT) * indent + len(target) + 3 + len(text) <= WIDTH

    def blockable(self, mapping: Any, ctx: Ctx) -> bool:
        """Whether `mapping` can be written as a `with` block of node assignments."""
        if not isinstance(mapping, dict) or not mapping or self.intrinsic_like(mapping):
            return False
        idents = {names.identity(k) for k in mapping}
        if len(idents) != len(mapping):
            return False  # two keys that are one node child (Name and name)
        return all(isinstance(k, str) and k and spelling(k, ctx) is not None for k in mapping)

    @staticmethod
    def intrinsic_like(mapping: dict) -> bool:
        return (len(mapping) == 1 and next(iter(mapping)) in table.BARE) or any(
            isinstance(k, str) and k.startswith("Fn::") for k in mapping
        )

    def block(self, indent: int, node: str, mapping: dict, ctx: Ctx, scope: tuple[str, ...]) -> None:
        """Assignments (and nested `with` blocks) for each key of `mapping` on `node`."""
        for key, value in mapping.items():
            how = spelling(key, ctx)
            if how is None:
                self.set_exact(indent, node, key, value)
                continue
            target = _target(node, key, how)
            child = ctx.child(key)
            if self.wants_block(indent, target, value, child):
                self.with_block(indent, target, key, how, value, child, scope)
            else:
                self.assign(indent, target, value)

    def wants_block(self, indent: int, target: str, value: Any, ctx: Ctx) -> bool:
        return (
            isinstance(value, dict)
            and not ctx.free_form()
            and self.blockable(value, ctx)
            and not self.fits(indent, target, value)
        )

    def with_block(
        self,
        indent: int,
        target: str,
        key: str,
        how: tuple[str, str],
        value: dict,
        ctx: Ctx,
        scope: tuple[str, ...],
        var: str | None = None,
    ) -> None:
        """`with target as var:` and the block; a chain of single keys becomes one target."""
        while len(value) == 1:
            ((inner_key, inner_value),) = value.items()
            inner_how = spelling(inner_key, ctx)
            inner_ctx = ctx.child(inner_key)
            inner_target = _target(target, inner_key, inner_how) if inner_how else ""
            if inner_how is None or not self.wants_block(indent, inner_target, inner_value, inner_ctx):
                break
            target, key, how, value, ctx = inner_target, inner_key, inner_how, inner_value, inner_ctx
            var = None
        var = var or self.var_for(key, how, scope)
        self.emit(indent, f"with {target} as {var}:")
        self.block(indent + 1, var, value, ctx, (*scope, var))

    def var_for(self, key: str, how: tuple[str, str], scope: tuple[str, ...]) -> str:
        if how[0] == "attr":
            words = how[1].split("_")
            short = "".join(w[0] for w in words if w) if len(words) > 2 else how[1]
        else:
            words = re.findall(r"[A-Za-z]+", key)
            short = words[-1].lower() if words else "node"
        if len(short) > 16 or not _identifier(short):
            short = "node"
        candidate, n = short, 2
        while candidate in scope or candidate in _HELPERS or not _identifier(candidate):
            candidate, n = f"{short}{n}", n + 1
        return candidate

    # -- sections -----------------------------------------------------------------------
    def parameters(self, indent: int, params: Any) -> None:
        if not isinstance(params, dict):
            self.emit(indent, f"t[{py_string('Parameters')}] = " + layout(self.value(params), 4 * indent, 20))
            return
        section = Ctx(PLAIN)
        for name, body in params.items():
            spelled = name_spelling(name, names.camel)
            kwargs = self.parameter_kwargs(body)
            if spelled is not None and kwargs is not None:
                args: list[Doc] = [Text(py_string(spelled)), *kwargs]
                self.used.add("t.parameter")
                self.emit(indent, layout(Group("t.parameter(", args, ")"), 4 * indent))
                continue
            how = spelling(name, section)
            if how is None:
                self.set_exact(indent, "t.parameters", name, body)
            else:
                self.assign(indent, _target("t.parameters", name, how), body)

    def parameter_kwargs(self, body: Any) -> list[Doc] | None:
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
            return None
        out: list[Doc] = [Pair("type=", Text(py_string(body["Type"])))]
        for key, value in body.items():
            if key == "Type":
                continue
            guess = snake_guess(key)
            if not guess or not _identifier(guess) or guess == "type" or names.camel(guess) != key:
                return None
            out.append(Pair(f"{guess}=", self.value(value)))
        return out

    def mappings(self, indent: int, mappings: Any) -> None:
        if not isinstance(mappings, dict):
            self.emit(indent, "t[\"Mappings\"] = " + layout(self.value(mappings), 4 * indent, 16))
            return
        for name, data in mappings.items():
            spelled = name_spelling(name, names.camel)
            # t.mapping() turns the dict into a node, which merges keys like "Name" and "name"
            if spelled is not None and isinstance(data, dict) and not _colliding(data):
                doc = Group("t.mapping(", [Text(py_string(spelled)), self.value(data)], ")")
                self.emit(indent, layout(doc, 4 * indent))
            else:
                self.set_exact(indent, "t.mappings", name, data)

    def conditions(self, indent: int, conditions: Any) -> None:
        if not isinstance(conditions, dict):
            self.emit(indent, "t[\"Conditions\"] = " + layout(self.value(conditions), 4 * indent, 18))
            return
        for name, expr in conditions.items():
            spelled = name_spelling(name, names.camel)
            if spelled is not None:
                doc = Group("t.condition(", [Text(py_string(spelled)), self.value(expr, True)], ")")
                self.emit(indent, layout(doc, 4 * indent))
            else:
                doc = Group("t.conditions._set(", [Text(py_string(name)), self.value(expr, True)], ")")
                self.emit(indent, layout(doc, 4 * indent))

    def resources(self, indent: int, resources: Any) -> None:
        from sparkleform.spec import get_schema

        if not isinstance(resources, dict):
            self.emit(indent, "t[\"Resources\"] = " + layout(self.value(resources), 4 * indent, 17))
            return
        section = Ctx(PLAIN)
        for index, (logical, body) in enumerate(resources.items()):
            if index:
                self.lines.append("")
            how = spelling(logical, section)
            if how is None:
                self.set_exact(indent, "t.resources", logical, body)
                continue
            target = _target("t.resources", logical, how)
            if not self.resource_blockable(body):
                self.assign(indent, target, body)
                continue
            self.emit(indent, f"with {target} as r:")
            rtype = body.get("Type")
            schema = get_schema(rtype) if isinstance(rtype, str) else None
            attrs = Ctx(RESOURCE)
            for key, value in body.items():
                attr_how = spelling(key, attrs)
                assert attr_how is not None  # checked by resource_blockable
                attr_target = _target("r", key, attr_how)
                if key == "DependsOn":
                    self.assign(indent + 1, attr_target, self.depends_on_names(value))
                elif key == "Condition" and isinstance(value, str):
                    self.assign(indent + 1, attr_target, name_spelling(value, names.camel))
                elif key in _RESOURCE_VARS and self.blockable(value, self.resource_ctx(key, schema)):
                    ctx = self.resource_ctx(key, schema)
                    if key == "Metadata" and self.fits(indent + 1, attr_target, value):
                        self.assign(indent + 1, attr_target, value)
                        continue
                    if len(value) == 1:
                        var = _RESOURCE_VARS[key]
                        self.with_block(indent + 1, attr_target, key, attr_how, value, ctx, ("r",), var)
                        continue
                    var = _RESOURCE_VARS[key]
                    self.emit(indent + 1, f"with {attr_target} as {var}:")
                    self.block(indent + 2, var, value, ctx, ("r", var))
                else:
                    self.assign(indent + 1, attr_target, value)

    @staticmethod
    def resource_ctx(key: str, schema: Any) -> Ctx:
        return Ctx(PROPS, schema, ()) if key == "Properties" else Ctx(METADATA)

    def depends_on_names(self, value: Any) -> Any:
        if isinstance(value, list):
            return [name_spelling(v, names.camel) for v in value]
        return name_spelling(value, names.camel)

    def resource_blockable(self, body: Any) -> bool:
        """A resource can be a `with` block unless the DSL would rename something in it."""
        if not isinstance(body, dict) or not body:
            return False
        attrs = Ctx(RESOURCE)
        if not self.blockable(body, attrs):
            return False
        depends = body.get("DependsOn")
        if "DependsOn" in body:
            items = depends if isinstance(depends, list) else [depends]
            if any(name_spelling(v, names.camel) is None for v in items):
                return False
        condition = body.get("Condition")
        return not (isinstance(condition, str) and name_spelling(condition, names.camel) is None)

    def outputs(self, indent: int, outputs: Any) -> None:
        if not isinstance(outputs, dict):
            self.emit(indent, "t[\"Outputs\"] = " + layout(self.value(outputs), 4 * indent, 15))
            return
        section = Ctx(PLAIN)
        for name, body in outputs.items():
            spelled = name_spelling(name, names.camel)
            args = self.output_args(body)
            if spelled is not None and args is not None:
                doc = Group("t.output(", [Text(py_string(spelled)), *args], ")")
                self.emit(indent, layout(doc, 4 * indent))
                continue
            how = spelling(name, section)
            if how is None:
                self.set_exact(indent, "t.outputs", name, body)
            else:
                self.assign(indent, _target("t.outputs", name, how), body)
            condition = body.get("Condition") if isinstance(body, dict) else None
            if isinstance(condition, str) and names.camel(condition) != condition:
                self.notes.append(
                    f"output {name}: the DSL renames its Condition {condition!r} to {names.camel(condition)!r}"
                )

    def output_args(self, body: Any) -> list[Doc] | None:
        if not isinstance(body, dict) or "Value" not in body or not set(body) <= _OUTPUT_KEYS:
            return None
        args: list[Doc] = [self.value(body["Value"])]
        if "Description" in body:
            if body["Description"] is None:
                return None
            args.append(Pair("description=", self.value(body["Description"])))
        if "Condition" in body:
            spelled = name_spelling(body["Condition"], names.camel)
            if spelled is None:
                return None
            args.append(Pair("condition=", Text(py_string(spelled))))
        if "Export" in body:
            export = body["Export"]
            if not (isinstance(export, dict) and list(export) == ["Name"] and export["Name"] is not None):
                return None
            args.append(Pair("export=", self.value(export["Name"])))
        return args

    def generic_section(self, indent: int, key: str, value: Any) -> None:
        target = {"Metadata": "t.metadata", "Rules": "t.rules"}.get(key)
        ctx = Ctx(METADATA if key == "Metadata" else PLAIN)
        if target is not None and self.blockable(value, ctx):
            self.block(indent, target, value, ctx, ())
        elif key == "Transform":
            self.assign(indent, "t.transform", value)
        else:
            self.assign(indent, f"t[{py_string(key)}]", value)


_SIGNATURES: dict[str, inspect.Signature] = {}


def _signature(helper: Callable[..., Any]) -> inspect.Signature:
    sig = _SIGNATURES.get(helper.__name__)
    if sig is None:
        sig = _SIGNATURES[helper.__name__] = inspect.signature(helper)
    return sig


def _helper_arguments(row: table.Function, helper: Callable[..., Any], arg: Any) -> tuple[list, dict] | None:
    """(positional, keyword) arguments for the row's helper from the function's argument."""
    kwargs: dict[str, Any] = {}
    if row.helper_args == table.FIELDS:
        fields: dict[str, Any] = {}
        for key, item in arg.items() if isinstance(arg, dict) else ():
            spelled = names.snake(key) if isinstance(key, str) else None
            if spelled is None:
                return None
            fields[spelled] = item
        if not isinstance(arg, dict):
            return None
        try:
            bound = _signature(helper).bind(**fields)
        except TypeError:
            return None
        return list(bound.args), dict(bound.kwargs)
    if row.helper_args == table.SPREAD and isinstance(arg, list):
        args = list(arg)
        last = args[-1] if args else None
        if row.options and isinstance(last, dict) and last and all(k in row.options for k in last):
            kwargs = {row.options[k]: v for k, v in last.items()}
            args.pop()
    elif row.helper_args == table.SPREAD and not isinstance(arg, str):
        return None  # spread helpers take a list, or a plain string whole (`sub("...")`)
    else:
        args = [arg]
    sig = _signature(helper)
    try:
        sig.bind(*args, **kwargs)
    except TypeError:
        return None
    params = list(sig.parameters.values())
    # a trailing argument equal to its default is left out (`get_azs()` for Fn::GetAZs "")
    while args and len(args) <= len(params):
        param = params[len(args) - 1]
        default = param.default
        if param.kind is param.VAR_POSITIONAL or default is param.empty or not _same(args[-1], default):
            break
        args.pop()
    return args, kwargs


def _returns(helper: Callable[..., Any], args: list, kwargs: dict, value: dict) -> bool:
    """Whether helper(*args, **kwargs) gives back exactly `value` (the helper is the judge)."""
    try:
        return _same(helper(*args, **kwargs), value)
    except (TemplateError, TypeError, ValueError):
        return False


def _spell_name(args: list, pos: int, gives_back: Callable[[list], bool]) -> str | None:
    """How to write the name argument at `pos` so the helper still gives back the value."""
    name = args[pos] if pos < len(args) else None
    if not isinstance(name, str) or not name:
        return None
    for guess in (snake_guess(name), names.snake(name), name):
        if guess and (names.is_snake(guess) or guess == name):
            trial = list(args)
            trial[pos] = guess
            if gives_back(trial):
                return guess
    return None


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types and key order (NaN equals NaN): the text writes back alike."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)


def _colliding(section: Any) -> bool:
    """Whether two keys of a mapping would be one child of a DSL node (`Web` and `web`)."""
    if not isinstance(section, dict):
        return False
    return len({names.identity(k) for k in section if isinstance(k, str)}) != len(section)


def function_name(name: str) -> str:
    """A Python identifier for a template or component name (`my-stack.v2` -> `my_stack_v2`)."""
    text = re.sub(r"[^0-9A-Za-z_]+", "_", name).strip("_")
    words = _WORDS.findall(text)
    if text != text.lower() and words and "".join(words) == text.replace("_", ""):
        text = "_".join(w.lower() for w in words)
    text = re.sub(r"_+", "_", text.lower()) or "template"
    if text[0].isdigit():
        text = "t_" + text
    if keyword.iskeyword(text) or text in _HELPERS or text in _RESERVED:
        text += "_template"
    return text


@dataclass
class Translation:
    """The generated template module, the component module (with components=True), notes."""

    module: str
    component: str | None
    component_name: str | None
    notes: list[str]


def translate(
    doc: dict,
    *,
    name: str = "imported",
    source: str | None = None,
    components: bool = False,
    component_in_module: bool = False,
) -> Translation:
    """DSL source for `doc`. With `components`, the Parameters section becomes a component
    (`<name>_parameters`) that the template loads: in a module of its own, or in the same
    module when `component_in_module` (no collection folder to hold it)."""
    name = function_name(name)
    body = Translator()
    comp = Translator()
    section_order = ("Parameters", "Mappings", "Conditions", "Resources", "Outputs")
    description = doc.get("Description")
    version = doc.get("AWSTemplateFormatVersion")
    has_params = "Parameters" in doc
    component_name = f"{name}_parameters" if components and has_params else None

    def gap(tr: Translator) -> None:
        if tr.lines and tr.lines[-1] != "":
            tr.lines.append("")

    if "AWSTemplateFormatVersion" not in doc:
        body.assign(1, "t.aws_template_format_version", None)  # the DSL writes one unless told not to
    elif version is None:
        body.assign(1, 't["AWSTemplateFormatVersion"]', None)  # an explicit null, kept as such
    elif version != DEFAULT_VERSION:
        body.assign(1, "t.aws_template_format_version", version)
    if description is not None and not isinstance(description, str):
        body.assign(1, "t.description", description)
    if description == "":
        body.assign(1, "t.description", "")
    for key, value in doc.items():
        if key in ("AWSTemplateFormatVersion", "Description") or key in section_order:
            continue
        gap(body)
        body.generic_section(1, key, value)
    for key in section_order:
        if key not in doc:
            continue
        target = comp if key == "Parameters" and component_name else body
        gap(target)
        if doc[key] == {} or _colliding(doc[key]):
            # a section node cannot hold two names that differ only in case or underscores
            target.assign(1, f"t[{py_string(key)}]", doc[key])
        else:
            getattr(target, key.lower())(1, doc[key])
    while body.lines and body.lines[-1] == "":
        body.lines.pop()

    notes = body.notes + comp.notes

    origin = f" (imported from {source})" if source else ""
    decorator_args: list[Doc] = []
    if isinstance(description, str) and description:
        decorator_args.append(Pair("description=", string_doc(description)))
    if component_name:
        decorator_args.append(Pair("load=", Group("[", [Text(py_string(component_name))], "]")))
    decorator = layout(Group("@template(", decorator_args, ")"), 0) if decorator_args else "@template"

    first = description.strip().splitlines()[0].strip() if isinstance(description, str) and description.strip() else ""
    usable = first and len(first) <= WIDTH - 6 and first.isprintable() and "\\" not in first
    title = first if usable else f"The {name} template."
    summary = _docstring(title, f"Imported from {source} by `sparkleform import`." if source else None)
    template_lines = [decorator, f"def {name}(t):", *(body.lines or [INDENT + "pass"])]

    component_text = None
    if component_name:
        component_lines = [
            "@component",
            f"def {component_name}(t):",
            INDENT + _docstring(f"The parameters of {name}."),
            *comp.lines,
        ]
        comp_imports = _imports(comp.used | {"component"})
        if component_in_module:
            body.used |= comp.used | {"component"}
            template_lines = [*component_lines, "", "", *template_lines]
        else:
            component_text = "\n".join(
                [_docstring(f"Parameters of the {name} template{origin}."), "", comp_imports, "", "", *component_lines]
            ) + "\n"
    imports = _imports(body.used | {"template"})
    module = "\n".join([summary, "", imports, "", "", *template_lines]) + "\n"
    return Translation(module, component_text, component_name, notes)


def _docstring(text: str, more: str | None = None) -> str:
    def clean(part: str) -> str:
        part = "".join(c if c.isprintable() else "?" for c in part)
        part = part.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        return part + " " if part.endswith('"') else part

    if more is None:
        return f'"""{clean(text)}"""'
    return f'"""{clean(text)}\n\n{clean(more)}\n"""'


def _imports(used: set[str]) -> str:
    names = sorted((n for n in used if "." not in n), key=lambda n: (not n.isupper(), n))
    line = "from sparkleform import " + ", ".join(names)
    if len(line) <= WIDTH:
        return line
    return "from sparkleform import (\n" + "".join(f"{INDENT}{n},\n" for n in names) + ")"


def compile_source(source: str, name: str, *, extra_sources: tuple[str, ...] = ()) -> dict:
    """Run generated module source (plus e.g. its component module) and compile the template."""
    from sparkleform.dsl.parts import Registry, reset_current, set_current
    from sparkleform.dsl.templates import build

    registry = Registry()
    token = set_current(registry)
    try:
        for index, text in enumerate((*extra_sources, source)):
            code = compile(text, f"<import:{name}:{index}>", "exec")
            exec(code, {"__name__": f"_sparkleform_import_{index}"})
    finally:
        reset_current(token)
    entry = registry.get("template", function_name(name))
    return build(entry, registry).compile()
