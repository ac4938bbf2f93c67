// The job bridge's web UI: jobs and their timelines, the providers' review queue and output airlock, and the
// auditor's verification page. Plain DOM; every call goes to the REST API (../v1/...). Text from the server is
// always set as textContent.
//
// Signing in: with a token the user pasted (kept in this tab's sessionStorage only), or, where the bridge runs as
// a JupyterHub service, with the session cookie that logging in through the hub leaves. That cookie is HttpOnly,
// so this page never sees it; when the bridge answers 401 login_required, the page goes to ../oauth_login, which
// comes back here logged in.
"use strict";

const API = new URL("../v1/", document.baseURI).href;
const FINAL = ["RELEASED", "REJECTED", "FAILED", "CANCELLED", "TIMED_OUT"];
// Tells the bridge that this page, not another site's form, sends a request signed in by the cookie.
const CSRF = { "X-Requested-With": "dcr-bridge-ui" };
let me = null;
let hubLogin = false; // the bridge logs in through JupyterHub

// ---- talking to the API ----

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, body, contentType) {
  const token = sessionStorage.getItem("dcr.token");
  const headers = { ...CSRF };
  if (token) {
    headers.Authorization = "Bearer " + token;
  }
  if (body !== undefined) {
    headers["Content-Type"] = contentType || "application/json";
  }
  const response = await fetch(API + path, { method, headers, body, credentials: "same-origin" });
  if (!response.ok) {
    let code = "error";
    let message = response.status + " " + response.statusText;
    try {
      const error = await response.json();
      code = error.code;
      message = error.message;
    } catch (ignored) {
      // not JSON: keep the status line
    }
    if (response.status === 401) {
      me = null;
      if (token) {
        sessionStorage.removeItem("dcr.token");
        showSignIn("Your token was not accepted: " + message);
      } else if (code === "login_required") {
        hubLogin = true;
        logInThroughHub();
      } else {
        showSignIn("");
      }
    }
    throw new ApiError(response.status, code, message);
  }
  return response;
}

const getJson = async path => (await call("GET", path)).json();
const postJson = async (path, value) => (await call("POST", path, JSON.stringify(value))).json();

// ---- small DOM helpers ----

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([k, v]) => {
    if (k === "class") {
      node.className = v;
    } else if (k.startsWith("on")) {
      node.addEventListener(k.substring(2), v);
    } else {
      node.setAttribute(k, v);
    }
  });
  children.flat().forEach(c => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return node;
}

