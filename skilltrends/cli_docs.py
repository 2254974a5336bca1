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
    with click.Context(cli, info_name="skilltrends") as context:
        parts += ["```", cli.get_help(context), "```", ""]
        for name in sorted(cli.commands):
            command = cli.commands[name]
            with click.Context(command, info_name=name, parent=context) as sub:
                parts += [f"## skilltrends {name}", "", "```", command.get_help(sub), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render_cli_reference(), end="")
