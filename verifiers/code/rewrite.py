"""Line-level rewrites of a check and a response before they become one program.

Java, C# and C++ checks open with their own imports, but the harness puts the response's
code first, and Java and C# refuse an ``import``/``using`` after a type declaration. So the
check's import lines move to the top of the program. Java also allows one public top-level
type per file, named after the file: every ``public`` type in the code and the check is made
package-private, so the harness's ``public class Problem`` is the file's only public class.
"""

from __future__ import annotations

import re

from datagen.verifiers.code.languages import Language

IMPORT_LINE: dict[Language, re.Pattern[str]] = {
    # import java.util.*;   import static org.junit.Assert.assertEquals;
    "java": re.compile(r"^[ \t]*import[ \t]+(?:static[ \t]+)?[\w.]+(?:\.\*)?[ \t]*;[ \t]*$"),
    # using System;   using static System.Math;   using Map = System.Collections.Hashtable;
    # (not a `using (var r = ...)` statement: no parenthesis is allowed)
    "csharp": re.compile(
        r"^[ \t]*using[ \t]+(?:static[ \t]+)?(?:\w+[ \t]*=[ \t]*)?"
        r"[\w.]+(?:<[\w., <>]*>)?[ \t]*;[ \t]*$"
    ),
    # #include <vector>   # include "x.h"
    "cpp": re.compile(r"^[ \t]*#[ \t]*include\b.*$"),
}

PUBLIC_TYPE = re.compile(
    r"\bpublic\s+((?:(?:abstract|final|static|sealed|non-sealed|strictfp)\s+)*)"
    r"(class|interface|enum|record)\b"
)
"""``public`` before a Java type declaration, with the modifiers that may follow it; generics
come after the name, so ``public class Pair<A, B>`` matches like any other."""


def split_imports(language: Language, text: str) -> tuple[list[str], str]:
    """The import lines of ``text`` (in order) and the rest of it, for languages that need them
    first; any other language gets ``([], text)`` back unchanged."""
    pattern = IMPORT_LINE.get(language)
    if pattern is None:
        return [], text
    imports: list[str] = []
    rest: list[str] = []
    for line in text.splitlines(keepends=True):
        if pattern.match(line.rstrip("\r\n")):
            imports.append(line.strip())
        else:
            rest.append(line)
    return imports, "".join(rest)


def package_private(java: str) -> str:
    """``java`` with ``public`` dropped from every type declaration (top-level or nested:
    within one file and package a nested type needs no ``public`` either)."""
    return PUBLIC_TYPE.sub(r"\1\2", java)
