"""%maven through a real dcr-java kernel (nbclient): the library resolves from the test's local Maven
repository (DCR_MAVEN_REPOSITORY in the kernelspec, written by MavenKernelTest), the next cell uses it,
and the saved notebook carries the lock as an output of its own MIME type."""
import os

import nbformat
from nbclient import NotebookClient

from conftest import output_dir

LOCK = "application/vnd.dcr.maven-lock.v1+json"


def test_maven_then_use_and_the_saved_notebook_carries_the_lock():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%maven org.example:greeter:1.0"),
                nbformat.v4.new_code_cell('new org.example.greeter.Greeter().greet("Ada")')]
    executed = NotebookClient(nb, kernel_name="dcr-java", timeout=120, startup_timeout=60).execute()
    saved = os.path.join(output_dir(), "maven.ipynb")
    nbformat.write(executed, saved)

    reread = nbformat.read(saved, as_version=4)
    nbformat.validate(reread)
    maven, use = reread.cells
    assert any(o.output_type == "stream" and o.name == "stderr" and "Downloading" in o.text for o in maven.outputs)
    [result] = [o for o in maven.outputs if o.output_type == "execute_result"]
    lock = result.data[LOCK]
    assert lock["requested"] == ["org.example:greeter:1.0"]
    assert [(a["coordinates"], a["sha256"]) for a in lock["artifacts"]] == [
        ("org.example:greeter:jar:1.0", os.environ["DCR_TEST_GREETER_SHA256"]),
        ("org.example:words:jar:1.0", os.environ["DCR_TEST_WORDS_SHA256"])]
    [value] = [o for o in use.outputs if o.output_type == "execute_result"]
    assert value.data["text/plain"] == "Hello, Ada"
