"""Lexers that emitted checkers inline: where a program's comments and string literals are.

A ``check_instruction`` must run with the standard library alone, so it cannot ask tree-sitter
which ``for`` is a keyword and which is text in a string. These functions answer the lexical
half of that question; ``emit.py`` copies their source (``inspect.getsource``) into every
checker that calls them, so they may use only the standard library and each other, never a
module-level name of this file.

Each returns ``(blanked, comments, strings)``: the code with comment text and literal text
replaced by spaces (same length, newlines kept, so offsets and line numbers still hold),
and the ``(start, end)`` offsets of each comment and each outermost literal. Code inside a
template substitution (``${...}``), a C# interpolation (``{...}``) or a shell command
substitution (``$(...)``) stays code, as tree-sitter parses it.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize


def extract_code(response):
    """The body of the response's first fenced block, else the whole response: the rule of
    ``verifiers/code/extract.py`` (IFEvalCode's harness), in the checker's own code."""
    match = re.search(r"```.*?\n(.*?)```", response, re.DOTALL)
    return match.group(1) if match else response


def parse_python(code):
    """The ``ast`` of Python ``code``, or None when it does not parse: every Python rule that
    reads structure fails such code, on both sides (``decide`` asks ``ast`` too)."""
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):
        return None


def lex_python(code):
    """Python's comments and literals, from ``tokenize`` (an f-string of Python 3.12+,
    tokenized in parts, is one span). Call only on code that ``parse_python`` accepts."""
    starts = [0]
    for line in code.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    fstring_start = getattr(tokenize, "FSTRING_START", None)
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    comments, strings, open_fstrings = [], [], []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        start = starts[token.start[0] - 1] + token.start[1]
        end = starts[token.end[0] - 1] + token.end[1]
        if token.type == tokenize.COMMENT:
            comments.append((start, end))
        elif token.type == tokenize.STRING and not open_fstrings:
            strings.append((start, end))
        elif token.type == fstring_start:
            open_fstrings.append(start)
        elif token.type == fstring_end:
            opened = open_fstrings.pop()
            if not open_fstrings:
                strings.append((opened, end))
    blanked = list(code)
    for start, end in comments + strings:
        for k in range(start, end):
            if blanked[k] != "\n":
                blanked[k] = " "
    return "".join(blanked), comments, strings


def lex_c(code, language):
    """Comments and literals of java, javascript, typescript, cpp or csharp code.

    Knows ``//`` and ``/* */`` comments; "..." and '...' literals with backslash escapes;
    Java text blocks; JavaScript templates and regular expression literals (a ``/`` starts
    one where an operand is expected: after an operator, an opening bracket, a comma, a
    keyword such as ``return``, or at the start; never after ``)``, ``]``, ``}``, a name or
    a literal); C# verbatim (``@"..."``) and interpolated (``$"..."``) strings; C++ raw
    strings (``R"x(...)x"``) and digit separators (``1'000``). C++ preprocessor lines are
    blanked too, as tree-sitter keeps a ``#define``'s body as opaque text.
    """
    n = len(code)
    out = list(code)
    comments, strings = [], []
    js = language in ("javascript", "typescript")
    frames = []  # literals whose substitution is open: [kind, start, closer, brace depth]
    last = -1  # offset of the last code character that is not a space
    directive_end = -1  # C++: where the current preprocessor line ends

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    def literal_end(i, kind, closer):
        """Scan literal text from ``i``: (offset after the literal or its substitution's
        opener, offset where its text ends, whether a substitution opened)."""
        while i < n:
            c = code[i]
            if c == "\\" and kind not in ("verbatim", "interp_verbatim", "raw"):
                i += 2
            elif kind == "template" and code.startswith("${", i):
                return i + 2, i, True
            elif kind in ("interp", "interp_verbatim") and c in "{}":
                if code.startswith(c * 2, i):
                    i += 2
                elif c == "{":
                    return i + 1, i, True
                else:
                    i += 1
            elif kind in ("verbatim", "interp_verbatim") and code.startswith('""', i):
                i += 2
            elif code.startswith(closer, i):
                return i + len(closer), i, False
            elif c == "\n" and kind in ("plain", "interp"):
                return i, i, False
            else:
                i += 1
        return n, n, False

    def regex_end(i):
        """(offset after the regular expression literal whose text starts at ``i``, offset
        where its text ends); flags are skipped by the caller."""
        in_class = False
        while i < n and code[i] != "\n":
            c = code[i]
            if c == "\\":
                i += 1
            elif c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            elif c == "/" and not in_class:
                return i + 1, i
            i += 1
        return i, i

    def regex_allowed():
        if last < 0:
            return True
        c = code[last]
        if c in "(,=:[!&|?{};+-*%<>~^":
            return True
        if not (c.isalnum() or c in "_$"):
            return False
        k = last
        while k >= 0 and (code[k].isalnum() or code[k] in "_$"):
            k -= 1
        return code[k + 1 : last + 1] in (
            "return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
            "throw", "case", "do", "else", "yield", "await",
        )  # fmt: skip

    def open_literal(i):
        """(kind, offset where its text starts, closer) of the literal opening at ``i``."""
        c = code[i]
        if c == "`":
            return "template", i + 1, "`"
        if c == "'":
            return "plain", i + 1, "'"
        if language == "java" and code.startswith('"""', i):
            return "block", i + 3, '"""'
        if language == "csharp":
            prefix = code[max(0, i - 2) : i]
            verbatim = prefix.endswith("@") or prefix == "@$"
            interpolated = prefix.endswith("$") or prefix == "$@"
            if verbatim and interpolated:
                return "interp_verbatim", i + 1, '"'
            if verbatim or interpolated:
                return ("verbatim" if verbatim else "interp"), i + 1, '"'
        if language == "cpp":
            k = i
            while k > 0 and (code[k - 1].isalnum() or code[k - 1] == "_"):
                k -= 1
            paren = code.find("(", i)
            if code[k:i] in ("R", "u8R", "uR", "UR", "LR") and paren != -1:
                return "raw", paren + 1, ")" + code[i + 1 : paren] + '"'
        return "plain", i + 1, '"'

    def is_digit_separator(i):
        k = i
        while k > 0 and (code[k - 1].isalnum() or code[k - 1] in "_'"):
            k -= 1
        return k < i and code[k].isdigit()

    def literal_from(i, kind, start, text_start, closer):
        """Scan the literal (or its part after a substitution) whose text starts at
        ``text_start``, blank its text, and return where scanning goes on."""
        end, text_end, substitution = literal_end(text_start, kind, closer)
        blank(text_start, text_end)
        if substitution:
            frames.append([kind, start, closer, 0])
        else:
            strings.append((start, end))
        return end

    i = 0
    while i < n:
        c = code[i]
        if language == "cpp" and c == "#" and not code[code.rfind("\n", 0, i) + 1 : i].strip():
            directive_end = i
            while True:
                directive_end = code.find("\n", directive_end)
                if directive_end == -1 or code[directive_end - 1] != "\\":
                    break
                directive_end += 1
            directive_end = n if directive_end == -1 else directive_end
        if code.startswith("//", i) or code.startswith("/*", i):
            end = code.find("\n" if code[i + 1] == "/" else "*/", i + 2)
            end = n if end == -1 else end if code[i + 1] == "/" else end + 2
            comments.append((i, end))
            blank(i, end)
            i = end
        elif (c in "\"'" or (c == "`" and js)) and not (
            c == "'" and language == "cpp" and is_digit_separator(i)
        ):
            kind, text_start, closer = open_literal(i)
            i = literal_from(i, kind, i, text_start, closer)
            last = i - 1
        elif c == "/" and js and regex_allowed():
            end, text_end = regex_end(i + 1)
            blank(i + 1, text_end)
            while end < n and (code[end].isalnum() or code[end] == "_"):
                end += 1
            strings.append((i, end))
            last = end - 1
            i = end
        elif c == "}" and frames and frames[-1][3] == 0:
            kind, start, closer, _ = frames.pop()
            i = literal_from(i, kind, start, i + 1, closer)
            last = i - 1
        else:
            if frames and c in "{}":
                frames[-1][3] += 1 if c == "{" else -1
            if not c.isspace():
                last = i
            if i < directive_end and c != "\n":
                out[i] = " "
            i += 1
    for _, start, _, _ in frames:
        strings.append((start, n))
    return "".join(out), comments, strings


def lex_shell(code):
    """Comments and literals of bash code: ``#`` comments (a ``#`` that starts a word),
    '...', $'...' and "..." strings, and heredoc bodies. Code inside ``$(...)`` or
    backquotes stays code, also inside "..."; a heredoc's body is all text (tree-sitter
    parses ``$(...)`` there, which no rule looks at). ``<<`` inside ``((...))`` is a shift.
    """
    n = len(code)
    out = list(code)
    comments, strings = [], []
    frames = [["code", None, 0, 0]]  # [mode, closer, paren depth, start]
    heredocs = []  # delimiters waiting for the end of the line: (word, strip tabs)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    i = 0
    while i < n:
        c = code[i]
        frame = frames[-1]
        mode = frame[0]
        if c == "\\":
            if mode != "code":
                blank(i, i + 2)
            i += 2
        elif mode == "dquote":
            if c == '"':
                frames.pop()
                strings.append((frame[3], i + 1))
                i += 1
            elif code.startswith("$(", i):
                frames.append(["code", ")", 0, i])
                i += 2
            elif c == "`":
                frames.append(["code", "`", 0, i])
                i += 1
            else:
                blank(i, i + 1)
                i += 1
        elif c == "#" and (i == 0 or code[i - 1] in " \t\n;&|()"):
            end = code.find("\n", i)
            end = n if end == -1 else end
            comments.append((i, end))
            blank(i, end)
            i = end
        elif c == "'" or code.startswith("$'", i):
            start = i
            i += 2 if c == "$" else 1
            while i < n and code[i] != "'":
                i += 2 if c == "$" and code[i] == "\\" else 1
            blank(start + (2 if c == "$" else 1), min(i, n))
            strings.append((start, min(i + 1, n)))
            i += 1
        elif c == '"':
            frames.append(["dquote", None, 0, i])
            i += 1
        elif code.startswith("$(", i):
            frames.append(["code", ")", 0, i])
            i += 2
        elif c == "`" and frame[1] == "`":
            frames.pop()
            i += 1
        elif c == "`":
            frames.append(["code", "`", 0, i])
            i += 1
        elif c == "(":
            frame[2] += 1
            i += 1
        elif c == ")" and frame[2] == 0 and frame[1] == ")":
            frames.pop()
            i += 1
        elif c == ")":
            frame[2] = max(0, frame[2] - 1)
            i += 1
        elif code.startswith("<<<", i):
            i += 3  # a here-string: its word is ordinary code
        elif code.startswith("<<", i) and frame[2] == 0:
            k = i + 2
            strip = k < n and code[k] == "-"
            k += 1 if strip else 0
            while k < n and code[k] in " \t":
                k += 1
            quote = code[k] if k < n and code[k] in "'\"" else ""
            k += 1 if quote else 0
            word_start = k
            while k < n and (code[k].isalnum() or code[k] == "_"):
                k += 1
            word = code[word_start:k]
            if word and (word[0].isalpha() or word[0] == "_"):
                heredocs.append((word, strip))
                i = k + (1 if quote and k < n and code[k] == quote else 0)
            else:
                i += 2
        elif c == "\n" and heredocs:
            i += 1
            for word, strip in heredocs:
                start = i
                while i < n:
                    end = code.find("\n", i)
                    end = n if end == -1 else end
                    line = code[i:end]
                    if (line.lstrip("\t") if strip else line) == word:
                        break
                    i = end + 1
                i = min(i, n)
                blank(start, i)
                # <<- ends the body at the delimiter, after its tabs, as tree-sitter does
                tabs = len(code[i:]) - len(code[i:].lstrip("\t")) if strip else 0
                strings.append((start, i + tabs))
                end = code.find("\n", i)
                i = n if end == -1 else end + 1
            heredocs = []
        else:
            i += 1
    for frame in frames[1:]:
        if frame[0] == "dquote":
            strings.append((frame[3], n))
    return "".join(out), comments, strings
