"""The installed llama.cpp library is built for the portable x86-64 baseline, on any test CPU.

scripts/setup builds llama-cpp-python with GGML_NATIVE=OFF (AVX2, FMA, F16C, BMI2). A native
build on an AVX-512 or AMX machine would hold instructions that other machines of this kind
cannot run: zmm registers (AVX-512) and tmm tiles (AMX). The disassembly says which the
library holds whatever CPU this test runs on; llama.cpp's own list of compiled-in features
says the same from the inside.
"""

from __future__ import annotations

import platform
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from datagen.generators.engines.llama_check import library_dir

pytestmark = pytest.mark.skipif(
    platform.machine() != "x86_64", reason="the baseline is an x86-64 one"
)
BEYOND_BASELINE = re.compile(rb"%(zmm|tmm)\d+")


def instructions_beyond_baseline(library: Path) -> Counter[str]:
    """How many instructions of ``library`` use each register kind the baseline lacks."""
    found: Counter[str] = Counter()
    with subprocess.Popen(
        ["objdump", "-d", "--no-show-raw-insn", str(library)], stdout=subprocess.PIPE
    ) as objdump:
        assert objdump.stdout is not None
        for line in objdump.stdout:
            if match := BEYOND_BASELINE.search(line):
                found[match.group(1).decode()] += 1
    assert objdump.returncode == 0, f"objdump failed on {library}"
    return found


def test_the_register_scan_sees_avx512_where_there_is_some(tmp_path: Path) -> None:
    source = tmp_path / "wide.c"
    source.write_text(
        "void add(float *a, const float *b) { for (int i = 0; i < 64; i++) a[i] += b[i]; }\n"
    )
    wide, narrow = tmp_path / "libwide.so", tmp_path / "libnarrow.so"
    common = ["gcc", "-O3", "-shared", "-fPIC", str(source)]
    subprocess.run([*common, "-mavx512f", "-mprefer-vector-width=512", "-o", wide], check=True)
    subprocess.run([*common, "-march=x86-64-v3", "-o", narrow], check=True)
    assert instructions_beyond_baseline(wide)["zmm"] > 0
    assert instructions_beyond_baseline(narrow) == Counter()


def test_installed_libraries_hold_no_avx512_or_amx_instructions(monkeypatch) -> None:
    monkeypatch.delenv("LLAMA_CPP_LIB_PATH", raising=False)
    libraries = sorted(library_dir().glob("*.so"))
    assert {"libllama.so", "libggml-cpu.so"} <= {p.name for p in libraries}
    beyond = {p.name: instructions_beyond_baseline(p) for p in libraries}
    assert beyond == {p.name: Counter() for p in libraries}


def test_llama_cpp_reports_only_baseline_features(embedded_engine) -> None:
    import llama_cpp

    features = llama_cpp.llama_print_system_info().decode()
    assert re.search(r"\bAVX2 = 1\b", features), features
    assert not re.search(r"(AVX512|AMX)\w* = 1", features), features
