"""Naming rules' programs: styles of function, class and variable names; a required name."""

from __future__ import annotations

from tests.constraints.cases import cases

SNAKE = "function_names_snake_case"
CAMEL = "function_names_camel_case"

CASES = [
    *cases(
        SNAKE,
        "python",
        accept=[
            """
            class Solver:
                def __init__(self):
                    self.cache = {}

                def solve_case(self, n):
                    return n * 2


            def main():
                print(Solver().solve_case(3))
            """,
            """
            def count_words(text):
                # not def countWords(text)
                return len("def countWords(x): pass".split())
            """,
        ],
        reject=[
            """
            def twoSum(nums, target):
                return []
            """,
            """
            def outer():
                def innerHelper():
                    return 1
                return innerHelper()
            """,
            """
            async def fetchData():
                return 1
            """,
            """
            def broken(:
                pass
            """,
            'print "Python 2"\n\ndef fine():\n    pass',
        ],
    ),
    *cases(
        SNAKE,
        "java",
        accept=[
            """
            public class Main {
                private int total;

                public Main(int total) {
                    this.total = total;
                }

                static int add_numbers(int a, int b) {
                    return a + b;
                }

                public static void main(String[] args) {
                    String s = "void badName() {}";
                    System.out.println(add_numbers(1, 2) + s);
                }
            }
            """,
        ],
        reject=[
            """
            public class Main {
                static int addNumbers(int a, int b) {
                    return a + b;
                }
            }
            """,
            """
            import java.util.*;

            class Sorter {
                void sort_all(List<Integer> xs) {
                    xs.sort(new Comparator<Integer>() {
                        public int compare(Integer a, Integer b) { return a - b; }
                    });
                }

                @Override
                public String toString() { return "Sorter"; }
            }
            """,
        ],
    ),
    *cases(
        SNAKE,
        "javascript",
        accept=[
            """
            function sum_list(xs) {
              return xs.reduce((a, b) => a + b, 0);
            }
            const make_pair = (a, b) => [a, b];
            class Point {
              constructor(x, y) { this.x = x; this.y = y; }
              norm_squared() { return this.x ** 2 + this.y ** 2; }
            }
            """,
            """
            // function badName() {}
            const label = "function alsoBad() {}";
            function run_it() { return label; }
            """,
        ],
        reject=[
            """
            function sumList(xs) {
              return 0;
            }
            """,
            "const makePair = (a, b) => [a, b];",
            """
            class A {
              getValue() {
                return 1;
              }
            }
            """,
        ],
    ),
    *cases(
        SNAKE,
        "typescript",
        accept=[
            """
            function parse_input(line: string): number[] {
              return line.split(" ").map(Number);
            }
            class Counter {
              private count: number = 0;
              public increment_by(step: number): void {
                this.count += step;
              }
            }
            """,
        ],
        reject=[
            'const parseInput = (line: string): number[] => line.split(" ").map(Number);',
            """
            interface Shape { area(): number; }
            class Square implements Shape {
              constructor(private side: number) {}
              area(): number { return this.side ** 2; }
              getSide(): number { return this.side; }
            }
            """,
        ],
    ),
    *cases(
        SNAKE,
        "shell",
        accept=[
            """
            #!/bin/bash
            print_usage() {
              echo "usage: $0 FILE"
            }
            function count_lines {
              wc -l < "$1"
            }
            print_usage
            """,
            """
            echo "myFunc() { :; }"  # myFunc() is text
            log_info() { echo "$@"; }
            """,
        ],
        reject=[
            """
            printUsage() {
              echo "usage"
            }
            """,
            """
            function countLines() {
              wc -l < "$1"
            }
            """,
        ],
    ),
    *cases(
        SNAKE,
        "cpp",
        accept=[
            """
            #include <vector>
            using namespace std;

            class Solution {
            public:
                Solution() {}
                int max_profit(vector<int>& prices) {
                    int best = 0;
                    return best;
                }
            };

            int main() {
                Solution s;
                return 0;
            }
            """,
            """
            struct Point {
                int x, y;
                bool operator<(const Point& o) const { return x < o.x; }
            };
            int manhattan(Point a) { return a.x + a.y; }
            """,
        ],
        reject=[
            """
            int maxProfit(std::vector<int>& prices) {
                return 0;
            }
            """,
            """
            class Solution {
            public:
                int twoSum(int a);
            };
            int Solution::twoSum(int a) {
                return a;
            }
            """,
        ],
    ),
    *cases(
        CAMEL,
        "python",
        accept=[
            """
            def twoSum(nums):
                return nums

            class Solver:
                def __init__(self):
                    pass

                def solve(self):
                    return 1
            """,
        ],
        reject=["def two_sum(nums):\n    return nums"],
    ),
    *cases(
        CAMEL,
        "java",
        accept=[
            """
            public class Main {
                static int addNumbers(int a, int b) { return a + b; }
                public static void main(String[] args) {}
            }
            """,
        ],
        reject=[
            """
            class Main {
                static int add_numbers(int a, int b) { return a + b; }
            }
            """,
        ],
    ),
    *cases(
        CAMEL,
        "javascript",
        accept=[
            """
            // function sum_list() {}
            function sumList(xs) { return xs.length; }
            const makePair = (a, b) => [a, b];
            """,
        ],
        reject=[
            """
            const make_pair = function (a, b) {
              return [a, b];
            };
            """,
        ],
    ),
    *cases(
        CAMEL,
        "typescript",
        accept=[
            """
            export function parseInput(line: string): string[] {
              return line.split(",");
            }
            """,
        ],
        reject=[
            """
            class A {
              static from_string(s: string): A {
                return new A();
              }
            }
            """,
        ],
    ),
    *cases(
        CAMEL,
        "shell",
        accept=["printUsage() {\n  echo hi\n}"],
        reject=["print_usage() {\n  echo hi\n}"],
    ),
    *cases(
        CAMEL,
        "cpp",
        accept=[
            """
            int maxProfit(int* p, int n) {
                return 0;
            }
            int main() { return maxProfit(nullptr, 0); }
            """,
        ],
        reject=["long long count_pairs(int n) {\n    return 0;\n}"],
    ),
    *cases(
        "method_names_pascal_case",
        "csharp",
        accept=[
            """
            using System;

            public class Program
            {
                private int total;

                public Program(int total) { this.total = total; }

                public static int AddNumbers(int a, int b) => a + b;

                public static void Main(string[] args)
                {
                    int Square(int x) { return x * x; }
                    Console.WriteLine(AddNumbers(1, Square(2)));
                }
            }
            """,
            """
            class P {
                static void Main() {
                    var s = "void badName() { }";
                    System.Console.WriteLine(s);
                }
            }
            """,
        ],
        reject=[
            """
            public class Program
            {
                static int addNumbers(int a, int b)
                {
                    return a + b;
                }
                static void Main() {}
            }
            """,
            """
            class P {
                static void Main() {
                    int helper(int x) => x + 1;
                    System.Console.WriteLine(helper(1));
                }
            }
            """,
        ],
    ),
    *cases(
        "class_names_pascal_case",
        "python",
        accept=[
            "class BinaryTree:\n    pass\n\nclass _Node:\n    pass",
            'x = "class bad_name: pass"  # class bad_name\nclass GoodName:\n    pass',
        ],
        reject=["class binary_tree:\n    pass"],
    ),
    *cases(
        "class_names_pascal_case",
        "java",
        accept=[
            "public class Main {\n    static class TreeNode { int val; }\n}",
            "class Main {\n    Object k = String.class;\n}",
        ],
        reject=["class tree_node {\n    int val;\n}"],
    ),
    *cases(
        "class_names_pascal_case",
        "javascript",
        accept=[
            "class LinkedList {\n  constructor() { this.head = null; }\n}\nconst Anon = class {};"
        ],
        reject=["class linkedList {}", "const A = class inner_impl {};"],
    ),
    *cases(
        "class_names_pascal_case",
        "typescript",
        accept=[
            """
            abstract class Shape {
              abstract area(): number;
            }
            class Circle extends Shape {
              area(): number { return 3; }
            }
            """,
        ],
        reject=["class circle_shape {}"],
    ),
    *cases(
        "class_names_pascal_case",
        "cpp",
        accept=[
            """
            struct TreeNode {
                int val;
                TreeNode* left;
            };
            enum class color { red };
            template <class value_type>
            class Stack {};
            """,
            """
            template <typename K>
            struct Hasher {};
            template <>
            struct Hasher<int> {};
            class Solution
            {
            public:
                int solve();
            };
            """,
        ],
        reject=[
            "struct tree_node {\n    int val;\n};",
            "class solution\n{\n};",
            """
            class Solution : public base_solver {
            public:
                int x;
            };
            struct pair_t { int a, b; };
            """,
        ],
    ),
    *cases(
        "class_names_pascal_case",
        "csharp",
        accept=[
            """
            public class Program
            {
                struct Point { public int X; }
                static void Main() { }
            }
            """,
            "class Box<T> where T : class\n{\n}",
            "record point(int X, int Y);\nclass Program { static void Main() {} }",
        ],
        reject=["public class my_program\n{\n    static void Main() { }\n}"],
    ),
    *cases(
        "variable_names_snake_case",
        "python",
        accept=[
            """
            MAX_SIZE = 100
            total_count = 0
            for index, value in enumerate([1, 2]):
                total_count += value
            squares = [n * n for n in range(3)]
            with open(__file__) as handle:
                first_line = handle.readline()
            if (size := len(squares)) > 2:
                pass
            """,
            """
            class A:
                def __init__(self):
                    self.camelAttr = 1

            def f(camelParam):
                result = camelParam
                return result

            data = {}
            data["someKey"] = 2
            """,
        ],
        reject=[
            "totalCount = 0",
            "for idx, itemValue in enumerate([1]):\n    pass",
            "squares = [sqVal * sqVal for sqVal in range(3)]",
            "if (nItems := 3) > 2:\n    pass",
        ],
    ),
    *cases(
        "variable_names_snake_case",
        "javascript",
        accept=[
            """
            const max_size = 10;
            const MAX_RETRIES = 3;
            let total_count = 0, item_index = 1;
            for (const item_value of [1, 2]) {
              total_count += item_value;
            }
            const { camelA, camelB } = obj;
            const message = "let badName = 1";
            """,
        ],
        reject=[
            "let totalCount = 0;",
            "let i = 0, maxValue = 10;",
            "for (const itemValue of [1, 2]) {\n  console.log(itemValue);\n}",
        ],
    ),
    *cases(
        "variable_names_snake_case",
        "typescript",
        accept=[
            """
            const lookup_table: Map<string, number> = new Map();
            let row_count: number = 0
            const y_value = 2
            """,
        ],
        reject=[
            "let rowCount: number = 0;",
            "const lookup_table: Map<string, number> = new Map(), rowCount = 1;",
        ],
    ),
    *cases(
        "variable_names_camel_case",
        "python",
        accept=["totalCount = 0\nMAX_SIZE = 10\nfor i in range(3):\n    totalCount += i"],
        reject=["total_count = 0"],
    ),
    *cases(
        "variable_names_camel_case",
        "javascript",
        accept=["let totalCount = 0;\nconst MAX_SIZE = 5;\nvar i = 0;"],
        reject=["const total_count = 0;"],
    ),
    *cases(
        "variable_names_camel_case",
        "typescript",
        accept=["let rowCount: number = 0;"],
        reject=["let row_count: number = 0;"],
    ),
    *cases(
        "function_name",
        "python",
        name="solve",
        accept=[
            "def solve(n):\n    return n",
            "class Solution:\n    def solve(self, n):\n        return n",
        ],
        reject=[
            "def solver(n):\n    return n\n\nsolve = solver",
            '# def solve(n):\nprint("def solve(n): pass")',
        ],
    ),
    *cases(
        "function_name",
        "java",
        name="solve",
        accept=["class Solution {\n    public int solve(int n) { return n; }\n}"],
        reject=[
            """
            class Solution {
                public int resolve(int n) { return n; }
                int x = solve(3);
            }
            """
        ],
    ),
    *cases(
        "function_name",
        "javascript",
        name="solve",
        accept=["const solve = (n) => n * 2;", "function solve(n) {}"],
        reject=["function solveAll(n) {}\nsolve(3);"],
    ),
    *cases(
        "function_name",
        "typescript",
        name="solve",
        accept=["export function solve(input: string): number {\n  return input.length;\n}"],
        reject=["const solved: number = 3;"],
    ),
    *cases(
        "function_name",
        "shell",
        name="solve",
        accept=[
            'solve() {\n  echo "$1"\n}\nsolve 3',
            """
            check() {
              while read -r line; do echo "$line"; done <<< "$1"
            }
            solve()
            {
              check "a b"
            }
            """,
        ],
        reject=["# solve() {\nsolve_all() { :; }\necho solve"],
    ),
    *cases(
        "function_name",
        "cpp",
        name="solve",
        accept=[
            "int solve(int n) {\n    return n;\n}",
            """
            class S {
            public:
                long long solve(const std::vector<int>& v) const { return 0; }
            };
            """,
        ],
        reject=["int solve(int n);\nint main() { return solve(1); }"],
    ),
    *cases(
        "function_name",
        "cpp",
        name="safe",
        accept=["void safe() noexcept(true) {}", "auto safe() -> int { return 0; }"],
        reject=["void safe() noexcept;", "int safer() { return 0; }"],
    ),
    *cases(
        "function_name",
        "csharp",
        name="solve",
        accept=["class P {\n    static int solve(int n) => n;\n    static void Main() {}\n}"],
        reject=["class P {\n    static int Solve(int n) { return n; }\n}"],
    ),
]
