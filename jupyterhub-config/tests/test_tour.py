"""The whole clean room through a real JupyterHub, one role after another, as the README's walkthrough tells it:

1. alice (scientist) logs in, opens the regression tutorial in her JupyterLab server, runs it in stage 1 on the
   synthetic view, and submits it with %submit;
2. pat (provider) approves it through the job bridge, a hub service behind the proxy; the local Confidential Space
   simulator builds the notebook's image and runs it on the real rows; pat releases the outputs;
3. alice fetches the released outputs and report with %outputs, and through the bridge's API;
4. audrey (auditor) downloads the report and the notebook and checks them against the deployment's trust file, as
   its provider hands it out, with `dcr verify --trust trust.json --allow-simulator --rebuild`.

Started by `./dcr test` as root (see test_hub_stage1.py).
"""
import json
import os
import re
import subprocess
import tempfile

import pytest
import requests

from conftest import ROOT, Kernel, await_state, bridge, login, start_server

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub runs each user's server as that OS user: needs root")

NOTEBOOK = "insurance-regression.ipynb"


def test_alice_submits_pat_approves_and_releases_audrey_verifies(hub):
    alice = login(hub, "alice")
    server = start_server(hub, "alice", alice)
    with open(os.path.join(ROOT, "notebooks", NOTEBOOK)) as f:
        notebook = json.load(f)
    r = requests.put(f"{server}api/contents/{NOTEBOOK}", json={"type": "notebook", "format": "json",
                     "content": notebook}, headers={"Authorization": f"token {alice}"}, timeout=60)
    assert r.status_code in (200, 201), r.text

    # 1. Stage 1: alice runs the tutorial on the synthetic view, cell by cell, then submits it as saved.
    kernel = Kernel(server, alice, "dcr-java", notebook=NOTEBOOK)
    try:
        outputs = []
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            out, err = kernel.execute("".join(cell["source"]))
            assert err is None, f"stage-1 cell failed:\n{''.join(cell['source'])}\n{err}"
            outputs.append(out)
        assert "stage exploration" in outputs[0], outputs[0]
        stage1 = re.search(r'"rmse_linear": ([\d.]+)', "".join(outputs))
        assert stage1, f"no stage-1 RMSE among the outputs: {outputs[-1]!r}"

        out, err = kernel.execute("%submit")
        assert err is None, err
        job_id = re.search(r"as job (job-[a-z2-7]{16})", out).group(1)
        assert "Waiting for the approval of pat" in out, out
        print(f"alice: {out.strip()}")

        # 2. pat reviews the notebook as submitted, approves; the simulator runs it; pat releases the outputs.
        pat = login(hub, "pat")
        job = bridge(hub, pat, "GET", f"v1/jobs/{job_id}").json()
        assert job["state"] == "SUBMITTED" and job["owner"] == "alice", job
        submitted = bridge(hub, pat, "GET", f"v1/jobs/{job_id}/notebook")
        assert submitted.status_code == 200 and json.loads(submitted.content)["cells"] == notebook["cells"]
        r = bridge(hub, pat, "POST", f"v1/jobs/{job_id}/approve", json={"comment": "reads only the policy's columns"})
        assert r.status_code == 200, r.text
        outputs_before_release = bridge(hub, alice, "GET", f"v1/jobs/{job_id}/outputs")
        finished = await_state(hub, pat, job_id, "FINISHED")
        assert "report verified" in finished["reason"], finished
        assert bridge(hub, alice, "GET", f"v1/jobs/{job_id}/outputs").status_code in (403, 409), \
            "alice saw outputs before their release"
        r = bridge(hub, pat, "POST", f"v1/jobs/{job_id}/release", json={"comment": "aggregates only"})
        assert r.status_code == 200 and r.json()["state"] == "RELEASED", r.text
        print(f"pat: approved and released {job_id}; before approval alice's outputs call answered "
              f"{outputs_before_release.status_code}")

        # 3. alice fetches what was released, in her notebook.
        out, err = kernel.execute(f"%job {job_id}")
        assert err is None and "RELEASED" in out, (out, err)
        out, err = kernel.execute(f"%outputs {job_id}")
        assert err is None, err
        assert "report.json" in out and "rmse_linear" in out, out
        # %outputs wrote them beside the notebook, in alice's home.
        with open(os.path.join(os.path.expanduser("~alice"), job_id, "outputs", "metrics.json")) as f:
            stage2 = json.load(f)
        # Both stages' numbers side by side: the synthetic-trained models (alice's stage-1 RMSE) and the real ones.
        assert set(stage2) >= {"synthetic", "real", "synthetic_model_on_real"}, stage2
        assert abs(stage2["synthetic"]["rmse_linear"] - float(stage1.group(1))) < 0.05, (stage2, stage1.group(1))
        assert stage2["real"]["rows"] == 1338, stage2  # every real row of datasets/insurance/real.csv
        print(f"alice: stage-2 metrics {stage2}")
    finally:
        kernel.close()

    # 4. audrey checks the report against the submitted notebook, rebuilding its image byte for byte.
    audrey = login(hub, "audrey")
    folder = tempfile.mkdtemp(prefix="dcr-audit-")
    for path, name in ((f"v1/jobs/{job_id}/report", "report.json"), (f"v1/jobs/{job_id}/notebook", "notebook.ipynb")):
        r = bridge(hub, audrey, "GET", path)
        assert r.status_code == 200, r.text
        with open(os.path.join(folder, name), "wb") as f:
            f.write(r.content)
    assert bridge(hub, audrey, "GET", f"v1/jobs/{job_id}/outputs").status_code == 403, "auditors never see outputs"
    # The deployment's trust file, as its provider hands it out (the bridge writes it, and serves the same copy):
    # audrey checks the report against it, never against keys or values the report carries.
    with open(os.path.join(hub["state"], "bridge", "work", "trust.json"), "rb") as f:
        trust = f.read()
    served = requests.get(hub["bridge"] + "trust.json", timeout=30)
    assert served.status_code == 200 and json.loads(served.content) == json.loads(trust), served.text
    report = json.load(open(os.path.join(folder, "report.json")))
    assert json.loads(trust)["inputs"]["insurance/real.csv"] == report["manifest"]["inputs"]["insurance/real.csv"], \
        "the report names the real rows by the commitment the provider published"
    trust_file = os.path.join(tempfile.mkdtemp(prefix="dcr-trust-"), "trust.json")
    with open(trust_file, "wb") as f:
        f.write(trust)
    verify = subprocess.run([os.path.join(ROOT, "dcr"), "verify", folder, "--trust", trust_file, "--allow-simulator",
                             "--rebuild", "--without-outputs"], capture_output=True, text=True, timeout=600)
    print(verify.stdout)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "VERIFIED as a SIMULATED run" in verify.stdout, verify.stdout
    assert re.search(r"pass\s+rebuild\s+rebuilt image sha256:\S+ is the attested one", verify.stdout), verify.stdout
    assert re.search(r"pass\s+inputs\s+4 input\(s\) match the published commitments", verify.stdout), verify.stdout
    assert "deployment: local-" in verify.stdout, verify.stdout
