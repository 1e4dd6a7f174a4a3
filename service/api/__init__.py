"""The HTTP API: one module per resource; ``resources.init_app`` registers them all.

The package itself imports nothing, so any module may import one of its parts
(``base``, ``catalogue``...) without pulling in every resource.
"""
