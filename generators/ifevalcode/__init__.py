"""IFEvalCode (arXiv 2507.22462): code problems with forward and backward constraints in seven
languages, each row checked for correctness (its tests) and instruction-following (a stdlib
Python checker)."""
