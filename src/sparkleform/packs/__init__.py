"""Built-in packs of components, dynamics, registry entries and templates."""
