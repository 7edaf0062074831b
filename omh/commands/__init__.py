"""One module per ``omh`` command, each with ``add_parser(subparsers)`` and ``run(args)``."""
