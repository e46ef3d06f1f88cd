"""Building Blocks > Templates: the second component `my_template` loads (the docs leave
its content open; here it describes the stack)."""

from sparkleform import component


@component
def special(t):
    t.description = "A special stack"
