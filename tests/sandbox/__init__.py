"""Tests of datagen.verifiers.sandbox and ``datagen verify execution``'s Python API."""
