"""Property values and property diffs laid out as the Pulumi CLI lays them out.

The rules come from the CLI's property printer (pulumi/pulumi `pkg/backend/display/object_diff.go`), read,
not copied: four columns a level; a changed line's symbol (`+ `, `- `, `~ `) takes the last two columns of
its indentation; keys of one object padded to the longest (`key  : value`), sorted, `__`-prefixed
(internal) keys left out; strings Go-quoted on one line (`"a\\nb"`), unless the string is a JSON document,
or a multi-line YAML document, holding an object or a list: then `(json) ` / `(yaml) ` and the decoded value
as a block; objects as `{` ... `}` and lists as `[` ... `[0]: v` ... `]` blocks closed at the opening
line's indentation; secrets `[secret]`, unknowns `[unknown]`, null `<null>`. An update of a string shows
`"old" => "new"` on one line, or, when either side has several lines, a line diff (changed lines marked,
two lines of context, `...` for the rest). A property that forces a replacement ends with
` # forces replacement`.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml

from localengine.props import UNKNOWN, is_secret

_ABSENT = object()
ADD, DELETE, UPDATE = "+ ", "- ", "~ "
FORCES_REPLACEMENT = " # forces replacement"
CONTEXT_LINES = 2


def indentation(indent: int, prefix: str | None = None) -> str:
    """`indent` levels of four columns; a prefixed line carries its symbol in the last two."""
    text = "    " * indent
    return text[:-2] + prefix if prefix and text else text


def is_internal(key: str) -> bool:
    return key.startswith("__")


def go_quote(text: str) -> str:
    """`text` as Go's `%q` writes it: double quotes, backslash escapes, printable Unicode kept."""
    escapes = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r"}
    escapes |= {"\t": "\\t", "\v": "\\v"}
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _number(value: int | float) -> str:
    if isinstance(value, int) or (math.isfinite(value) and math.trunc(value) == value):
        return str(int(value))
    return repr(value)


def decode_document(text: str) -> tuple[Any, str] | None:
    """A string that is a whole JSON document, or (several lines only) a whole YAML document, holding an
    object or a list: the decoded value and its kind. Otherwise None."""
    stripped = text.strip()
    try:
        value: Any = json.loads(stripped)
        kind = "json"
    except ValueError:
        if "\n" not in stripped and "\r" not in stripped:
            return None
        try:
            documents = list(yaml.safe_load_all(stripped))
        except yaml.YAMLError:
            return None
        if len(documents) != 1:
            return None
        value, kind = documents[0], "yaml"
    if isinstance(value, dict) and all(isinstance(k, str | int | float) for k in value):
        return {str(k): v for k, v in value.items()}, kind
    return (value, kind) if isinstance(value, list) else None


def worth_printing(value: Any) -> bool:
    """Null, empty strings, empty lists and empty objects are left out (they clutter the output)."""
    return not (value is None or value == "" or value == [] or (value == {} and not is_secret(value)))


def _is_primitive(value: Any) -> bool:
    return is_secret(value) or not isinstance(value, dict | list)


