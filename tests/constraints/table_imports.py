"""Import rules' programs: a forbidden module, header or namespace; no imports at all."""

from __future__ import annotations

from tests.constraints.cases import Case, cases

FORBIDDEN = "forbidden_import"

CASES: list[Case] = [
    *cases(
        FORBIDDEN,
        "python",
        module="os",
        accept=[
            """
            import sys
            from collections import Counter
            import osmosis  # a module whose name starts with os
            from .os import helper
            print("import os")
            """,
        ],
        reject=["import os.path", "from os import path", "import sys, os", "import os\nx = ("],
    ),
    *cases(
        FORBIDDEN,
        "java",
        module="java.util.stream",
        accept=[
            """
            import java.util.List;
            import java.util.streaming.Pipe;
            // import java.util.stream.Collectors;
            class A {}
            """,
        ],
        reject=[
            "import java.util.stream.Collectors;\nclass A {}",
            "import java.util.stream.*;\nclass A {}",
            "import static java.util.stream.Collectors.toList;\nclass A {}",
        ],
    ),
    *cases(
        FORBIDDEN,
        "javascript",
        module="lodash",
        accept=[
            """
            const _ = require("underscore");
            const s = "require('lodash')";
            // import _ from "lodash";
            """,
        ],
        reject=[
            'import _ from "lodash";',
            "const fp = require('lodash/fp');",
            'const m = await import("lodash");',
        ],
    ),
    *cases(
        FORBIDDEN,
        "typescript",
        module="fs",
        accept=['import { join } from "path";\nimport type { Stats } from "fs-extra";'],
        reject=[
            'import * as fs from "node:fs";',
            'export { readFileSync } from "fs";',
            'import fs = require("fs");',
        ],
    ),
    *cases(
        FORBIDDEN,
        "cpp",
        module="algorithm",
        accept=[
            "#include <vector>\n// #include <algorithm>\n/* #include <algorithm> */\nint main() {}"
        ],
        reject=["#include <algorithm>", '#include "algorithm"', "#  include <algorithm>"],
    ),
    *cases(
        FORBIDDEN,
        "cpp",
        module="bits/stdc++.h",
        accept=["#include <bits/stdc.h>"],
        reject=["#include <bits/stdc++.h>\nusing namespace std;"],
    ),
    *cases(
        FORBIDDEN,
        "csharp",
        module="System.Linq",
        accept=[
            """
            using System;
            using System.Collections.Generic;
            class P {
                static void Main() {
                    using (var r = new System.IO.StringReader("")) { }
                }
            }
            """,
        ],
        reject=[
            "using System.Linq;",
            "using static System.Linq.Enumerable;",
            "using L = System.Linq;",
            "global using System.Linq;",
        ],
    ),
    *cases(
        "no_imports",
        "python",
        accept=["print(sum(range(10)))  # import nothing"],
        reject=["from __future__ import annotations", "import math"],
    ),
    *cases(
        "no_imports",
        "java",
        accept=[
            """
            class Main {
                public static void main(String[] args) { java.util.List<Integer> xs = null; }
            }
            """,
        ],
        reject=["import java.util.List;\nclass Main {}"],
    ),
    *cases(
        "no_imports",
        "javascript",
        accept=["const important = 1;\nconsole.log(\"import x from 'y'\");"],
        reject=['const fs = require("fs");'],
    ),
    *cases(
        "no_imports",
        "typescript",
        accept=["export const x: number = 1;"],
        reject=['import "./polyfill";'],
    ),
    *cases(
        "no_imports",
        "cpp",
        accept=["int main() { return 0; }"],
        reject=["#include <iostream>\nint main() {}"],
    ),
    *cases(
        "no_imports",
        "csharp",
        accept=["class P {\n    static void Main() { System.Console.WriteLine(1); }\n}"],
        reject=["using System;\nclass P { static void Main() {} }"],
    ),
]
