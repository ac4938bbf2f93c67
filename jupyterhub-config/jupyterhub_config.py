"""JupyterHub for the clean room, stage 1 (exploration). Started by `./dcr hub start`, which sets:

  DCR_HUB_PORT      public port of the hub on 127.0.0.1 (the proxy's API uses PORT+1, the hub itself PORT+2)
  DCR_HUB_STATE     folder for the hub's database and cookie secret (root only)
  DCR_HUB_VENV      the venv holding jupyterhub-singleuser, JupyterLab and the dcr-java kernelspec
  DCR_HUB_PROXY     the pinned configurable-http-proxy
  DCR_HUB_PASSWORD  the demo password of alice, pat and audrey (8 characters or more)
  DCR_DP_URL        the DP query service, started with --hub-api so it trusts hub tokens

Each user's server runs as that OS user (LocalProcessSpawner; the hub runs as root), with JupyterLab and the
`dcr-java` kernel, and with the stage-1 environment only: DCR_STAGE=exploration, DCR_DP_URL, and DCR_TOKEN = the
server's own hub API token, which the DP query service maps to the hub user (and charges their budget). No path
to raw data is given, and the provider's files are root-only.
"""
import os
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

# Each user's server: JupyterLab as that OS user, dcr-java the default kernel.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [os.path.join(venv, "bin", "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--MultiKernelManager.default_kernel_name=dcr-java"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Stage-1 environment only: nothing from the hub's own environment but the locale.
c.Spawner.env_keep = ["LANG", "LC_ALL", "TZ"]
c.Spawner.environment = {
    "PATH": f"{os.path.join(venv, 'bin')}:/usr/local/bin:/usr/bin:/bin",
    "DCR_STAGE": "exploration",
    "DCR_DP_URL": env("DCR_DP_URL"),
    # The server's own hub API token (also its JUPYTERHUB_API_TOKEN): the DP service checks it with the hub.
    "DCR_TOKEN": lambda spawner: spawner.api_token,
}
