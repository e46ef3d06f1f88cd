"""The package's lazy public API names exactly what it promises: the DSL's whole public
surface (its __all__, written out again in sparkleform/__init__.py so that importing
sparkleform stays cheap) and each name resolves to the object it stands for."""

from __future__ import annotations

import importlib

import sparkleform
import sparkleform.dsl


def test_every_dsl_name_is_exported_by_the_package() -> None:
    assert set(sparkleform.dsl.__all__) <= set(sparkleform.__all__)


def test_every_package_name_resolves_to_its_module_object() -> None:
    for name in sparkleform.__all__:
        module = importlib.import_module(sparkleform._EXPORTS[name])
        assert getattr(sparkleform, name) is getattr(module, name), name
