"""End to end through a real JupyterHub (stage 1): alice logs in, starts her JupyterLab server, runs dcr-java cells
through the Jupyter server's REST + websocket API; a DP query comes back charged to her, and the provider's files
are unreadable from her kernel.

Started by `./dcr test` (after Maven has built everything), or by hand as root:
    DCR_SKIP_BUILD=1 /opt/dcr-hub/hub-venv-*/bin/python -m pytest jupyterhub-config/tests
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import requests
import websocket

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
START_TIMEOUT = 240

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub runs each user's server as that OS user: needs root")


def free_port_block():
    """A port P with P, P+1 and P+2 free (hub, proxy API, hub internal API)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 2 > 65535:
            continue
        ok = True
        for p in (port + 1, port + 2):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
        if ok:
            return port
    raise RuntimeError("no free block of three ports")


@pytest.fixture(scope="module")
def hub():
    state = tempfile.mkdtemp(prefix="dcr-hub-test-")
    port = free_port_block()
    password = secrets.token_hex(12)
    env = dict(os.environ, DCR_HUB_PASSWORD=password, DCR_SKIP_BUILD=os.environ.get("DCR_SKIP_BUILD", "1"))
    proc = subprocess.Popen([os.path.join(ROOT, "dcr"), "hub", "start", "--port", str(port), "--state", state],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines = []
    ready = threading.Event()
    dp_url = {}

    def read():
        for line in proc.stdout:
            lines.append(line)
            m = re.search(r"JupyterHub ready at \S+ \(DP query service: (\S+)\)", line)
            if m:
                dp_url["url"] = m.group(1)
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.time() + START_TIMEOUT
    while not ready.is_set() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.5)
    try:
        if not ready.is_set():
            raise AssertionError("dcr hub start did not get ready:\n" + "".join(lines))
        yield {"url": f"http://127.0.0.1:{port}", "dp_url": dp_url["url"], "password": password, "state": state}
    finally:
        # dcr hub start stops the hub (which stops the users' servers) and the DP service on SIGTERM.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=40)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(state, ignore_errors=True)


def login(hub, user):
    """Logs in through the hub's login form, then makes an API token with the session (as a browser would)."""
    s = requests.Session()
    page = s.get(f"{hub['url']}/hub/login", timeout=30)
    page.raise_for_status()
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text).group(1)
    r = s.post(f"{hub['url']}/hub/login", data={"username": user, "password": hub["password"], "_xsrf": xsrf},
               allow_redirects=False, timeout=30)
    assert r.status_code == 302, f"login as {user} failed: {r.status_code} {r.text[:300]}"
    r = s.post(f"{hub['url']}/hub/api/users/{user}/tokens", json={"note": "stage-1 test", "expires_in": 900},
               headers={"X-XSRFToken": s.cookies.get("_xsrf", xsrf)}, timeout=30)
    assert r.status_code in (200, 201), r.text
    return r.json()["token"]


def start_server(hub, user, token):
    h = {"Authorization": f"token {token}"}
    r = requests.post(f"{hub['url']}/hub/api/users/{user}/server", headers=h, timeout=30)
    assert r.status_code in (201, 202), r.text
    deadline = time.time() + 120
    while time.time() < deadline:
        model = requests.get(f"{hub['url']}/hub/api/users/{user}", headers=h, timeout=30).json()
        server = model.get("servers", {}).get("", {})
        if server.get("ready"):
            return f"{hub['url']}{server['url']}"
        time.sleep(1)
    raise AssertionError(f"{user}'s server did not become ready")


class Kernel:
    """A kernel of a Jupyter server, driven through its REST API and the channels websocket."""

    def __init__(self, server_url, token, name):
        self.h = {"Authorization": f"token {token}"}
        r = requests.post(f"{server_url}api/kernels", json={"name": name}, headers=self.h, timeout=60)
        assert r.status_code == 201, r.text
        self.url = f"{server_url}api/kernels/{r.json()['id']}"
        self.ws = websocket.create_connection(self.url.replace("http", "ws", 1) + "/channels",
                                              header=[f"Authorization: token {token}"], timeout=180)
        self.session = uuid.uuid4().hex

    def execute(self, code):
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session,
                       "username": "test", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out, error, reply = [], None, None
        idle = False
        while not (idle and reply):
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                out.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                error = content["ename"] + ": " + content["evalue"] + "\n" + "\n".join(content.get("traceback", []))
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                reply = content
        return "".join(out), error

    def close(self):
        self.ws.close()
        requests.delete(self.url, headers=self.h, timeout=30)


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
