"""The tour of test_tour.py in headless Chromium, through the UIs a person uses: alice in JupyterLab (run the tutorial
on synthetic rows, %submit, later %outputs), pat in the job bridge's web UI (review, approve, look into the airlock,
release), audrey in the same UI (verify the report). Every login goes through the hub's login page; the bridge's UI
logs in with hub OAuth.

Screenshots go to jupyterhub-config/target/screenshots/ (the README's walkthrough shows copies of them from
docs/screenshots/). Started by `./dcr test` as root.
"""
import json
import os
import re
import shutil
import tempfile
import time

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ROOT, RUN_TIMEOUT, await_state, login

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub runs each user's server as that OS user: needs root")

SHOTS = os.path.join(ROOT, "jupyterhub-config", "target", "screenshots")
NOTEBOOK = "tour/insurance-regression.ipynb"


class Person:
    """One person's browser: its own Chromium profile, so cookies (hub login, bridge session) are theirs alone."""

    def __init__(self, hub, name):
        self.hub, self.name = hub, name
        self.profile = tempfile.mkdtemp(prefix=f"dcr-chromium-{name}-")
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                     f"--user-data-dir={self.profile}", "--window-size=1400,1000"):
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                                       options=options)
        self.wait = WebDriverWait(self.driver, 120)

    def log_in(self):
        d = self.driver
        d.get(f"{self.hub['url']}/hub/login")
        self.wait.until(EC.presence_of_element_located((By.ID, "username_input"))).send_keys(self.name)
        d.find_element(By.ID, "password_input").send_keys(self.hub["password"])
        d.find_element(By.ID, "login_submit").click()
        self.wait.until(lambda driver: "/hub/login" not in driver.current_url)

    def find(self, css, timeout=120):
        return WebDriverWait(self.driver, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

    def click(self, css):
        WebDriverWait(self.driver, 120).until(EC.element_to_be_clickable((By.CSS_SELECTOR, css))).click()

    def await_text(self, css, text, timeout=120):
        """The text of the first element matching css that contains text, once there is one. The UIs re-render
        while they update, so an element read a moment ago may be gone: that counts as not yet."""
        def found(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                content = element.text
                if text in content:
                    return content
            return None

        try:
            return WebDriverWait(self.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(found)
        except TimeoutException:
            self.shot(f"failed-{self.name}")
            raise AssertionError(f"{self.name}: no {text!r} in {css} within {timeout} s; page: "
                                 f"{self.driver.find_element(By.TAG_NAME, 'body').text[-2000:]}")

    def shot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        path = os.path.join(SHOTS, f"{name}.png")
        self.driver.save_screenshot(path)
        return path

    def close(self):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


class JupyterLab:
    """alice's JupyterLab, driven as a person would: menus, cells, Shift+Enter."""

    def __init__(self, person):
        self.p = person

    def open(self, path):
        self.p.driver.get(f"{self.p.hub['url']}/user/{self.p.name}/lab/tree/{path}")
        self.p.find(".jp-Notebook .jp-Cell")
        # Cells run in order once the kernel is up, so "Run All" may be asked while it still starts.
        self.p.await_text(".jp-NotebookPanel-toolbar", "Java (clean room)")

    def run_all(self, cells):
        """Runs every cell from the first, as Shift+Enter on each would (markdown cells render)."""
        self.p.driver.find_element(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell .jp-InputArea-prompt").click()
        for _ in range(cells):
            self.p.driver.switch_to.active_element.send_keys(Keys.SHIFT, Keys.ENTER)
            time.sleep(0.3)

    def save(self):
        self.p.driver.switch_to.active_element.send_keys(Keys.ESCAPE, Keys.CONTROL, "s")

    def add_cell(self, source):
        """Appends a code cell at the end and runs it, as Esc, B, Enter, typing and Shift+Enter would."""
        d = self.p.driver
        cells = d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")
        cells[-1].find_element(By.CSS_SELECTOR, ".jp-InputArea-prompt").click()
        d.switch_to.active_element.send_keys(Keys.ESCAPE, "b")
        WebDriverWait(d, 30).until(
            lambda driver: len(driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")) == len(cells) + 1)
        d.switch_to.active_element.send_keys(Keys.ENTER)
        # Typed in command mode, the letters of the source would be shortcuts: wait until the editor has the focus.
        WebDriverWait(d, 30).until(lambda driver: driver.execute_script(
            "const a = document.activeElement; return !!(a && a.closest('.cm-editor'));"))
        d.switch_to.active_element.send_keys(source)
        d.switch_to.active_element.send_keys(Keys.SHIFT, Keys.ENTER)


def upload(hub, user, token, path, document):
    """Puts the current tutorial in the user's home (a home kept from an earlier run may hold an older copy)."""
    h = {"Authorization": f"token {token}"}
    base = f"{hub['url']}/user/{user}/api/contents/"
    requests.put(base + os.path.dirname(path), json={"type": "directory"}, headers=h, timeout=60)
    r = requests.put(base + path, json={"type": "notebook", "format": "json", "content": document}, headers=h, timeout=60)
    assert r.status_code in (200, 201), r.text


def test_the_tour_in_a_browser(hub):
    with open(os.path.join(ROOT, "notebooks", os.path.basename(NOTEBOOK))) as f:
        document = json.load(f)
    alice, pat, audrey = Person(hub, "alice"), Person(hub, "pat"), Person(hub, "audrey")
    try:
        # alice logs in; the hub starts her JupyterLab (as the OS user alice) with the tutorials in her home.
        alice.log_in()
        alice.wait.until(lambda d: "/user/alice/" in d.current_url)
        upload(hub, "alice", login(hub, "alice"), NOTEBOOK, document)
        lab = JupyterLab(alice)
        lab.open(NOTEBOOK)
        lab.run_all(len(document["cells"]))
        metrics = alice.await_text(".jp-OutputArea-output", "rmse_linear", timeout=RUN_TIMEOUT)
        assert '"view": "synthetic"' in metrics or "synthetic" in metrics, metrics
        alice.shot("1-alice-stage1")
        lab.save()
        time.sleep(1)
        lab.add_cell("%submit")
        submitted = alice.await_text(".jp-OutputArea-output", "as job job-")
        job_id = re.search(r"(job-[a-z2-7]{16})", submitted).group(1)
        alice.shot("2-alice-submits")

        # pat opens the bridge's UI (a hub service), which logs him in with hub OAuth; he reviews and approves.
        pat.log_in()
        pat.driver.get(hub["bridge"] + "ui/")
        pat.await_text("#me", "pat")
        pat.click("[data-nav=queue]")
        pat.click(f"tr[data-job='{job_id}'] a.job-link")
        pat.await_text(".cell-code pre", 'Dcr.dataset("insurance")')
        pat.find("#comment").send_keys("Reads the policy's columns; outputs are aggregates.")
        pat.shot("3-pat-reviews")
        pat.click("#approve")
        await_state(hub, login(hub, "pat"), job_id, "FINISHED")

        # pat looks at the outputs in the airlock, then releases them.
        pat.click("[data-nav=airlock]")
        pat.click(f"tr[data-job='{job_id}'] a.job-link")
        pat.click("tr[data-output='outputs/metrics.json'] .view-output")
        pat.await_text(".preview .output-text", "rmse_linear")
        pat.shot("4-pat-airlock")
        pat.click("#release")
        pat.await_text(".job h2 .state", "RELEASED")
        pat.shot("5-pat-released")

        # audrey verifies the report in the bridge's auditor view.
        audrey.log_in()
        audrey.driver.get(hub["bridge"] + "ui/")
        audrey.await_text("#me", "audrey")
        audrey.click("[data-nav=auditor]")
        audrey.find("#pick-job")
        Select(audrey.find("#pick-job")).select_by_value(job_id)
        verdict = audrey.await_text("#verdict", "Verified", timeout=300)
        assert "SIMULATED" in verdict, verdict
        audrey.shot("6-audrey-verifies")

        # alice fetches the released outputs into her notebook's folder.
        lab.add_cell(f"%outputs {job_id}")
        fetched = alice.await_text(".jp-OutputArea-output", "report.json")
        assert "rmse_linear" in fetched, fetched
        alice.shot("7-alice-outputs")
    finally:
        for person in (alice, pat, audrey):
            person.close()
