"""Every CLI command has help text and is in the README (STYLE: docs move with the code)."""

from __future__ import annotations

import typer.main

from nianbao.cli import app

from helpers import ROOT


def _commands() -> list[tuple[str, str]]:
    group = typer.main.get_command(app)
    out = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        if sub:
            out.extend((f"{name} {s}", c.help or "") for s, c in sub.items())
        else:
            out.append((name, cmd.help or ""))
    return out


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _commands()
    assert {"extract", "run", "rollup", "findings", "query", "demo", "serve", "rerun"} <= {
        c for c, _ in commands
    }
    for name, help_text in commands:
        assert help_text.strip(), f"nianbao {name} has no help text"
        assert f"nianbao {name}" in readme, f"nianbao {name} is not in README.md"
