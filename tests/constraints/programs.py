"""One small, ordinary program per language, for the rules that look at lines rather than
syntax (limits, tabs, trailing whitespace): their tables vary it line by line."""

from __future__ import annotations

PROGRAMS = {
    "python": """
        def add(a, b):
            # Sum of two numbers.
            return a + b

        print(add(1, 2))
        """,
    "java": """
        public class Main {
            static int add(int a, int b) { return a + b; }

            public static void main(String[] args) {
                System.out.println(add(1, 2));
            }
        }
        """,
    "javascript": """
        function add(a, b) {
          return a + b;
        }

        console.log(add(1, 2));
        """,
    "typescript": """
        function add(a: number, b: number): number {
          return a + b;
        }

        console.log(add(1, 2));
        """,
    "shell": """
        #!/bin/bash
        add() {
          echo $(( $1 + $2 ))
        }

        add 1 2
        """,
    "cpp": """
        #include <cstdio>

        int add(int a, int b) { return a + b; }

        int main() {
            std::printf("%d\\n", add(1, 2));
        }
        """,
    "csharp": """
        using System;

        class Program
        {
            static int Add(int a, int b) => a + b;

            static void Main() => Console.WriteLine(Add(1, 2));
        }
        """,
}
"""Each has 5 or 6 lines that are not blank and no line over 60 characters."""
