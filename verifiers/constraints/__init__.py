"""The checker library of IFEvalCode's constraints: one rule per constraint kind, each deciding
from a tree-sitter parse whether code satisfies it and emitting the equivalent standard-library
Python ``check_instruction`` fragment."""