def _values_differ(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is not type(new) or old != new
    return bool(old != new)


@dataclass(frozen=True)
class Printer:
    """Writes into `out` (chunks joined into lines later), at `indent`, with `prefix` on its lines."""

    out: list[str]
    indent: int
    prefix: str | None = None
    summary: bool = False  # leave unchanged properties out of object and list diffs (`--diff` summary)

    def at(self, indent: int = 0, prefix: str | object | None = _ABSENT) -> Printer:
        changed = replace(self, indent=self.indent + indent)
        return changed if prefix is _ABSENT else replace(changed, prefix=prefix)  # type: ignore[arg-type]

    def write(self, text: str) -> None:
        self.out.append(text)

    def line_start(self, text: str = "") -> None:
        self.write(indentation(self.indent, self.prefix) + text)

    def title(self, name: str, width: int) -> None:
        self.line_start(f"{name:<{width}}: ")

    # -- values ------------------------------------------------------------------------------------
    def value(self, value: Any) -> None:
        """A value and the end of its line."""
        self._value(value)
        self.write("\n")

    def _value(self, value: Any) -> None:
        if _is_primitive(value):
            self.primitive(value)
        elif isinstance(value, list):
            if not value:
                self.write("[]")
                return
            self.write("[\n")
            for i, element in enumerate(value):
                self.line_start(f"    [{i}]: ")
                self.at(1).value(element)
            self.at(prefix=None).line_start("]")
        else:
            if not value:
                self.write("{}")
                return
            self.write("{\n")
            self.at(1).object(value)
            self.at(prefix=None).line_start("}")

    def primitive(self, value: Any) -> None:
        if is_secret(value):
            self.write("[secret]")
        elif value == UNKNOWN:
            self.write("[unknown]")
        elif value is None:
            self.write("<null>")
        elif isinstance(value, bool):
            self.write("true" if value else "false")
        elif isinstance(value, int | float):
            self.write(_number(value))
        elif isinstance(value, str):
            decoded = decode_document(value)
            if decoded is not None:
                # The CLI ends the decoded block's line here and its own caller ends it again: a decoded
                # document is followed by an empty line.
                self.write(f"({decoded[1]}) ")
                self.value(decoded[0])
                return
            self.write(go_quote(value))
        else:
            self.write(go_quote(str(value)))

    def object(self, props: Mapping[str, Any]) -> None:
        keys = sorted(props)
        width = max((len(k) for k in keys), default=0)
        for key in keys:
            if not is_internal(key):
                self.title(key, width)
                self.value(props[key])

    # -- diffs -------------------------------------------------------------------------------------
    def object_diff(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        include: Iterable[str] | None = None,
        replace_keys: Iterable[str] = (),
    ) -> None:
        """Each property of the two objects: added, deleted, updated, or (not `summary`) unchanged."""
        keys = sorted(k for k in set(old) | set(new) if not is_internal(k))
        if include is not None:
            wanted = set(include)
            keys = [k for k in keys if k in wanted]
        width = max((len(k) for k in keys), default=0)
        forcing = set(replace_keys)
        for key in keys:
            before, after = old.get(key), new.get(key)
            title = _titled(key, width)
            if before is None and after is not None:
                self.added(after, title)
            elif after is None and before is not None:
                self.deleted(before, title)
            elif _values_differ(before, after):
                self.value_diff(before, after, title)
            else:
                if not self.summary and worth_printing(before):
                    self.at(prefix=None).title(key, width)
                    self.at(prefix=None).value(before)
                continue
            if key in forcing:
                self._mark_replacement()

    def _mark_replacement(self) -> None:
        if self.out and self.out[-1].endswith("\n"):
            self.out[-1] = self.out[-1][:-1] + FORCES_REPLACEMENT + "\n"

    def added(self, value: Any, title: Callable[[Printer], None]) -> None:
        printer = self.at(prefix=ADD)
        title(printer)
        printer.value(value)

    def deleted(self, value: Any, title: Callable[[Printer], None]) -> None:
        printer = self.at(prefix=DELETE)
        title(printer)
        printer.value(value)

    def value_diff(self, old: Any, new: Any, title: Callable[[Printer], None]) -> None:
        printer = self.at(prefix=UPDATE)
        both_lists = isinstance(old, list) and isinstance(new, list)
        both_objects = all(isinstance(v, dict) and not is_secret(v) for v in (old, new))
        if both_lists:
            title(printer)
            printer.write("[\n")
            for i in range(max(len(old), len(new))):
                element = printer.at(2)

                def element_title(p: Printer, i: int = i) -> None:
                    p.at(-1).line_start(f"[{i}]: ")

                if i >= len(old):
                    element.added(new[i], element_title)
                elif i >= len(new):
                    element.deleted(old[i], element_title)
                elif _values_differ(old[i], new[i]):
                    element.value_diff(old[i], new[i], element_title)
                elif not self.summary:
                    same = element.at(prefix=None)
                    element_title(same)
                    same.value(old[i])
            printer.at(prefix=None).line_start("]\n")
            return
        if both_objects:
            title(printer)
            printer.write("{\n")
            printer.at(1).object_diff(old, new)
            printer.at(prefix=None).line_start("}\n")
            return
        show_old, show_new = worth_printing(old), worth_printing(new)
        if show_old and show_new and _is_primitive(old) and _is_primitive(new):
            title(printer)
            if isinstance(old, str) and isinstance(new, str) and UNKNOWN not in (old, new):
                printer.text_diff(old, new)
                return
            printer.primitive(old)
            printer.write(" => ")
            printer.primitive(new)
            printer.write("\n")
            return
        if show_old:
            self.deleted(old, title)
        if show_new:
            self.added(new, title)

    def text_diff(self, old: str, new: str) -> None:
        decoded_old, decoded_new = decode_document(old), decode_document(new)
        if decoded_old is not None and decoded_new is not None:
            kinds = (
                decoded_old[1]
                if decoded_old[1] == decoded_new[1]
                else f"{decoded_old[1]} => {decoded_new[1]}"
            )
            if decoded_old[0] == decoded_new[0]:
                self.text_diff(json.dumps(old), json.dumps(new))
                return
            self.write(f"({kinds}) ")
            self.value_diff(decoded_old[0], decoded_new[0], lambda _p: None)
            return
        if "\n" not in old and "\n" not in new:
            self.write(f"{go_quote(old)} => {go_quote(new)}\n")
            return
        self.at(1).line_diff(old, new)

    def line_diff(self, old: str, new: str) -> None:
        """The changed lines of a multi-line string, marked, with a little unchanged context around."""
        self.write("\n")
        old_lines, new_lines = old.splitlines(), new.splitlines()
        chunks: list[tuple[str, list[str]]] = []
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                chunks.append(("same", old_lines[i1:i2]))
                continue
            if i2 > i1:
                chunks.append(("delete", old_lines[i1:i2]))
            if j2 > j1:
                chunks.append(("add", new_lines[j1:j2]))
        for index, (kind, lines) in enumerate(chunks):
            lines = [line for line in lines if line.strip()]
            if kind != "same":
                for line in lines:
                    self.at(prefix=ADD if kind == "add" else DELETE).line_start(line + "\n")
                continue
            same = self.at(prefix=None)
            shown: list[str] = lines
            if index == 0 and len(lines) > CONTEXT_LINES + 1:
                shown = ["...", *lines[-CONTEXT_LINES:]]
            elif index == len(chunks) - 1 and index and len(lines) > CONTEXT_LINES + 1:
                shown = [*lines[:CONTEXT_LINES], "..."]
            elif 0 < index < len(chunks) - 1 and len(lines) > 2 * CONTEXT_LINES + 1:
                shown = [*lines[:CONTEXT_LINES], "...", *lines[-CONTEXT_LINES:]]
            for line in shown:
                same.line_start(line + "\n")


def _titled(key: str, width: int) -> Callable[[Printer], None]:
    return lambda printer: printer.title(key, width)


def _lines(chunks: list[str]) -> list[str]:
    return "".join(chunks).splitlines()


def object_lines(props: Mapping[str, Any], indent: int) -> list[str]:
    """The properties of an object, one `key: value` (or block) each."""
    out: list[str] = []
    Printer(out, indent).object(props)
    return _lines(out)


def diff_lines(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    indent: int,
    *,
    include: Iterable[str] | None = None,
    replace_keys: Iterable[str] = (),
) -> list[str]:
    """The properties of two objects (those in `include`, if given) as the CLI's diff view shows them:
    what changed marked, what did not (inside a changed object or list, or not filtered out) plain."""
    out: list[str] = []
    Printer(out, indent).object_diff(old, new, include, replace_keys)
    return _lines(out)


def stack_output_lines(
    outputs: Mapping[str, Any], old_outputs: Mapping[str, Any] | None, *, preview: bool
) -> list[str]:
    """The `Outputs:` section's lines. Without earlier outputs, every output worth printing; with them, the
    diff against them: during an update the unchanged ones too, in a preview only what changes (and not
    what is only unknown yet); nothing at all when a preview changes none."""
    out: list[str] = []
    printer = Printer(out, 1)
    if old_outputs is None:
        keys = sorted(outputs)
        width = max((len(k) for k in keys), default=0)
        for key in keys:
            if not is_internal(key) and worth_printing(outputs[key]):
                printer.title(key, width)
                printer.value(outputs[key])
        return _lines(out)
    new = dict(outputs)
    if preview:
        new = {k: (old_outputs[k] if v == UNKNOWN and k in old_outputs else v) for k, v in new.items()}
    names = {k for k in set(old_outputs) | set(new) if not is_internal(k)}
    changed = [k for k in names if _values_differ(old_outputs.get(k), new.get(k))]
    if not changed:
        return [] if preview else stack_output_lines(outputs, None, preview=preview)
    printer.object_diff(old_outputs, new, include=changed if preview else None)
    return _lines(out)
