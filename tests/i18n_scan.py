"""Finds English left unwrapped for translation: in templates (literal text, visible
attributes, prose string literals) and in Python (messages passed straight to flash, domain
errors, form fields and validators). Used by tests/test_translations.py; run it alone with
`python -m tests.i18n_scan [paths...]` to list what is left in some files.
"""

from __future__ import annotations

import ast
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "ipr_apps"
MARK = "\x01"  # stands for anything Jinja renders (expressions, tags, translated blocks)

# Words that read the same in both languages (codes, formats, product names, units).
NEUTRAL = {
    "ipr_apps",
    "CSV",
    "XLSX",
    "JSON",
    "PDF",
    "PNG",
    "JPEG",
    "API",
    "OpenAPI",
    "HS",
    "ID",
    "URL",
    "IPR",
    "GACC",
    "CN",
    "UTC",
    "SMTP",
    "ISO",
    "HTTP",
    "HTTPS",
    "curl",
    "Bearer",
    "TSV",
    "CNY",
    "SHA",
    "JPG",
    "Redis",
    "Huey",
    "Ctrl",
    "PostgreSQL",
    "SQLite",
    "OK",
    "EU",
    "USD",
    "RMB",
}
VISIBLE_ATTRIBUTES = {
    "title",
    "alt",
    "aria-label",
    "placeholder",
    "data-confirm",
    "aria-description",
}
VERBATIM_TAGS = {"script", "style", "code", "pre", "kbd", "samp"}
GETTEXT_NAMES = {"_", "gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext", "_l", "_ln"}
_WORD = re.compile(r"[A-Za-z][A-Za-z_'’]*")


def english_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w not in NEUTRAL and len(w) > 1]


# -- templates ------------------------------------------------------------------------------


def _skeleton(env: Environment, source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template's literal text (Jinja parts replaced by MARK) and its prose string literals."""
    out, strings, depth, stack = [], [], 0, []
    tokens = [t for t in env.lex(source) if t[1] != "whitespace"]
    for index, (lineno, kind, value) in enumerate(tokens):
        if kind == "name" and index and tokens[index - 1][1] == "block_begin":
            if value == "trans":
                depth += 1
            elif value == "endtrans":
                depth -= 1
        if kind == "data":
            out.append(MARK if depth else value)
            continue
        out.append(MARK)
        if kind == "string" and not _is_gettext_argument(tokens, index, stack):
            strings.append((lineno, value[1:-1]))  # without its quotes
    return "".join(out), strings


def _is_gettext_argument(tokens, index, _stack) -> bool:
    """Whether the string at `index` sits inside the parentheses of a gettext call."""
    depth = 0
    for back in range(index - 1, -1, -1):
        _line, kind, value = tokens[back]
        if kind in ("variable_begin", "block_begin"):
            return False
        if kind == "operator" and value == ")":
            depth += 1
        elif kind == "operator" and value == "(":
            if depth == 0:
                return back > 0 and tokens[back - 1][1] == "name" and (
                    tokens[back - 1][2] in GETTEXT_NAMES
                )  # fmt: skip
            depth -= 1
    return False


def _is_prose(value: str) -> bool:
    """A string literal that reads as English to a user (not a CSS class, key or format)."""
    if re.search(r"\b[A-Z][a-z]{2,}\b", value) and (
        " " in value.strip() or re.fullmatch(r"[A-Z][a-z]+[.!?]?", value)
    ):
        return bool(english_words(value))
    words = value.split()
    return len(words) >= 2 and all(re.fullmatch(r"[a-z]+[,.;:]?", w) for w in words)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.verbatim = 0

    def handle_starttag(self, tag, attrs):
        if tag in VERBATIM_TAGS:
            self.verbatim += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag):
        if tag in VERBATIM_TAGS and self.verbatim:
            self.verbatim -= 1

    def handle_data(self, data):
        if not self.verbatim:
            self._check(data)

    def _check(self, text: str) -> None:
        for piece in text.split(MARK):
            if english_words(piece):
                self.found.append(" ".join(piece.split()))


def template_findings(env: Environment, path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    skeleton, strings = _skeleton(env, source)
    name = path.relative_to(ROOT)
    findings = []
    if path.suffix == ".html":
        collector = _TextCollector()
        collector.feed(skeleton)
        findings += [f"{name}: text {text!r}" for text in collector.found]
    else:  # e-mail bodies are plain text
        for piece in skeleton.split(MARK):
            if english_words(piece):
                findings.append(f"{name}: text {' '.join(piece.split())!r}")
    findings += [f"{name}:{line}: string {value!r}" for line, value in strings if _is_prose(value)]
    return findings


# -- Python ---------------------------------------------------------------------------------

# Calls whose string arguments a user reads: (name, argument positions or None for all).
USER_FACING_CALLS = {
    "flash": (0,),
    "ValidationError": (0,),
    "on": (1,),
    "TransitionError": (0,),
    "ConflictError": (0,),
    "PermissionDenied": (0,),
    "NotFound": (0,),
    "TooLarge": (0,),
    "DomainError": (0,),
    "render_error": (1,),
    "DataRequired": (0,),
    "InputRequired": (0,),
}
FIELD_SUFFIXES = ("Field",)
USER_FACING_KEYWORDS = {"message", "label", "description", "render_kw_placeholder"}
PYTHON_EXEMPT = ("migrations/", "cli.py", "backup_cli.py", "expiry_cli.py", "services/demo")


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _literal_english(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        sentence = " " in text and bool(english_words(text))
        return sentence or bool(re.fullmatch(r"[A-Z][a-z]+[.!?]?", text))
    if isinstance(node, ast.JoinedStr):
        return any(_literal_english(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_english(node.left) or _literal_english(node.right)
    return False


def python_findings(path: Path) -> list[str]:
    name = path.relative_to(ROOT)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    findings = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        called = _call_name(call)
        positions = USER_FACING_CALLS.get(called)
        if positions is None and called.endswith(FIELD_SUFFIXES):
            positions = (0,)
        args = [call.args[i] for i in positions or () if i < len(call.args)]
        args += [k.value for k in call.keywords if k.arg in USER_FACING_KEYWORDS]
        if positions is None and not any(k.arg in USER_FACING_KEYWORDS for k in call.keywords):
            continue
        for arg in args:
            if _literal_english(arg):
                findings.append(f"{name}:{call.lineno}: {called}(...) {ast.unparse(arg)[:80]}")
    return findings


def all_findings(paths: list[Path] | None = None) -> list[str]:
    from ipr_apps import create_app

    env = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).jinja_env
    paths = paths or [
        *sorted(TEMPLATES.rglob("*.html")), *sorted(TEMPLATES.rglob("*.txt")),
        *sorted(PACKAGE.rglob("*.py")),
    ]  # fmt: skip
    findings = []
    for path in paths:
        path = path.resolve()
        if path.suffix == ".py":
            relative = str(path.relative_to(PACKAGE))
            if not relative.startswith(PYTHON_EXEMPT):
                findings += python_findings(path)
        else:
            findings += template_findings(env, path)
    return findings


if __name__ == "__main__":
    found = all_findings([Path(arg) for arg in sys.argv[1:]] or None)
    print("\n".join(found))
    print(f"{len(found)} unwrapped", file=sys.stderr)
