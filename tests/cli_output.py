"""Reading what `python -m lib` writes on stderr: the mapping it used (a line per field) and large losses
per column, each line starting with its table, then at most one error."""

MAPPING_PREFIXES = ("tickets", "surveys", "customers")  # the mapping, then any large losses


def error_lines(stderr: str) -> list[str]:
    """The lines of stderr that are not the mapping report."""
    return [line for line in stderr.strip().splitlines() if not line.startswith(MAPPING_PREFIXES)]
