"""Agent tools made from the command registry: a schema, a description and a call per command.

Every command of :data:`tui.cli.registry.COMMANDS` that reads or writes the
workspace becomes a tool (a command with actions becomes one tool per action:
``person_add``, ``recurring_skip``). Its input schema comes from the command's
typed :class:`~tui.cli.registry.Arg` entries, its description from what the
command says it answers, and a call runs the command's own run function on
:meth:`~tui.cli.registry.Command.namespace` of the arguments, with ``--json``
on: the agent gets the JSON ``worktop CMD --json`` prints, and its writes go
through the same checks and the same ``Workspace.apply`` as a person's. An error
is the line the CLI would print, with its exit code.

Not offered: commands that make files or open the app (``init``, ``demo``), the
servers themselves, and any option naming a local file (``report --output``):
text an agent read in the workspace must not be able to make worktop read or
write files on the machine. A command that needs such a file is left out whole.

Everything a tool returns is inert: JSON keeps every stored value but spells
control and formatting characters (ESC, C1 controls, bidi overrides) as
``\\uXXXX`` escapes, and plain text and errors show them as symbols, as the CLI
does on a terminal. An agent client may print a tool result in a terminal.
"""

from __future__ import annotations

import contextlib
import io
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from tui.cli.output import EXIT_BAD_INPUT, EXIT_CONFLICT, EXIT_OK, EXIT_USAGE, EXIT_WORKSPACE, explain
from tui.cli.registry import COMMANDS, Arg, Command

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

OFFERED_EFFECTS = ("reads", "writes")
"""What a command may do to be offered as a tool."""

ERROR_KINDS = {EXIT_BAD_INPUT: "bad input", EXIT_USAGE: "usage", EXIT_WORKSPACE: "workspace",
               EXIT_CONFLICT: "conflict"}

_RUNNING = threading.Lock()
"""One command at a time: a command's output is caught by swapping ``sys.stdout``, which is the process's."""


@dataclass(frozen=True)
class ToolOutcome:
    """What one call gave: the text an agent reads, the JSON it parsed to, or the error."""

    text: str
    """The command's output (its ``--json``, made inert), or the error line the CLI prints."""
    data: Any = None
    """The parsed JSON, for the structured result; None for a command that prints only text."""
    exit_code: int = EXIT_OK
    item_id: int | None = None
    """The item the call was about (the agent's presence shows it as where it is)."""
    status: str | None = None
    """That item's status after the call, when the command said."""

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK

    @property
    def structured(self) -> dict[str, Any]:
        """The JSON as an object (MCP's structured content): a list is wrapped as ``{"result": [...]}``."""
        if not self.ok:
            return {"error": self.text, "exit_code": self.exit_code, "kind": ERROR_KINDS.get(self.exit_code, "error")}
        return self.data if isinstance(self.data, dict) else {"result": self.data}


@dataclass(frozen=True)
class AgentTool:
    """One registry command (or one action of it) as a tool."""

    name: str
    command: Command
    subcommand: str | None
    args: tuple[Arg, ...]
    """The arguments offered (``--json`` is always on; local-file options are never offered)."""
    description: str
    schema: dict[str, Any]
    title: str
    json_output: bool
    """The command has ``--json``; without it the tool returns the command's text."""

    @property
    def reads_only(self) -> bool:
        return self.command.reads_only

    @cached_property
    def validator(self) -> Validator:
        """Checks a call's arguments against :attr:`schema` (the low-level MCP server checks nothing itself)."""
        from jsonschema import Draft202012Validator

        return Draft202012Validator(self.schema)

    def call(self, workspace: str, values: dict[str, Any] | None) -> ToolOutcome:
        """Run the command on ``workspace`` with the agent's argument values (blocking; one call at a time)."""
        values = dict(values or {})
        for arg in self.args:  # an id or a priority given as a number is what the agent meant
            value = values.get(arg.key)
            if arg.kind == "text" and isinstance(value, int) and not isinstance(value, bool):
                values[arg.key] = str(value)
        problem = self._invalid(values)
        if problem:
            return ToolOutcome(_inert_line(problem), exit_code=EXIT_USAGE)
        given: dict[str, Any] = {}
        for arg in self.args:
            if arg.key not in values:
                continue
            value = values[arg.key]
            given[arg.key] = ([value] if value else []) if arg.words else value
        if self.json_output:
            given["json"] = True
        try:
            namespace = self.command.namespace(workspace=workspace, subcommand=self.subcommand, **given)
        except ValueError as error:
            return ToolOutcome(_inert_line(str(error)), exit_code=EXIT_USAGE)
        item_id = _item_id(values.get("id"))
        out, err = io.StringIO(), io.StringIO()
        with _RUNNING, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = self.command.load()(namespace) or EXIT_OK
            except Exception as error:  # noqa: BLE001 - every failure is a tool error, never a dropped server
                known = explain(error)
                if known is None:
                    import traceback

                    traceback.print_exc(file=err)
                    known = (EXIT_BAD_INPUT, f"unexpected error ({type(error).__name__}: {error}); "
                             "the server's log (its standard error) has where")
                    _log(err.getvalue())
                return ToolOutcome(_inert_line(known[1]), exit_code=known[0], item_id=item_id)
        if code != EXIT_OK:
            said = err.getvalue().strip().splitlines()
            return ToolOutcome(_inert_line(said[-1] if said else f"exit {code}"), exit_code=code, item_id=item_id)
        printed = out.getvalue()
        if not self.json_output:
            text = printed + "".join(line for line in err.getvalue().splitlines(keepends=True)
                                     if line.startswith("worktop: warning:"))
            return ToolOutcome(_inert_text(text), item_id=item_id)
        import orjson

        data = orjson.loads(printed)
        item = data.get("item") if isinstance(data, dict) else None
        if isinstance(item, dict):
            item_id = item.get("id", item_id)
        elif isinstance(data, dict) and isinstance(data.get("id"), int):
            item, item_id = data, data["id"]
        status = item.get("status") if isinstance(item, dict) else None
        return ToolOutcome(inert_json(data), data=data, item_id=item_id, status=status if isinstance(status, str) else None)

    def _invalid(self, values: dict[str, Any]) -> str | None:
        """What is wrong with the values against the schema, in a line, or None."""
        errors = sorted(self.validator.iter_errors(values), key=lambda e: [str(part) for part in e.path])
        if not errors:
            return None
        error = errors[0]
        where = ".".join(str(part) for part in error.path)
        return f"{self.name}: {where + ': ' if where else ''}{error.message}"


