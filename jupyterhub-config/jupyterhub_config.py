"""JupyterHub for the clean room, stage 1 (exploration). Started by `./dcr hub start`, which sets:

  DCR_HUB_PORT      public port of the hub on 127.0.0.1 (the proxy's API uses PORT+1, the hub itself PORT+2, the job
                    bridge PORT+3)
  DCR_HUB_STATE     folder for the hub's database and cookie secret (root only)
  DCR_HUB_VENV      the venv holding jupyterhub-singleuser, JupyterLab and the dcr-java kernelspec
  DCR_HUB_PROXY     the pinned configurable-http-proxy
  DCR_HUB_PASSWORD  the demo password of alice, pat and audrey (8 characters or more)
  DCR_DP_URL        the DP query service, started with --hub-api so it trusts hub tokens
  DCR_BRIDGE_COMMAND  the job bridge's command line as a JSON list (without --port); the hub runs it as the
                    managed service `bridge` under /services/bridge/, logging users in with hub OAuth

Each user's server runs as that OS user (LocalProcessSpawner; the hub runs as root), with JupyterLab and the
`dcr-java` kernel, and with the stage-1 environment only: DCR_STAGE=exploration, DCR_DP_URL, and DCR_TOKEN = the
server's own hub API token, which the DP query service maps to the hub user (and charges their budget), and
DCR_BRIDGE_URL, the job bridge for %submit (which checks the same token with the hub). No path to raw data is given,
and the provider's files are root-only.
"""
import json
import os
import pwd
import random
import shutil
import socket
import sys

c = get_config()  # noqa: F821 (provided by JupyterHub)


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        sys.exit(f"jupyterhub_config.py: {name} is not set (start the hub with ./dcr hub start)")
    return value


port = int(env("DCR_HUB_PORT", "8000"))
state = env("DCR_HUB_STATE")
venv = env("DCR_HUB_VENV", sys.prefix)

# Demo users and their roles in the clean room, as JupyterHub groups.
ROLES = {"alice": "scientists", "pat": "providers", "audrey": "auditors"}

# Loopback only: the hub, the proxy's API and the hub's internal API.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = port + 2
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 1}"
c.ConfigurableHTTPProxy.command = [env("DCR_HUB_PROXY", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{os.path.join(state, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
# Servers live as long as the hub: stopping the hub stops them.
c.JupyterHub.cleanup_servers = True

# Embedded default: demo users with one shared demo password (at least 8 characters).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = env("DCR_HUB_PASSWORD")
c.Authenticator.allowed_users = set(ROLES)
c.JupyterHub.load_groups = {
    group: {"users": sorted(u for u, g in ROLES.items() if g == group)}
    for group in ("scientists", "providers", "auditors")
}

# The job bridge, started and stopped by the hub, behind the proxy at /services/bridge/. It learns the hub's API and
# its OAuth client from the JUPYTERHUB_* variables the hub gives it; its web UI logs users in with hub OAuth, and
# the tokens it issues may read the user's groups, which are the user's roles in the bridge.
bridge_port = port + 3
bridge_url = f"http://127.0.0.1:{port}/services/bridge"
c.JupyterHub.services = [{
    "name": "bridge",
    "display": True,
    "url": f"http://127.0.0.1:{bridge_port}",
    "command": json.loads(env("DCR_BRIDGE_COMMAND")) + ["--host", "127.0.0.1", "--port", str(bridge_port)],
    "oauth_client_allowed_scopes": ["read:users:groups!user"],
    # A service of this clean room, not a third party: no "authorize access" page on login.
    "oauth_no_confirm": True,
    "environment": {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
}]
c.JupyterHub.load_roles = [{
    "name": "clean-room-users",
    "description": "The demo users may use the job bridge's web UI",
    "scopes": ["access:services!service=bridge"],
    "groups": ["scientists", "providers", "auditors"],
}]

# Each user's server: JupyterLab as that OS user, dcr-java the default kernel.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [os.path.join(venv, "bin", "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
# No calls out of the clean room from a user's JupyterLab: no news feed, no update check.
c.Spawner.args = ["--MultiKernelManager.default_kernel_name=dcr-java", "--LabApp.news_url=None",
                  "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Stage-1 environment only: nothing from the hub's own environment but the locale.
c.Spawner.env_keep = ["LANG", "LC_ALL", "TZ"]
c.Spawner.environment = {
    "PATH": f"{os.path.join(venv, 'bin')}:/usr/local/bin:/usr/bin:/bin",
    "DCR_STAGE": "exploration",
    "DCR_DP_URL": env("DCR_DP_URL"),
    "DCR_BRIDGE_URL": bridge_url,
    # The server's own hub API token (also its JUPYTERHUB_API_TOKEN): the DP service and the bridge check it with
    # the hub, which answers the user and (scope below) their groups.
    "DCR_TOKEN": lambda spawner: spawner.api_token,
}


def copy_tutorials(spawner):
    """Puts the tutorial notebooks in a new user's home (tutorials/), owned by them; never over their own edits."""
    source = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notebooks")
    user = pwd.getpwnam(spawner.user.name)
    target = os.path.join(user.pw_dir, "tutorials")
    os.makedirs(target, exist_ok=True)
    os.chown(target, user.pw_uid, user.pw_gid)
    for name in sorted(os.listdir(source)):
        if name.endswith(".ipynb") and not os.path.exists(os.path.join(target, name)):
            shutil.copyfile(os.path.join(source, name), os.path.join(target, name))
            os.chown(os.path.join(target, name), user.pw_uid, user.pw_gid)


def port_outside_ephemeral_range():
    """A free loopback port below the kernel's range for outgoing connections and port-0 listeners.

    JupyterHub picks a server's port by binding port 0 and the server binds it seconds later; in that time an
    outgoing connection of anyone on the machine can take a port of that range, and the spawn fails.
    """
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral_low, ephemeral_high = (int(part) for part in f.read().split())
    except (OSError, ValueError):
        ephemeral_low, ephemeral_high = 32768, 60999
    outside = [r for r in (range(10000, ephemeral_low), range(ephemeral_high + 1, 65536)) if len(r) > 100]
    if not outside:
        return 0  # the whole range is ephemeral: JupyterHub's own choice
    reserved = range(port, port + 4)
    rng = random.SystemRandom()
    for _ in range(100):
        candidate = rng.choice(rng.choice(outside))
        if candidate in reserved:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
                return candidate
            except OSError:
                pass
    return 0  # JupyterHub's own choice


def before_spawn(spawner):
    copy_tutorials(spawner)
    spawner.port = port_outside_ephemeral_range()


c.Spawner.pre_spawn_hook = before_spawn
c.Spawner.server_token_scopes = ["access:servers!server", "users:activity!user", "read:users:groups!user"]
