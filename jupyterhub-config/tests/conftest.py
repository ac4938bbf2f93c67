"""Fixtures of the JupyterHub tests: a real hub started by `./dcr hub start` (with the DP query service and the job
bridge it manages), logins through the hub's login form, users' servers and their kernels driven through the Jupyter
server's REST + websocket API. One hub serves every test of the session.
"""
import json
import os
import random
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

def ephemeral_port_range():
    """The kernel's range for ports of outgoing connections and of listeners on port 0."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(part) for part in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_port_block():
    """A port P with P to P+3 free (hub, proxy API, hub internal API, job bridge), outside the ephemeral range.

    The block must stay free until the hub and the bridge bind it, seconds later. A block from the ephemeral range
    (where binding port 0 lands) can meanwhile be taken by the local end of any outgoing connection, or by the DP
    query service's own port 0: one CI run lost its bridge port that way ("Address already in use").
    """
    low, high = ephemeral_port_range()
    candidates = [p for p in range(10000, 65532, 4) if p + 3 < low or p > high]
    if not candidates:
        raise RuntimeError(f"no ports outside the ephemeral range {low}-{high} for the hub test; narrow that range")
    rng = random.SystemRandom()
    for port in rng.sample(candidates, min(50, len(candidates))):
        ok = True
        for p in range(port, port + 4):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
        if ok:
            return port
    raise RuntimeError("no free block of four ports outside the ephemeral range")


def running_processes():
    """Every live process (zombies have ended) as (pid, start time) → (command line, environment); as root the
    environment of every user's process is readable."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] == "Z":
                continue
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            try:
                with open(f"/proc/{name}/environ", "rb") as f:
                    environ = f.read().decode(errors="replace")
            except PermissionError:
                environ = ""
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue  # ended while being read
        found[(int(name), fields[19])] = (cmdline, environ)
    return found


LEFTOVER_GRACE = 30


def processes_left(before, markers):
    """Processes that were not running before the hub started and carry one of its markers (its state folder, its
    password, its API address) in their command line or environment: the hub, its proxy, the DP service, the bridge,
    the users' servers and their kernels. Waits up to LEFTOVER_GRACE s for them to end."""
    deadline = time.time() + LEFTOVER_GRACE
    while True:
        left = {key: cmdline for key, (cmdline, environ) in running_processes().items()
                if key not in before and key[0] != os.getpid()
                and any(marker in cmdline or marker in environ for marker in markers)}
        if not left or time.time() > deadline:
            return left
        time.sleep(1)


@pytest.fixture(scope="session")
def hub():
    state = tempfile.mkdtemp(prefix="dcr-hub-test-")
    port = free_port_block()
    password = secrets.token_hex(12)
    before = running_processes()
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
            m = re.search(r"JupyterHub ready at \S+ \(DP query service: (\S+);", line)
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
        yield {"url": f"http://127.0.0.1:{port}", "dp_url": dp_url["url"], "password": password, "state": state,
               "bridge": f"http://127.0.0.1:{port}/services/bridge/", "log": lines}
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
        # Everything the hub started (servers, their kernels, services) ends with it: a kernel outliving its server
        # was once found running as alice with parent 1, long after the tests.
        left = processes_left(before, [state, f"DCR_HUB_PASSWORD={password}", f"127.0.0.1:{port + 2}/hub/api"])
        for pid, _ in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(state, ignore_errors=True)
        assert not left, (f"{len(left)} process(es) the hub test started still ran {LEFTOVER_GRACE} s after the hub "
                          "stopped (killed now):\n" + "\n".join(f"  pid {pid}: {cmd[:300]}" for (pid, _), cmd in left.items()))


def login(hub, user):
    """Logs in through the hub's login form, then makes an API token with the session (as a browser would)."""
    s = requests.Session()
    page = s.get(f"{hub['url']}/hub/login", timeout=30)
    page.raise_for_status()
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text).group(1)
    r = s.post(f"{hub['url']}/hub/login", data={"username": user, "password": hub["password"], "_xsrf": xsrf},
               allow_redirects=False, timeout=30)
    assert r.status_code == 302, f"login as {user} failed: {r.status_code} {r.text[:300]}"
    r = s.post(f"{hub['url']}/hub/api/users/{user}/tokens", json={"note": "stage-1 test", "expires_in": 3600},
               headers={"X-XSRFToken": s.cookies.get("_xsrf", xsrf)}, timeout=30)
    assert r.status_code in (200, 201), r.text
    return r.json()["token"]


def start_server(hub, user, token):
    """Starts the user's server, or finds it started (one hub serves every test), and waits until it is ready."""
    h = {"Authorization": f"token {token}"}
    r = requests.post(f"{hub['url']}/hub/api/users/{user}/server", headers=h, timeout=30)
    assert r.status_code in (201, 202) or (r.status_code == 400 and "already running" in r.text), r.text
    deadline = time.time() + 120
    while time.time() < deadline:
        model = requests.get(f"{hub['url']}/hub/api/users/{user}", headers=h, timeout=30).json()
        server = model.get("servers", {}).get("", {})
        if server.get("ready"):
            return f"{hub['url']}{server['url']}"
        time.sleep(1)
    raise AssertionError(f"{user}'s server did not become ready")


class Kernel:
    """A kernel of a Jupyter server, driven through its REST API and the channels websocket. With a notebook path,
    it is that notebook's kernel (a session, as JupyterLab makes one), so the kernel knows which file it runs for."""

    def __init__(self, server_url, token, name, notebook=None):
        self.h = {"Authorization": f"token {token}"}
        if notebook:
            r = requests.post(f"{server_url}api/sessions", json={
                "path": notebook, "name": os.path.basename(notebook), "type": "notebook", "kernel": {"name": name}},
                headers=self.h, timeout=60)
            assert r.status_code == 201, r.text
            kernel_id = r.json()["kernel"]["id"]
        else:
            r = requests.post(f"{server_url}api/kernels", json={"name": name}, headers=self.h, timeout=60)
            assert r.status_code == 201, r.text
            kernel_id = r.json()["id"]
        self.url = f"{server_url}api/kernels/{kernel_id}"
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


RUN_TIMEOUT = 600


def bridge(hub, token, method, path, **kwargs):
    """A call to the job bridge through the hub's proxy, with a user's hub token."""
    return requests.request(method, hub["bridge"] + path, headers={"Authorization": f"Bearer {token}"}, timeout=60,
                            **kwargs)


def await_state(hub, token, job_id, wanted):
    """The job once it is in state wanted; fails as soon as it ends in another, or after RUN_TIMEOUT."""
    deadline = time.time() + RUN_TIMEOUT
    job = None
    while time.time() < deadline:
        job = bridge(hub, token, "GET", f"v1/jobs/{job_id}").json()
        if job["state"] == wanted:
            return job
        assert not job["final"], f"job {job_id} ended {job['state']}: {job['reason']}"
        time.sleep(2)
    raise AssertionError(f"job {job_id} did not reach {wanted} in {RUN_TIMEOUT} s: {job}")