def agent_tools(*, read_only: bool = False, actor: str = "") -> list[AgentTool]:
    """The tools offered, in the registry's order; ``read_only``: only those that change nothing."""
    tools = []
    for command in COMMANDS:
        if command.effect not in OFFERED_EFFECTS or (read_only and not command.reads_only):
            continue
        variants: list[tuple[str | None, str, tuple[Arg, ...]]] = []
        if not command.subcommand_required and not any(sub.name == "list" for sub in command.subcommands):
            variants.append((None, "", ()))  # where the bare command is its `list`, that tool is enough
        variants += [(sub.name, sub.help, sub.args) for sub in command.subcommands]
        for subcommand, sub_help, sub_args in variants:
            args = (*command.args, *sub_args)
            if any(arg.kind == "path" and arg.is_required for arg in args):
                continue  # it needs a file on this machine: not for an agent
            offered = tuple(arg for arg in args if arg.kind != "path" and arg.key != "json")
            name = command.name if subcommand is None else f"{command.name}_{subcommand}"
            cli = f"worktop {command.name}" + (f" {subcommand}" if subcommand else "")
            tools.append(AgentTool(
                name=name, command=command, subcommand=subcommand, args=offered,
                description=_description(command, subcommand, sub_help, cli, actor),
                schema=_schema(offered), title=cli,
                json_output=any(arg.key == "json" and arg.kind == "flag" for arg in args)))
    return tools


def _description(command: Command, subcommand: str | None, sub_help: str, cli: str, actor: str) -> str:
    parts = [command.answers or command.help[:1].upper() + command.help[1:] + "."]
    if subcommand is not None:
        parts.append(f"This tool: {sub_help}.")
    parts.append(f"Same as `{cli}` ({command.help}).")
    if command.reads_only:
        parts.append("Reads only.")
    else:
        parts.append(f"Writes to the shared workspace as {actor or 'the agent'} (history and the team's "
                     "views show it); bad input or a conflict with a teammate's change is an error and "
                     "nothing is written.")
    text = " ".join(parts)
    if command.epilog:
        text += "\n\n" + command.epilog.strip()
    return text


def _schema(args: tuple[Arg, ...]) -> dict[str, Any]:
    properties = {arg.key: _property(arg) for arg in args}
    required = [arg.key for arg in args if arg.is_required]
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def _property(arg: Arg) -> dict[str, Any]:
    one: dict[str, Any]
    if arg.kind == "flag":
        one = {"type": "boolean"}
    elif arg.kind == "int":
        one = {"type": "integer"}
    else:
        one = {"type": "string"}
    if arg.choices:
        one["enum"] = list(arg.choices)
    prop = {"type": "array", "items": one} if arg.many and not arg.words else one
    help_text = arg.help or (arg.metavar or arg.key).lower()
    if arg.words:
        help_text += " (one string)"
    prop["description"] = help_text
    if arg.default is not None and arg.kind != "flag" and not arg.many:
        prop["default"] = arg.default
    return prop


def _item_id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("#").isdigit():
        return int(value.strip().lstrip("#"))
    return None


def inert_json(value: Any) -> str:
    """JSON text of ``value`` in which no character can drive a terminal or hide text.

    orjson already escapes the C0 controls in strings; what it leaves (DEL, C1
    controls such as the one-byte CSI, bidi overrides, zero-width and other
    format characters, line separators) is spelled as ``\\uXXXX``, which JSON
    reads back as the same value.
    """
    import orjson

    text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    if text.replace("\n", "").isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\n" or ch.isprintable():
            out.append(ch)
            continue
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)


def _inert_text(text: str) -> str:
    from data.model.items import display_width_safe

    return "\n".join(display_width_safe(line) for line in text.split("\n"))


def _inert_line(message: str) -> str:
    """An error as the CLI prints it: ``worktop: <message>``, control characters as symbols."""
    from data.model.items import display_width_safe

    line = display_width_safe(message)
    return line if line.startswith("worktop: ") else f"worktop: {line}"


def _log(text: str) -> None:
    import sys

    if sys.__stderr__ is not None:  # None when the server was started with no stderr at all
        sys.__stderr__.write(text)


__all__ = ["AgentTool", "ToolOutcome", "agent_tools", "inert_json"]
