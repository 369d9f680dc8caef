"""One module per `ortflow` subcommand, each with `add_arguments(parser)` and `run(args)`."""
