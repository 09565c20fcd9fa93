"""Tests of datagen.verifiers."""
