"""Render docs/cli.md from the commands' own --help, so the reference cannot drift.

    python -m skilltrends.cli_docs > docs/cli.md
"""

from __future__ import annotations

import click

from skilltrends.cli import cli


def render_cli_reference() -> str:
    parts = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `python -m skilltrends.cli_docs > docs/cli.md`;",
        "a test fails when it is out of date.",
        "",
    ]
    # The group's own settings (``-h`` beside ``--help``), which subcommands' contexts inherit.
    with click.Context(cli, info_name="skilltrends", **cli.context_settings) as context:
        parts += ["```", cli.get_help(context), "```", ""]
        for name in sorted(cli.commands):
            parts += _command_sections(cli.commands[name], name, context, f"skilltrends {name}")
    return "\n".join(parts)


def _command_sections(command, name: str, parent: click.Context, title: str) -> list[str]:
    """A command's help, then each subcommand's (for groups such as ``boards``)."""
    with click.Context(command, info_name=name, parent=parent) as context:
        parts = [f"## {title}", "", "```", command.get_help(context), "```", ""]
        for sub_name in sorted(getattr(command, "commands", {})):
            parts += _command_sections(command.commands[sub_name], sub_name, context, f"{title} {sub_name}")
    return parts


if __name__ == "__main__":
    print(render_cli_reference(), end="")
