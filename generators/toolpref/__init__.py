"""generators/toolpref"""
