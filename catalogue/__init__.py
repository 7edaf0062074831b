"""Open Models Hub: the catalogue's domain.

The pipeline is ``load -> link -> check -> derive -> publish``; each stage is a module here with a
small typed interface, and the ``omh`` command (``omh.cli``) only wires them together.
"""

__version__ = "0.1.0"
