"""Construct rules' programs. Each program is judged in both modes: one with the construct
is accepted when it is required and rejected when it is forbidden, and the other way round."""

from __future__ import annotations

from collections.abc import Sequence

from tests.constraints.cases import Case, cases


def construct(rule: str, language: str, *, present: Sequence[str], absent: Sequence[str]):
    """The rows of a construct rule for both modes."""
    return [
        *cases(rule, language, mode="required", accept=present, reject=absent),
        *cases(rule, language, mode="forbidden", accept=absent, reject=present),
    ]


CASES: list[Case] = [
    # Code that is not Python meets no Python construct rule, in either mode.
    *cases("for_loop", "python", mode="required", reject=["for i in range(3) print(i)"]),
    *cases("for_loop", "python", mode="forbidden", reject=["while True print(1)"]),
    *construct(
        "for_loop",
        "python",
        present=[
            "total = 0\nfor i in range(10):\n    total += i",
            "async def main(xs):\n    async for x in xs:\n        print(x)",
        ],
        absent=[
            """
            squares = [i * i for i in range(10)]  # a comprehension's for is not a loop
            print("for i in range(3)")
            """,
            "def format_for_display(x):\n    return str(x)\n\nwhile False:\n    pass",
        ],
    ),
    *construct(
        "for_loop",
        "java",
        present=[
            """
            class Main {
                static int sum(int n) {
                    int s = 0;
                    for (int i = 0; i < n; i++) { s += i; }
                    return s;
                }
            }
            """,
            "class Main {\n    void f(int[] xs) {\n        for (int x : xs) {}\n    }\n}",
        ],
        absent=[
            """
            class Main {
                // for (int i = 0; i < n; i++)
                String s = "for each";
                void forEachItem() {
                    int i = 0;
                    while (i < 3) i++;
                }
            }
            """,
        ],
    ),
    *construct(
        "for_loop",
        "javascript",
        present=[
            "for (const x of xs) console.log(x);",
            "for (let i = 0; i < 3; i++) {}",
            "async function f(stream) {\n  for await (const chunk of stream) {}\n}",
            """
            const walkUp = function* (path) {
              for (path = (0, resolve)(path); path; ) {
                yield path;
                path = dirname(path);
              }
            };
            """,
        ],
        absent=[
            """
            xs.forEach((x) => console.log(x));
            const msg = `for ${xs.length} items`;
            const re = /for/;
            """,
        ],
    ),
    *construct(
        "for_loop",
        "typescript",
        present=["for (const key in obj) {\n  console.log(key);\n}"],
        absent=[
            "const total: number = xs.reduce((a, b) => a + b, 0); // for loop avoided",
            "interface SymbolConstructor {\n  for(key: string): symbol;\n}",
        ],
    ),
    *construct(
        "for_loop",
        "shell",
        present=[
            'for f in *.txt; do\n  echo "$f"\ndone',
            "for ((i = 0; i < 3; i++)); do echo $i; done",
            "select opt in a b; do break; done",
        ],
        absent=[
            """
            echo "for x in y"
            ls | while read -r line; do echo "$line"; done
            printf 'for\\n' # for loop
            echo for
            """,
        ],
    ),
    *construct(
        "for_loop",
        "cpp",
        present=["int main() {\n    int v[3] = {1, 2, 3}, t = 0;\n    for (int x : v) t += x;\n}"],
        absent=[
            """
            #define REP(i, n) for (int i = 0; i < (n); ++i)
            int main() {
                int i = 0;
                while (i < 3) ++i;
                return 0;
            }
            """,
        ],
    ),
    *construct(
        "for_loop",
        "csharp",
        present=[
            """
            using System;
            class P {
                static void Main() {
                    foreach (var x in new[] { 1, 2 }) { Console.WriteLine(x); }
                }
            }
            """,
            "class P {\n    static void Main() {\n        for (int i = 0; i < 3; i++) {}\n    }\n}",
        ],
        absent=[
            '''
            using System.Linq;
            class P {
                static void Main() {
                    var s = @"for ""quoted""";
                    Enumerable.Range(0, 3).ToList().ForEach(x => {});
                }
            }
            ''',
        ],
    ),
    *construct(
        "while_loop",
        "python",
        present=["n = 10\nwhile n > 0:\n    n //= 2"],
        absent=['# while True:\nfor i in range(3):\n    print("while", i)\nmeanwhile = 1'],
    ),
    *construct(
        "while_loop",
        "java",
        present=[
            """
            class A {
                void f() {
                    int i = 0;
                    do { i++; } while (i < 10);
                }
            }
            """,
        ],
        absent=['class A {\n    boolean whileFlag = true;\n    String s = "while";\n}'],
    ),
    *construct(
        "while_loop",
        "javascript",
        present=["while (queue.length) queue.pop();"],
        absent=["const awhile = 1; // while (true)"],
    ),
    *construct(
        "while_loop",
        "typescript",
        present=["let i: number = 0;\ndo {\n  i++;\n} while (i < 5);"],
        absent=["const text: string = 'while (x) {}';"],
    ),
    *construct(
        "while_loop",
        "shell",
        present=[
            'while read -r line; do\n  echo "$line"\ndone < input.txt',
            "until [ -f done.txt ]; do sleep 1; done",
        ],
        absent=['echo "while true"\nfor x in a b; do echo $x; done'],
    ),
    *construct(
        "while_loop",
        "cpp",
        present=["int main() {\n    int n = 5;\n    while (n--) {}\n}"],
        absent=['int main() {\n    const char* s = "while";\n    return 0; // while\n}'],
    ),
    *construct(
        "while_loop",
        "csharp",
        present=["class P {\n    static void Main() { int i = 0; while (i < 3) i++; }\n}"],
        absent=['class P {\n    static void Main() { var s = $"while {1}"; }\n}'],
    ),
    *construct(
        "recursion",
        "python",
        present=[
            "def fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)",
            """
            class Tree:
                def depth(self, node):
                    return 0 if node is None else 1 + self.depth(node.left)
            """,
        ],
        absent=[
            """
            def fact(n):
                result = 1
                for i in range(2, n + 1):
                    result *= i
                return result

            print(fact(5))
            """,
            'def fact(n):\n    # fact(n - 1) would recurse\n    return "fact(n - 1)"',
            "def fib(n):\n    return fib_table(n)",
        ],
    ),
    *construct(
        "recursion",
        "java",
        present=[
            """
            class M {
                static int fib(int n) {
                    return n < 2 ? n : fib(n - 1) + fib(n - 2);
                }
            }
            """,
        ],
        absent=[
            """
            class M {
                static int fib(int n) {
                    int a = 0, b = 1;
                    for (int i = 0; i < n; i++) { int t = a + b; a = b; b = t; }
                    return a;
                }
                public static void main(String[] args) { System.out.println(fib(10)); }
            }
            """,
            """
            class M {
                static int sum(int[] xs) { return sumAll(xs); }
                static int sumAll(int[] xs) { return 0; }
            }
            """,
        ],
    ),
    *construct(
        "recursion",
        "javascript",
        present=[
            "const fact = (n) => (n <= 1 ? 1 : n * fact(n - 1));",
            "export const umask = () => process.umask();",
            """
            class Tree {
              size(node) {
                return node ? 1 + this.size(node.left) + this.size(node.right) : 0;
              }
            }
            """,
        ],
        absent=[
            """
            function fact(n) {
              let r = 1;
              for (let i = 2; i <= n; i++) r *= i;
              return r;
            }
            console.log(fact(5));
            """,
            "const double = (n) => n * 2\nconsole.log(double(3))",
        ],
    ),
    *construct(
        "recursion",
        "typescript",
        present=[
            """
            function gcd(a: number, b: number): number {
              return b === 0 ? a : gcd(b, a % b);
            }
            """,
            """
            function walk(n: number): { steps: number } {
              return n === 0 ? { steps: 0 } : { steps: walk(n - 1).steps + 1 };
            }
            const count = (n: number): { total: number } => (n ? count(n - 1) : { total: 0 });
            """,
        ],
        absent=[
            """
            function gcd(a: number, b: number): number {
              // gcd(b, a % b)
              while (b) [a, b] = [b, a % b];
              return a;
            }
            """,
        ],
    ),
    *construct(
        "recursion",
        "shell",
        present=[
            """
            factorial() {
              if [ "$1" -le 1 ]; then
                echo 1
              else
                local prev=$(factorial $(( $1 - 1 )))
                echo $(( $1 * prev ))
              fi
            }
            """,
        ],
        absent=[
            """
            factorial() {
              local r=1
              for ((i = 2; i <= $1; i++)); do r=$((r * i)); done
              echo "$r"  # factorial $1
            }
            factorial 5
            """,
            "greet() {\n  echo greet\n}",
        ],
    ),
    *construct(
        "recursion",
        "cpp",
        present=[
            "int fib(int n) {\n    if (n < 2) return n;\n    return fib(n - 1) + fib(n - 2);\n}",
            """
            struct Node { Node* l; };
            int depth(Node* n) { return n ? 1 + std::max(depth(n->l), 0) : 0; }
            """,
        ],
        absent=[
            """
            int fib(int n) {
                int a = 0, b = 1;
                while (n--) { int t = a + b; a = b; b = t; }
                return a;
            }
            int main() { return fib(10); }
            """,
        ],
    ),
    *construct(
        "recursion",
        "csharp",
        present=[
            """
            class P {
                static int Fact(int n) => n <= 1 ? 1 : n * Fact(n - 1);
                static void Main() {}
            }
            """,
        ],
        absent=[
            """
            class P {
                static int Fact(int n) { var s = "Fact(n - 1)"; return 1; }
                static void Main() { System.Console.WriteLine(Fact(3)); }
            }
            """,
        ],
    ),
    *construct(
        "list_comprehension",
        "python",
        present=[
            "squares = [x * x for x in range(5)]",
            "print(sum([x for x in xs if x > 0]))",
        ],
        absent=[
            """
            squares = list(map(lambda x: x * x, range(5)))
            gen = (x for x in range(5))
            uniq = {x for x in range(5)}
            """,
            's = "[x for x in xs]"',
        ],
    ),
    *construct(
        "conditional_expression",
        "python",
        present=['label = "even" if n % 2 == 0 else "odd"'],
        absent=[
            'if n % 2 == 0:\n    label = "even"\nelse:\n    label = "odd"',
            's = "a if b else c"',
        ],
    ),
    *construct(
        "conditional_expression",
        "java",
        present=["class M {\n    int abs(int x) { return x < 0 ? -x : x; }\n}"],
        absent=[
            """
            import java.util.*;
            class M {
                List<? extends Number> xs;
                Map<String, ? super Integer> m;
                String q = "a ? b : c";
            }
            """,
        ],
    ),
    *construct(
        "conditional_expression",
        "javascript",
        present=[
            "const sign = x > 0 ? 1 : -1;",
            'const s = `${ok ? "yes" : "no"}`;',
        ],
        absent=['const name = user?.profile?.name ?? "anon";\nlet n = null;\nn ??= 0;'],
    ),
    *construct(
        "conditional_expression",
        "typescript",
        present=[
            "function pick(a: number, b: number): number {\n  return a > b ? a : b;\n}",
            "type IsString<T> = T extends string ? true : false;",
        ],
        absent=[
            """
            interface Opts {
              name?: string;
              size?: number;
            }
            function f(x?: number, y?: string): void {}
            class A {
              m?(): void;
            }
            const v = obj?.a ?? 1;
            """,
        ],
    ),
    *construct(
        "conditional_expression",
        "cpp",
        present=["int main() {\n    int a = 1, b = 2;\n    int m = a > b ? a : b;\n}"],
        absent=['#include <cstdio>\nint main() {\n    std::printf("%s\\n", "a ? b : c");\n}'],
    ),
    *construct(
        "conditional_expression",
        "csharp",
        present=[
            "class P {\n    static int Max(int a, int b) => a > b ? a : b;\n}",
            """
            class P {
                static void Main() { int? x = null; int y = x.HasValue ? x.Value : 0; }
            }
            """,
            "class P {\n    static object F(bool c) => c ? new P { } : null;\n}",
        ],
        absent=[
            """
            class P {
                public int? Age { get; set; }
                public string? Name;
                public P(int? age) { Age = age ?? 0; }
                public P(int? a, int b) : this(a) { }
                static void Main() { var n = new P(null)?.Name; }
            }
            """,
        ],
    ),
    *construct(
        "class_definition",
        "python",
        present=["class Stack:\n    def __init__(self):\n        self.items = []"],
        absent=[
            """
            def make_stack():
                return []  # class Stack would be overkill
            classification = "class"
            """,
        ],
    ),
    *construct(
        "class_definition",
        "javascript",
        present=[
            "class Queue {\n  constructor() { this.items = []; }\n}",
            "const Anon = class {};",
        ],
        absent=[
            """
            function Queue() { this.items = []; }
            const o = { class: "x" };
            console.log(o.class);
            """,
        ],
    ),
    *construct(
        "class_definition",
        "typescript",
        present=["abstract class Base {\n  abstract run(): void;\n}"],
        absent=["interface Point {\n  x: number;\n}\ntype Pair = [number, number];"],
    ),
    *construct(
        "class_definition",
        "cpp",
        present=[
            "struct Edge { int to, w; };",
            "class Graph {\npublic:\n    int n;\n};",
            "struct { int a; } config;",
        ],
        absent=[
            "enum class Color { Red, Green };\nstruct Point;\nint main() { return 0; }",
            "template <class T>\nT twice(T x) { return x + x; }",
            """
            #include <poll.h>
            inline struct ::pollfd make_pollfd(int fd) {
                struct ::pollfd res = {fd, POLLIN, 0};
                return res;
            }
            template <typename T> struct hash_of;
            """,
        ],
    ),
    *construct(
        "lambda_function",
        "python",
        present=["square = lambda x: x * x", "xs.sort(key=lambda p: p[1])"],
        absent=[
            'def square(x):\n    return x * x\nlambda_count = 0  # lambda\nprint("lambda x: x")'
        ],
    ),
    *construct(
        "lambda_function",
        "java",
        present=[
            """
            import java.util.*;
            class M {
                void f(List<Integer> xs) { xs.forEach(x -> System.out.println(x)); }
            }
            """,
            """
            class M {
                void f(int d, java.util.List<Integer> xs) {
                    switch (d) {
                        case 1 -> xs.forEach(x -> System.out.println(x));
                        default -> {}
                    }
                }
            }
            """,
            """
            class M {
                void f(int d) {
                    Runnable r;
                    switch (d) {
                        case 1: r = () -> {}; break;
                    }
                }
            }
            """,
        ],
        absent=[
            """
            class M {
                String name(int d) {
                    return switch (d) {
                        case 1 -> "one";
                        case 2, 3 -> "few";
                        default -> "many";
                    };
                }
            }
            """,
            """
            class M {
                void f(java.util.List<String> xs) { xs.forEach(System.out::println); }
            }
            """,
        ],
    ),
    *construct(
        "lambda_function",
        "javascript",
        present=["const add = (a, b) => a + b;"],
        absent=['function add(a, b) { return a + b; }\nconst cmp = a >= b; // =>\nconst s = "=>";'],
    ),
    *construct(
        "lambda_function",
        "typescript",
        present=[
            "const ids = users.map((u: User): number => u.id);",
            "type Handler = (e: Event) => void;",
        ],
        absent=["function id<T>(x: T): T {\n  return x;\n}\nconst ge = 3 >= 2;"],
    ),
    *construct(
        "lambda_function",
        "cpp",
        present=[
            """
            #include <algorithm>
            #include <vector>
            int main() {
                std::vector<int> v{3, 1, 2};
                std::sort(v.begin(), v.end(), [](int a, int b) { return a > b; });
            }
            """,
            "int main() {\n    int x = 1;\n    auto f = [&, x]() mutable -> int { return x; };\n}",
            "int main() {\n    auto answer = [] { return 42; }();\n}",
        ],
        absent=[
            """
            struct Table {
                int cells[2]{0, 0};
                int& operator[](int i) { return cells[i]; }
            };
            """,
            """
            #include <utility>
            int main() {
                int a[3] = {1, 2, 3};
                auto [p, q] = std::pair<int, int>{1, 2};
                [[maybe_unused]] int z = a[0];
            }
            """,
        ],
    ),
]
