"""appcmd-style element addressing: `[name='My FTP'].ftpServer.security.ssl`.

A path is dot-separated steps; a step is a child element name or a collection
item selector `[key='value',key2='value2']` (values in single or double quotes
may hold dots, commas and brackets). Distrusts: the text (command-line input);
errors are UsageErrors saying where the path went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from iisftp.errors import UsageError

__all__ = ["Step", "format_path", "parse_path"]


@dataclass(frozen=True)
class Step:
    name: str = ""  # child element name; "" for a selector
    selector: tuple[tuple[str, str], ...] = ()  # (attribute, value) pairs

    @property
    def is_item(self) -> bool:
        return not self.name


_HINT = "write steps like [name='My Site'].ftpServer.security.ssl"


def parse_path(text: str) -> list[Step]:
    """Parse an element path; "" and "." are the section itself."""
    steps: list[Step] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == ".":
            i += 1
            continue
        if char == "[":
            i, pairs = _selector(text, i + 1)
            steps.append(Step(selector=pairs))
            continue
        j = i
        while j < n and text[j] not in ".[":
            j += 1
        name = text[i:j].strip()
        if not name or any(c in name for c in "]='\" "):
            raise UsageError(f"bad element name {text[i:j]!r} in {text!r}", _HINT)
        steps.append(Step(name=name.replace("/", ".")))
        i = j
    # "a/b" is accepted for "a.b" as well
    flat: list[Step] = []
    for step in steps:
        if step.name and "." in step.name:
            flat.extend(Step(name=p) for p in step.name.split(".") if p)
        else:
            flat.append(step)
    return flat


def _selector(text: str, i: int) -> tuple[int, tuple[tuple[str, str], ...]]:
    pairs: list[tuple[str, str]] = []
    n = len(text)
    while True:
        eq = text.find("=", i)
        if eq < 0:
            raise UsageError(f"selector without key='value' in {text!r}", _HINT)
        key = text[i:eq].strip()
        if not key or not key.replace("_", "").replace("-", "").isalnum():
            raise UsageError(f"bad attribute name {key!r} in selector of {text!r}", _HINT)
        j = eq + 1
        while j < n and text[j] == " ":
            j += 1
        if j >= n or text[j] not in "'\"":
            raise UsageError(f"the value of {key} must be quoted in {text!r}", _HINT)
        quote = text[j]
        end = text.find(quote, j + 1)
        if end < 0:
            raise UsageError(f"unclosed quote after {key}= in {text!r}", _HINT)
        pairs.append((key, text[j + 1 : end]))
        k = end + 1
        while k < n and text[k] == " ":
            k += 1
        if k < n and text[k] == ",":
            i = k + 1
            continue
        if k < n and text[k] == "]":
            return k + 1, tuple(pairs)
        raise UsageError(f"expected ',' or ']' after {key}='...' in {text!r}", _HINT)


def format_path(steps: list[Step]) -> str:
    parts = []
    for step in steps:
        if step.is_item:
            parts.append("[" + ",".join(f"{k}='{v}'" for k, v in step.selector) + "]")
        else:
            parts.append(step.name)
    return ".".join(parts)
