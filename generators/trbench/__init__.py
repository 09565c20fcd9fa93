"""TRBench-BFCL: ToolRM's pairwise benchmark for tool-use critics, built from BFCL's held-out
``bench`` part with ToolPref's generation, BFCL scoring and critique rows."""
