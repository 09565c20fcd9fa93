"""A response's own entry point cut out of C++ and C# by syntax tree: which functions go,
which stay, and that everything around them is kept byte for byte."""

from __future__ import annotations

import pytest

from datagen.verifiers.code.tree_cut import cut_cpp_main, cut_csharp_main

CPP = [
    # (case, code, kept)
    (
        "int main()",
        "int add(int a, int b) { return a + b; }\nint main() {\n    return add(1, 2);\n}\n",
        "int add(int a, int b) { return a + b; }\n\n",
    ),
    (
        "main with argc and argv",
        "int f() { return 1; }\nint main(int argc, char** argv) { return f(); }\n",
        "int f() { return 1; }\n\n",
    ),
    ("main(void)", "int main(void) { return 0; }", ""),
    ("signed main", "signed main() { return 0; }\nvoid g() {}", "\nvoid g() {}"),
    ("trailing return type", "auto main() -> int { return 0; }", ""),
    (
        "maintain stays",
        "int maintain(int x) { return x; }\nint main() { return maintain(0); }\n",
        "int maintain(int x) { return x; }\n\n",
    ),
    (
        "braces in strings and comments",
        'int main() { const char* s = "}"; /* } */ return 0; }\nint after() { return 2; }',
        "\nint after() { return 2; }",
    ),
    (
        "main inside #ifndef",
        "#ifndef ONLINE_JUDGE\nint main() { return 0; }\n#endif\nint h() { return 3; }\n",
        "#ifndef ONLINE_JUDGE\n\n#endif\nint h() { return 3; }\n",
    ),
    (
        'main inside extern "C"',
        'extern "C" {\nint main() { return 0; }\n}\n',
        'extern "C" {\n\n}\n',
    ),
    (
        "a main in a namespace or a class stays",
        "namespace ns { int main() { return 1; } }\nstruct S { int main() { return 2; } };\n",
        "namespace ns { int main() { return 1; } }\nstruct S { int main() { return 2; } };\n",
    ),
    (
        "a main declaration stays",
        "int main();\nint k() { return 0; }",
        "int main();\nint k() { return 0; }",
    ),
    ("no main", "int only() { return 0; }", "int only() { return 0; }"),
    (
        "non-ASCII text before main keeps its bytes",
        '// 你好 — «ok»\nstd::string s = "é";\nint main() { return 0; }\n',
        '// 你好 — «ok»\nstd::string s = "é";\n\n',
    ),
]


@pytest.mark.parametrize(("case", "code", "kept"), CPP, ids=[row[0] for row in CPP])
def test_cut_cpp_main(case: str, code: str, kept: str) -> None:
    assert cut_cpp_main(code) == kept


CSHARP = [
    # (case, code, kept)
    (
        "static void Main with args and an attribute",
        "using System;\npublic class P\n{\n    public static int Add(int a, int b) => a + b;\n"
        "    [STAThread]\n    public static void Main(string[] args)\n    {\n"
        '        Console.WriteLine("}");\n    }\n}\n',
        "using System;\npublic class P\n{\n    public static int Add(int a, int b) => a + b;\n"
        "    \n}\n",
    ),
    (
        "static int Main with an expression body, in a namespace",
        "namespace N { class Q { static int Main() => 0; int Keep() => 1; } }",
        "namespace N { class Q {  int Keep() => 1; } }",
    ),
    (
        "Mains in two classes",
        "class A { static void Main() {} }\nclass B { static void Main() {} }\n",
        "class A {  }\nclass B {  }\n",
    ),
    (
        "an instance Main and a Maintain stay",
        "class C { public void Main(int x) {} public static int Maintain() { return 0; } }",
        "class C { public void Main(int x) {} public static int Maintain() { return 0; } }",
    ),
    (
        "no Main",
        "class D { static int F() { return 0; } }",
        "class D { static int F() { return 0; } }",
    ),
]


@pytest.mark.parametrize(("case", "code", "kept"), CSHARP, ids=[row[0] for row in CSHARP])
def test_cut_csharp_main(case: str, code: str, kept: str) -> None:
    assert cut_csharp_main(code) == kept
