"""A notebook run headless through nbclient with dcr-java and through our Java runner gives the same
text outputs, and both executed notebooks are valid nbformat 4. The notebook runs in stage 2 on the
insurance rows (DCR_INPUT_DIR), so it needs no DP query service; DP answers are noisy, so lines of
DP answers (they start with "DP ") are compared with their numbers masked."""
import copy
import os
import re
import subprocess

import nbformat
from nbclient import NotebookClient

from conftest import output_dir

NOTEBOOK = "src/test/resources/notebooks/insurance-tour.ipynb"


def text_outputs(nb):
    """Per code cell: (output type, stream name or '', text) with noisy DP numbers masked."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.outputs:
            if out.output_type == "stream":
                text, name = out.text, out.name
            elif out.output_type in ("execute_result", "display_data"):
                text, name = out.data.get("text/plain", ""), ""
                assert isinstance(text, str)
            else:
                text, name = out.ename + ": " + out.evalue, ""
            text = "\n".join(re.sub(r"[0-9][0-9.,e+-]*", "#", line) if line.startswith("DP ") else line
                             for line in text.split("\n"))
            outputs.append((out.output_type, name, text))
        cells.append(outputs)
    return cells


def run_with_java_runner(source, target):
    command = [os.environ["DCR_JAVA"], "--enable-native-access=ALL-UNNAMED", "-cp", os.environ["DCR_KERNEL_CLASSPATH"],
               "dev.cleanroom.kernel.runner.RunNotebook", source, "--out", target, "--cell-timeout", "120"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return nbformat.read(target, as_version=4)


def test_nbclient_and_java_runner_agree_on_text_outputs():
    out = output_dir()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    executed = NotebookClient(copy.deepcopy(nb), kernel_name="dcr-java", timeout=120, startup_timeout=60).execute()
    nbformat.write(executed, os.path.join(out, "nbclient.ipynb"))
    ours = run_with_java_runner(NOTEBOOK, os.path.join(out, "runner.ipynb"))

    nbformat.validate(executed)
    nbformat.validate(ours)
    expected = text_outputs(executed)
    assert text_outputs(ours) == expected
    # The notebook really exercised what it claims to.
    flat = [o for cell in expected for o in cell]
    assert ("stream", "stdout", "execution view: real\n") in flat
    assert any(t == "execute_result" and "1338 rows" in text.replace(",", "") for t, _, text in flat)
    assert any(t == "execute_result" and text.startswith("CategoryChart 'charges'") for t, _, text in flat)
    assert any(text.startswith("DP mean(charges) = #") for _, _, text in flat)
    assert flat[-1] == ("execute_result", "", "true")
    chart = [o for o in ours.cells[3].outputs if o.output_type == "execute_result"][0]
    assert chart.data["image/png"] and chart.data["image/svg+xml"].lstrip().startswith("<?xml")


def test_runner_stops_at_the_first_failing_cell_and_records_the_error(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("int a = 1;"), nbformat.v4.new_code_cell("throw new IllegalStateException(\"stop here\");"),
                nbformat.v4.new_code_cell("System.out.println(\"never\");")]
    source = tmp_path / "failing.ipynb"
    nbformat.write(nb, source)
    command = [os.environ["DCR_JAVA"], "-cp", os.environ["DCR_KERNEL_CLASSPATH"], "dev.cleanroom.kernel.runner.RunNotebook",
               str(source), "--out", str(tmp_path / "out.ipynb")]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 1
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    nbformat.validate(out)
    assert out.cells[1].outputs[0].output_type == "error"
    assert out.cells[1].outputs[0].ename == "java.lang.IllegalStateException"
    assert out.cells[2].outputs == []


def test_runner_stops_a_cell_at_its_timeout(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("while (true) { }"), nbformat.v4.new_code_cell("1")]
    source = tmp_path / "loop.ipynb"
    nbformat.write(nb, source)
    command = [os.environ["DCR_JAVA"], "-cp", os.environ["DCR_KERNEL_CLASSPATH"], "dev.cleanroom.kernel.runner.RunNotebook",
               str(source), "--out", str(tmp_path / "out.ipynb"), "--cell-timeout", "2"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 1
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    nbformat.validate(out)
    assert out.cells[0].outputs[-1].ename == "Timeout"
    assert "per-cell timeout of 2 s" in out.cells[0].outputs[-1].evalue