function stateBadge(state) {
  return el("span", { class: "state state-" + state.toLowerCase(), "data-state": state }, state.replace("_", " "));
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

function size(bytes) {
  return bytes < 1024 ? bytes + " B" : bytes < 1 << 20 ? (bytes / 1024).toFixed(1) + " KiB" : (bytes / (1 << 20)).toFixed(1) + " MiB";
}

function showError(container, error) {
  container.append(el("p", { class: "error", role: "alert" }, error.message));
}

function isProvider() {
  return me && me.roles.includes("provider");
}

// ---- signing in ----

function showSignIn(reason, hubLogout) {
  document.getElementById("signin").hidden = false;
  document.getElementById("view").hidden = true;
  document.getElementById("nav").hidden = true;
  document.getElementById("hub-login").hidden = !hubLogin;
  document.getElementById("hub-login-link").href = hubLoginUrl();
  document.getElementById("hub-logout").hidden = !hubLogout;
  if (hubLogout) {
    document.getElementById("hub-logout-link").href = new URL(hubLogout, document.baseURI).href;
  }
  document.getElementById("signin-error").textContent = reason || "";
  renderWho();
}

function hubLoginUrl() {
  return new URL("../oauth_login?next=" + encodeURIComponent(location.pathname + location.hash), document.baseURI).href;
}

function logInThroughHub() {
  // At most once a minute: a login that comes back without a session would otherwise go round forever.
  if (Date.now() - Number(sessionStorage.getItem("dcr.hubLoginAt") || 0) < 60000) {
    showSignIn("Logging in through JupyterHub did not sign this page in; try again, or paste a token.");
    return;
  }
  sessionStorage.setItem("dcr.hubLoginAt", String(Date.now()));
  location.assign(hubLoginUrl());
}

async function signOut() {
  routeSeq++; // a page still loading is not drawn after the sign-out
  const pasted = sessionStorage.getItem("dcr.token");
  sessionStorage.removeItem("dcr.token");
  me = null;
  if (pasted) {
    showSignIn("");
    return;
  }
  // Signed in without a token: by the hub login's cookie. Ends the bridge's session and clears the cookie; the
  // hub's own login lasts until its logout page.
  hubLogin = true;
  sessionStorage.setItem("dcr.signedOut", "1");
  try {
    const response = await fetch(new URL("../logout", document.baseURI).href,
      { method: "POST", headers: CSRF, credentials: "same-origin" });
    const answer = await response.json();
    showSignIn(response.ok ? "Signed out of the bridge." : answer.message, response.ok ? answer.hubLogout : null);
  } catch (e) {
    showSignIn("Signing out failed: " + e.message);
  }
}

async function signIn(token) {
  sessionStorage.setItem("dcr.token", token);
  try {
    me = await getJson("me");
    if (location.hash) {
      route();
    } else {
      location.hash = "#/jobs"; // routes through hashchange
    }
  } catch (e) {
    sessionStorage.removeItem("dcr.token");
    document.getElementById("signin-error").textContent = e.message;
  }
}

function renderWho() {
  const who = document.getElementById("who");
  who.replaceChildren();
  if (me) {
    who.append(el("span", { id: "me" }, me.name + " · " + (me.roles.join(", ") || "no role")), " ",
      el("button", { type: "button", class: "link", onclick: () => signOut() }, "Sign out"));
  }
  document.querySelectorAll("[data-role]").forEach(a => {
    a.hidden = !me || !me.roles.includes(a.dataset.role);
  });
}

// ---- pages ----

/** Counts routings: a page whose data arrives after a newer routing began is dropped, not drawn over the newer. */
let routeSeq = 0;

async function route() {
  const seq = ++routeSeq;
  const signin = document.getElementById("signin");
  const shown = document.getElementById("view");
  const view = {
    replaceChildren: (...nodes) => {
      if (seq === routeSeq) {
        shown.replaceChildren(...nodes);
      }
    },
    append: (...nodes) => {
      if (seq === routeSeq) {
        shown.append(...nodes);
      }
    },
  };
  const nav = document.getElementById("nav");
  if (!me) {
    if (!sessionStorage.getItem("dcr.token") && sessionStorage.getItem("dcr.signedOut")) {
      // Signed out on purpose: wait for a click instead of logging straight back in through the hub.
      hubLogin = true;
      showSignIn("");
      return;
    }
    try {
      me = await getJson("me");
      sessionStorage.removeItem("dcr.hubLoginAt");
    } catch (e) {
      if (e.status !== 401 && seq === routeSeq) {
        showSignIn(e.message);
      }
      return;
    }
  }
  if (seq !== routeSeq) {
    return;
  }
  signin.hidden = true;
  shown.hidden = false;
  nav.hidden = false;
  renderWho();
  const [, page, id] = (location.hash || "#/jobs").split("/");
  document.querySelectorAll("[data-nav]").forEach(a => a.classList.toggle("current", a.dataset.nav === page));
  view.replaceChildren(el("p", { class: "loading" }, "Loading…"));
  try {
    if (page === "job" && id) {
      await jobPage(view, id);
    } else if (page === "queue") {
      await listPage(view, "Review queue", "Notebooks waiting for your approval. Read each before you decide.",
        job => job.state === "SUBMITTED" && job.approvalsPending.includes(me.name));
    } else if (page === "airlock") {
      await listPage(view, "Output airlock", "Finished jobs whose outputs wait for your release.",
        job => job.state === "FINISHED" && job.datasets.some(d => job.releasesPending.includes(d.provider)
          && (d.provider === me.name || (d.reviewers || []).includes(me.name)) && !(d.releasedBy || []).includes(me.name)));
    } else if (page === "auditor") {
      await auditorPage(view);
    } else {
      await listPage(view, "Jobs", me.roles.includes("auditor") ? "Every job of the clean room."
        : "Your jobs" + (isProvider() ? ", and the jobs that read your datasets." : "."), () => true);
    }
  } catch (e) {
    view.replaceChildren();
    showError(view, e);
  }
}

async function listPage(view, title, intro, filter) {
  const jobs = (await getJson("jobs?limit=500")).filter(filter);
  const rows = jobs.map(job => el("tr", { "data-job": job.id },
    el("td", {}, el("a", { href: "#/job/" + job.id, class: "job-link" }, job.name)),
    el("td", {}, job.owner),
    el("td", {}, job.datasets.map(d => d.name).join(", ")),
    el("td", {}, stateBadge(job.state)),
    el("td", {}, when(job.submittedAt)),
    el("td", { class: "id" }, job.id)));
  view.replaceChildren(el("h2", {}, title), el("p", {}, intro),
    jobs.length === 0 ? el("p", { class: "empty" }, "Nothing here.")
      : el("table", { class: "jobs" },
        el("thead", {}, el("tr", {}, ["Notebook", "Scientist", "Datasets", "State", "Submitted", "Id"].map(h => el("th", {}, h)))),
        el("tbody", {}, rows)));
}

async function jobPage(view, id) {
  const job = await getJson("jobs/" + encodeURIComponent(id));
  const page = document.getElementById("job-template").content.firstElementChild.cloneNode(true);
  page.querySelector(".job-name").textContent = job.name;
  page.querySelector(".state").replaceWith(stateBadge(job.state));
  page.querySelector(".reason").textContent = job.reason;
  const facts = page.querySelector(".facts");
  const fact = (term, value) => facts.append(el("dt", {}, term), el("dd", {}, value));
  fact("Job", job.id);
  fact("Scientist", job.owner);
  fact("Datasets", job.datasets.map(d => d.name + " (provider " + d.provider + (d.releaseRequired ? ", releases outputs" : "") + ")").join("; "));
  fact("Notebook sha256", job.notebook.sha256);
  if (job.image) {
    fact("Image", job.image.digest);
  }
  if (job.approvalsPending.length) {
    fact("Waiting for approval by", job.approvalsPending.join(", "));
  }
  if (job.releasesPending.length) {
    fact("Waiting for release by", job.releasesPending.join(", "));
  }
  job.datasets.filter(d => d.approvers > 1).forEach(d => fact("Two-person release of " + d.name,
    (d.releasedBy.length ? "released by " + d.releasedBy.join(" and ") : "no release yet") + "; needs " + d.approvers
      + " of " + [d.provider, ...d.reviewers].join(", ") + ", never the scientist who submitted it"));
  job.decisions.forEach(d => fact(d.provider + " · " + d.kind, (d.comment || "(no comment)") + " — " + when(d.at)));
  view.replaceChildren(page);

  actions(page.querySelector(".actions"), job);
  // The bridge says whether this caller may read the run's results now (the airlock's rule is the server's).
  const mayReadOutputs = job.resultsReadable && (job.owner === me.name || releases(job));
  if (mayReadOutputs) {
    await outputs(page.querySelector(".outputs"), job);
  } else if (isProvider() && job.hasReport && releases(job)) {
    const others = job.releasesPending.filter(p => p !== me.name);
    // The submitter's own release reviews nothing (the bridge refuses such jobs; older ones may remain).
    const reviewers = others.filter(p => p !== job.owner);
    page.querySelector(".outputs").append(el("p", { class: "airlock-note" }, "What this run returned may derive from "
      + "other providers' data: you see it once " + (others.join(" and ") || "they") + " released it."
      + (reviewers.length ? " If you release first, you leave the review of the outputs to " + reviewers.join(" and ")
        + "." : "")));
  }
  if (job.resultsReadable) {
    const box = page.querySelector(".verification");
    box.append(el("h3", {}, "Attestation report"),
      el("p", {}, el("button", { type: "button", id: "download-report", onclick: () => download("jobs/" + job.id + "/report", "report.json") }, "Download report.json"),
        " ", el("button", { type: "button", id: "verify-job", onclick: async () => showChecks(box, await getJson("jobs/" + job.id + "/verification")) }, "Verify it here")));
  }
  timeline(page.querySelector(".timeline"), job.id);
  const talk = el("div", { class: "comments" });
  page.querySelector(".timeline").after(talk);
  comments(talk, job, mayReadOutputs);
  if (isProvider() || me.roles.includes("auditor")) {
    const log = el("ol", { class: "audit-log" });
    page.querySelector(".timeline").after(el("h3", {}, "Audit log"), log);
    auditLog(log, job.id);
  }
  notebook(page.querySelector(".notebook"), job.id);
}

/** Comments between the scientist and the providers, on the job or (for who reads the outputs) on one output. */
async function comments(box, job, onOutputs) {
  try {
    const list = await getJson("jobs/" + job.id + "/comments");
    box.replaceChildren(el("h3", {}, "Comments"), el("ol", { class: "comment-list" }, list.map(c =>
      el("li", { "data-comment": String(c.seq) }, el("time", {}, when(c.at)), " ", el("span", { class: "actor" }, c.author),
        c.output ? " on " + c.output : "", ": ", c.body))));
    const mayComment = job.owner === me.name || releases(job);
    if (!mayComment) {
      return;
    }
    const text = el("textarea", { id: "new-comment", rows: "2", cols: "60", placeholder: "Write to the "
      + (job.owner === me.name ? "providers" : "scientist") });
    const on = el("select", { id: "comment-on" }, el("option", { value: "" }, "on the job"));
    if (onOutputs) {
      (await getJson("jobs/" + job.id + "/outputs")).forEach(f => on.append(el("option", { value: f.path }, "on " + f.path)));
    }
    const message = el("p", { class: "error", role: "alert" });
    box.append(text, " ", on, " ", el("button", { type: "button", id: "add-comment", onclick: async () => {
      try {
        await postJson("jobs/" + job.id + "/comments", on.value ? { body: text.value, output: on.value } : { body: text.value });
        comments(box, job, onOutputs);
      } catch (e) {
        message.textContent = e.message;
      }
    } }, "Comment"), message);
  } catch (e) {
    showError(box, e);
  }
}

/** The job's audit entries, oldest first: every action, the output checks' run and what each release was bound to. */
async function auditLog(list, id) {
  try {
    const entries = await getJson("audit?job=" + encodeURIComponent(id));
    list.replaceChildren(...entries.reverse().map(e => el("li", { "data-action": e.action },
      el("time", {}, when(e.at)), " ", el("span", { class: "actor" }, e.actor), " ", e.action, " (", e.outcome, ")",
      e.detail ? ": " + e.detail : "")));
  } catch (e) {
    showError(list, e);
  }
}

function actions(box, job) {
  const comment = el("textarea", { id: "comment", rows: "2", cols: "60", placeholder: "Comment (the scientist reads it; required to reject or withhold)" });
  const message = el("p", { class: "error", role: "alert" });
  const act = (verb, needsComment) => async () => {
    message.textContent = "";
    if (needsComment && !comment.value.trim()) {
      message.textContent = "Say why: the scientist reads your comment.";
      return;
    }
    try {
      await postJson("jobs/" + job.id + "/" + verb, comment.value.trim() ? { comment: comment.value.trim() } : {});
      route();
    } catch (e) {
      message.textContent = e.message;
    }
  };
  const buttons = [];
  if (isProvider() && job.state === "SUBMITTED" && job.approvalsPending.includes(me.name)) {
    buttons.push(el("button", { type: "button", id: "approve", class: "primary", onclick: act("approve", false) }, "Approve"),
      el("button", { type: "button", id: "reject", class: "danger", onclick: act("reject", true) }, "Reject"));
  }
  if (isProvider() && job.state === "FINISHED" && releases(job)) {
    buttons.push(el("button", { type: "button", id: "release", class: "primary", onclick: act("release", false) }, "Release outputs"),
      el("button", { type: "button", id: "withhold", class: "danger", onclick: act("withhold", true) }, "Withhold"));
  }
  if (job.owner === me.name && me.roles.includes("scientist") && !FINAL.includes(job.state) && job.state !== "FINISHED") {
    buttons.push(el("button", { type: "button", id: "cancel", class: "danger", onclick: act("cancel", false) }, "Cancel job"));
  }
  if (buttons.length) {
    box.append(el("h3", {}, "Your decision"), comment, el("p", {}, buttons), message);
  }
}

/** Whether the signed-in provider releases (and so reviews) the outputs of one of the job's datasets. */
function releases(job) {
  return job.datasets.some(d => d.provider === me.name || (d.reviewers || []).includes(me.name));
}

/** The disclosure checks of one output (checks.json), as the reviewer and, after release, the scientist read them. */
function checkCell(check) {
  if (!check) {
    return el("td", {}, "");
  }
  const released = { attested: "released as attested", derivative: "released as a changed copy", withheld: "withheld" }[check.released];
  return el("td", { class: "checks check-" + check.outcome },
    el("strong", {}, check.outcome + " · " + check.type + " · " + released),
    el("ul", {}, check.results.map(r => el("li", { "data-rule": r.rule, class: "rule-" + r.outcome },
      r.rule + ": " + r.outcome + " — " + r.detail))));
}

async function outputs(box, job) {
  const files = await getJson("jobs/" + job.id + "/outputs");
  const checks = await getJson("jobs/" + job.id + "/checks");
  const checkOf = path => checks.outputs.find(o => o.path === path);
  const preview = el("div", { class: "preview" });
  box.append(el("h3", {}, job.state === "RELEASED" ? "Outputs (released)" : "Outputs in the airlock"),
    el("p", {}, "Everything the notebook wrote while it ran on the real data, its printed output included."
      + " Each file's sha256 is the one the attestation report vouches for, or that of the copy the datasets'"
      + " output checks made of it (counts suppressed or rounded): checks.json names both."),
    el("table", { class: "outputs-table" },
      el("thead", {}, el("tr", {}, ["File", "Size", "sha256", "Checks", ""].map(h => el("th", {}, h)))),
      el("tbody", {}, files.map(f => el("tr", { "data-output": f.path },
        el("td", {}, f.path), el("td", {}, size(f.bytes)), el("td", { class: "id" }, f.sha256.substring(0, 16) + "…"),
        checkCell(checkOf(f.path)),
        el("td", {},
          el("button", { type: "button", class: "view-output", onclick: () => view(preview, job.id, f) }, "View"), " ",
          el("button", { type: "button", class: "link", onclick: () => download(outputPath(job.id, f.path), f.path.split("/").pop()) }, "Download")))))),
    preview);
}

function outputPath(id, path) {
  return "jobs/" + id + "/outputs/download?path=" + encodeURIComponent(path);
}

async function view(preview, id, file) {
  const blob = await (await call("GET", outputPath(id, file.path))).blob();
  preview.replaceChildren(el("h4", {}, file.path));
  if (/\.png$/i.test(file.path)) {
    preview.append(el("img", { src: URL.createObjectURL(new Blob([blob], { type: "image/png" })), alt: file.path }));
  } else if (/\.ipynb$/i.test(file.path)) {
    const box = el("div", { class: "notebook" });
    preview.append(box);
    try {
      Notebook.render(JSON.parse(await blob.text()), box);
    } catch (e) {
      box.textContent = "Not a notebook this page can show: " + e.message;
    }
  } else {
    const text = await blob.slice(0, 65536).text();
    preview.append(el("pre", { class: "output-text" }, text + (blob.size > 65536 ? "\n… (" + size(blob.size) + " in all)" : "")));
  }
}

async function download(path, name) {
  const blob = await (await call("GET", path)).blob();
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

async function timeline(list, id) {
  try {
    const events = await getJson("jobs/" + id + "/timeline");
    list.replaceChildren(...events.map(e => el("li", { class: e.to ? "change" : "note" },
      el("time", {}, when(e.at)), " ", e.to ? stateBadge(e.to) : "", " ",
      el("span", { class: "actor" }, e.actor), ": ", e.message)));
  } catch (e) {
    showError(list, e);
  }
}

async function notebook(box, id) {
  try {
    const [text, review] = await Promise.all([
      call("GET", "jobs/" + id + "/notebook").then(r => r.text()), getJson("jobs/" + id + "/review")]);
    Notebook.render(JSON.parse(text), box, review);
    if (review.libraries.length) {
      box.prepend(libraries(review.libraries));
    }
  } catch (e) {
    box.replaceChildren();
    showError(box, e);
  }
}

/** The notebook's own libraries (its %maven lock), which its image will carry: what a provider approves with it. */
function libraries(list) {
  return el("section", { class: "libraries", id: "libraries" },
    el("h4", {}, "Libraries of the notebook's own (" + list.length + " " + (list.length === 1 ? "jar" : "jars")
      + ", in the image as their own layer; stage 2 downloads nothing)"),
    el("table", {},
      el("thead", {}, el("tr", {}, ["Coordinates", "Licence (from its POM)", "New to this deployment", "sha256"].map(h => el("th", {}, h)))),
      el("tbody", {}, list.map(l => el("tr", { class: l.newToDeployment ? "new" : "known" },
        el("td", {}, el("code", {}, l.coordinates)), el("td", {}, l.licence === null ? "not stated in its POM" : l.licence),
        el("td", {}, l.newToDeployment ? "yes: no image here held it yet" : "no"),
        el("td", {}, el("code", { class: "sha" }, l.sha256)))))));
}

function showChecks(box, result) {
  box.querySelectorAll(".checks, .verdict").forEach(n => n.remove());
  box.append(
    el("p", { class: "verdict " + (result.passed ? "pass" : "fail"), id: "verdict" },
      result.passed ? (result.simulated ? "Verified as a SIMULATED run: it proves nothing about a real TEE." : "Verified: every check passed.")
        : "Refused: " + result.checks.filter(c => !c.passed).length + " of " + result.checks.length + " checks failed."),
    el("table", { class: "checks" },
      el("thead", {}, el("tr", {}, ["", "Check", "What it means", "Result"].map(h => el("th", {}, h)))),
      el("tbody", {}, result.checks.map(c => el("tr", { class: c.passed ? "pass" : "fail", "data-check": c.check },
        el("td", {}, c.passed ? "✔" : "✘"), el("td", {}, c.check), el("td", {}, c.description), el("td", {}, c.reason))))),
    el("p", { class: "checks" }, "Keys: " + result.keySource + ". Files: " + result.files + "."));
}

async function auditorPage(view) {
  const jobs = (await getJson("jobs?limit=500")).filter(j => j.resultsReadable);
  const result = el("div", { class: "verification" });
  const select = el("select", { id: "pick-job" }, el("option", { value: "" }, "Pick a job…"),
    jobs.map(j => el("option", { value: j.id }, j.id + " · " + j.name + " · " + j.state)));
  select.addEventListener("change", async () => {
    if (select.value) {
      result.replaceChildren();
      try {
        showChecks(result, await getJson("jobs/" + select.value + "/verification"));
      } catch (e) {
        showError(result, e);
      }
    }
  });
  const file = el("input", { type: "file", id: "report-file", accept: ".json,application/json" });
  file.addEventListener("change", async () => {
    if (!file.files.length) {
      return;
    }
    result.replaceChildren();
    try {
      const response = await call("POST", "verifications", await file.files[0].text());
      showChecks(result, await response.json());
    } catch (e) {
      showError(result, e);
    }
  });
  view.replaceChildren(el("h2", {}, "Verify a report"),
    el("p", {}, "Check a job's attestation report: the signature of the TEE's token, its claims, and that the"
      + " notebook and outputs are the ones the report names. For an independent check, download report.json and run"
      + " ./dcr verify on your own machine."),
    el("p", {}, el("label", {}, "A job on this bridge: ", select)),
    el("p", {}, el("label", {}, "Or a report.json you hold: ", file)),
    result);
}

// ---- start ----

document.getElementById("hub-login-link").addEventListener("click", () => {
  sessionStorage.removeItem("dcr.signedOut");
  sessionStorage.removeItem("dcr.hubLoginAt");
});

document.getElementById("signin-form").addEventListener("submit", event => {
  event.preventDefault();
  const field = document.getElementById("token");
  const token = field.value.trim();
  field.value = ""; // the token stays in sessionStorage only, not in the page
  signIn(token);
});
window.addEventListener("hashchange", route);
route();
