"""A person's view: JupyterLab in headless Chromium opens a notebook with the dcr-java kernel, runs its
cells, and shows a table, a chart and a progress bar that updates in place. Saves a screenshot under the test's
output folder."""
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import output_dir

CELLS = [
    'Table t = Table.create("demo", IntColumn.create("x", 1, 2, 3, 4), DoubleColumn.create("y", 1.5, 2.5, 0.5, 3.0));\nt',
    'Charts.scatter(t, "x", "y")',
    'var progress = Dcr.progress("loading", 4);\nfor (int i = 0; i < 4; i++) { Thread.sleep(300); progress.step(); }\n'
    'progress.done();',
]


def free_port():
    """A free port below 32768, out of the range where outgoing connections could take it before JupyterLab binds."""
    for candidate in random.SystemRandom().sample(range(10000, 32768), 50):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
                return candidate
            except OSError:
                pass
    raise RuntimeError("no free port below 32768")


def write_notebook(path):
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": src, "execution_count": None, "outputs": []}
             for i, src in enumerate(CELLS)]
    nb = {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
          "metadata": {"kernelspec": {"name": "dcr-java", "display_name": "Java (clean room)", "language": "java"}}}
    with open(path, "w") as f:
        json.dump(nb, f)


def wait_for_server(url, deadline):
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise TimeoutError("JupyterLab did not start")


def test_jupyterlab_shows_a_table_a_chart_and_a_progress_bar_from_dcr_java():
    out = output_dir()
    root = tempfile.mkdtemp(prefix="dcr-lab-")
    profile = tempfile.mkdtemp(prefix="dcr-chromium-")
    write_notebook(os.path.join(root, "ui.ipynb"))
    port, token = free_port(), "dcr-ui-test"
    lab_log = open(os.path.join(out, "jupyterlab.log"), "w")
    lab = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
                            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                            "--LabApp.extension_manager=readonly", "--ServerApp.port_retries=0"],
                           stdout=lab_log, stderr=subprocess.STDOUT)
    driver = None
    try:
        wait_for_server(f"http://127.0.0.1:{port}/api/status?token={token}", time.time() + 90)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                     f"--user-data-dir={profile}", "--window-size=1400,1000"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
        driver.get(f"http://127.0.0.1:{port}/lab/tree/ui.ipynb?token={token}")
        wait = WebDriverWait(driver, 120)
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")))
        # The kernel is idle once its status reads so; then run every cell from the first.
        wait.until(lambda d: "Java (clean room)" in d.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel-toolbar").text)
        first = driver.find_element(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell .jp-InputArea-prompt")
        first.click()
        for _ in CELLS:
            driver.switch_to.active_element.send_keys(Keys.SHIFT, Keys.ENTER)
            time.sleep(0.5)
        table = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".jp-OutputArea-output table")))
        chart = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".jp-OutputArea-output img")))
        wait.until(lambda d: chart.get_attribute("naturalWidth") not in (None, "0"))
        assert "demo" in driver.find_element(By.CSS_SELECTOR, ".jp-Notebook").text
        assert "x" in table.text and "2.5" in table.text
        # The bar's updates replace its one output (update_display_data): one <progress>, at its end.
        wait.until(lambda d: "4/4 done" in d.find_element(By.CSS_SELECTOR, ".dcr-progress").text)
        bars = driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output progress")
        assert len(bars) == 1, f"{len(bars)} progress bars"
        assert bars[0].get_attribute("value") == "4" and bars[0].get_attribute("max") == "4"
        time.sleep(0.5)
        driver.save_screenshot(os.path.join(out, "jupyterlab.png"))
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", bars[0])
        time.sleep(0.5)
        driver.save_screenshot(os.path.join(out, "jupyterlab-progress.png"))
    finally:
        if driver is not None:
            driver.save_screenshot(os.path.join(out, "jupyterlab-last.png"))
            driver.quit()
        lab.terminate()
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.kill()
        lab_log.close()
        shutil.rmtree(profile, ignore_errors=True)
