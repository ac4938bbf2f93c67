"""End to end through a real JupyterHub (stage 1): alice logs in, starts her JupyterLab server, runs dcr-java cells
through the Jupyter server's REST + websocket API; a DP query comes back charged to her, and the provider's files
are unreadable from her kernel.

Started by `./dcr test` (after Maven has built everything), or by hand as root:
    DCR_SKIP_BUILD=1 /opt/dcr-hub/hub-venv-*/bin/python -m pytest jupyterhub-config/tests
"""
import os
import re

import pytest
import requests

from conftest import ROOT, Kernel, login, start_server

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub runs each user's server as that OS user: needs root")


def test_alice_explores_with_dp_and_cannot_read_the_providers_files(hub):
    token = login(hub, "alice")
    me = requests.get(f"{hub['url']}/hub/api/user", headers={"Authorization": f"token {token}"}, timeout=30).json()
    assert me["name"] == "alice" and me.get("groups") == ["scientists"], me
    server = start_server(hub, "alice", token)
    specs = requests.get(f"{server}api/kernelspecs", headers={"Authorization": f"token {token}"}, timeout=30).json()
    assert specs["default"] == "dcr-java", specs["default"]

    dp = {"Authorization": f"Bearer {token}"}  # the DP service trusts alice's hub token too
    before = requests.get(f"{hub['dp_url']}v1/datasets/insurance/budget", headers=dp, timeout=30)
    assert before.status_code == 200, before.text

    kernel = Kernel(server, token, "dcr-java")
    try:
        out, err = kernel.execute('System.getProperty("user.name") + " " + System.getenv("DCR_STAGE")')
        assert err is None, err
        assert "alice exploration" in out, out

        out, err = kernel.execute('Dcr.dataset("insurance").dp().count(0.1)')
        assert err is None, err
        assert re.search(r"\d", out), f"no DP answer: {out!r}"

        after = requests.get(f"{hub['dp_url']}v1/datasets/insurance/budget", headers=dp, timeout=30).json()
        spent = after["spent"]["epsilon"] - before.json()["spent"]["epsilon"]
        assert abs(spent - 0.1) < 1e-9, f"alice was charged {spent}, not 0.1"
        with open(os.path.join(hub["state"], "provider", "dp-service.log")) as log:
            assert re.search(r"access user=alice method=POST path=/v1/datasets/insurance/queries .*status=200", log.read())
        print(f"DP answer in alice's kernel: {out.strip()!r}; spent by alice: {after['spent']}")

        # Stage-1 isolation: the raw CSV the DP service reads, the provider's views and ledger, the hub's state.
        provider = os.path.join(hub["state"], "provider")
        for path in (os.path.join(provider, "real.csv"), os.path.join(provider, "views", "insurance"),
                     os.path.join(provider, "ledger.db"), os.path.join(hub["state"], "jupyterhub"),
                     os.path.join(ROOT, "datasets", "insurance", "real.csv"), os.path.join(ROOT, ".dcr")):
            assert os.path.exists(path), path
            code = (f'var p = java.nio.file.Path.of("{path}");\n'
                    'java.nio.file.Files.isDirectory(p) ? java.nio.file.Files.list(p).toList().toString()'
                    ' : new String(java.nio.file.Files.readAllBytes(p))')
            out, err = kernel.execute(code)
            assert err is not None, f"alice's kernel read {path}: {out[:200]!r}"
            assert "AccessDenied" in err, f"reading {path} failed, but not for lack of permission: {err[:500]}"
            print(f"alice reading {path}: {err.splitlines()[0]}")
        # ... and no path to raw data in her environment.
        out, err = kernel.execute('System.getenv().entrySet().stream().filter(e -> e.getValue().contains("real.csv")'
                                  ' || e.getKey().startsWith("DCR_INPUT")).count()')
        assert err is None, err
        assert out.strip().endswith("0"), out
    finally:
        kernel.close()
