"""Shared set-up for the kernel's Python-driven tests: they talk to a real dcr-java kernel through
jupyter_client. The JUnit test that runs them (KernelProtocolTest) writes the kernelspec and sets
JUPYTER_PATH, so the kernel under test is the one just built."""
import os

import pytest
from jupyter_client.manager import start_new_kernel


@pytest.fixture
def kernel():
    km, kc = start_new_kernel(kernel_name="dcr-java", startup_timeout=60)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def output_dir():
    path = os.environ.get("DCR_TEST_OUTPUT", "target/test-output")
    os.makedirs(path, exist_ok=True)
    return path
