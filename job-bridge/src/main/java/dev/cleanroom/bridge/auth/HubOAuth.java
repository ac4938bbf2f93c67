package dev.cleanroom.bridge.auth;

import java.net.URI;

/**
 * The bridge as an OAuth client of JupyterHub, so that the web UI logs users in through the hub instead of asking
 * for a pasted token. A hub-managed service gets all of it from its environment: {@code JUPYTERHUB_CLIENT_ID},
 * {@code JUPYTERHUB_API_TOKEN} (which is also the client secret), {@code JUPYTERHUB_HOST} and
 * {@code JUPYTERHUB_BASE_URL} (where browsers reach the hub), {@code JUPYTERHUB_OAUTH_CALLBACK_URL}.
 *
 * @param clientId the hub's name for this client, such as {@code service-bridge}
 * @param clientSecret the hub API token of the service; never printed
 * @param hubUrl where a browser reaches the hub, ending in {@code /}: {@code /} behind the hub's own proxy, or
 *     {@code https://hub.example.org/}
 * @param callbackUrl the redirect URI registered with the hub, such as {@code /services/bridge/oauth_callback}
 */
public record HubOAuth(String clientId, String clientSecret, String hubUrl, String callbackUrl) {
  public HubOAuth {
    if (clientId == null || clientId.isBlank() || clientSecret == null || clientSecret.isBlank()) {
      throw new IllegalArgumentException("hub OAuth needs a client id and a client secret (the service's hub API token)");
    }
    if (!hubUrl.endsWith("/")) {
      hubUrl = hubUrl + "/";
    }
  }

  /** The path of the callback URL: the bridge serves it there. */
  public String callbackPath() {
    return URI.create(callbackUrl).getPath();
  }

  /** Where the browser is sent to log in: the hub's authorize endpoint (relative to the page when the hub URL is). */
  public String authorizeUrl() {
    return hubUrl + "hub/api/oauth2/authorize";
  }

  /** The hub's own logout page, which ends the user's hub session too. */
  public String hubLogoutUrl() {
    return hubUrl + "hub/logout";
  }

  @Override
  public String toString() {
    return "HubOAuth[clientId=" + clientId + ", hubUrl=" + hubUrl + ", callbackUrl=" + callbackUrl + "]";
  }
}
