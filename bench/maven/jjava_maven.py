"""JJava's %maven for the same coordinates as MavenBench, in the same run: cold (JJava's local Maven repository
empty) and warm (a new JJava kernel on the same repository), each the best of the rounds, timed from execute_request
to execute_reply. A reply whose status is not ok is a failure, never a time.

JJava resolves through MIMA, whose local repository is ${user.home}/.m2/repository; each round gives the kernel's JVM
a fresh empty user.home through JJAVA_JVM_OPTS (the options JJava's launcher passes to the kernel's JVM), so the
machine's ~/.m2 is neither read nor filled. Writes the numbers as a Java properties file for MavenBench to merge."""
import argparse
import importlib.metadata
import os
import pathlib
import shutil
import tempfile
import time

from jupyter_client.manager import KernelManager

REPLY_TIMEOUT_S = 600  # a cold resolution on a slow link; a kernel that never answers fails the bench


def run_cell(kc, code):
    """Sends one cell and returns (seconds from execute_request to execute_reply, the reply), then waits for idle."""
    began = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=REPLY_TIMEOUT_S)
        if reply["parent_header"].get("msg_id") == msg_id:
            seconds = time.perf_counter() - began
            break
    while True:
        msg = kc.get_iopub_msg(timeout=REPLY_TIMEOUT_S)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return seconds, reply


def timed_maven(home, coordinates):
    """Starts a JJava kernel whose user.home is `home`, warms JShell with a trivial cell (kernel start-up is not
    %maven's time, as MavenBench does not count ours), and times `%maven coordinates`."""
    km = KernelManager(kernel_name="java")
    km.start_kernel(env={**os.environ, "JJAVA_JVM_OPTS": f"-Duser.home={home}"})
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        _, reply = run_cell(kc, "1 + 1")
        check(reply, "1 + 1")
        seconds, reply = run_cell(kc, f"%maven {coordinates}")
        check(reply, f"%maven {coordinates}")
        return seconds
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def check(reply, code):
    content = reply["content"]
    if content["status"] != "ok":
        raise SystemExit(f"JJava failed '{code}': {content.get('ename')}: {content.get('evalue')}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--coordinates", required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    cold, warm, jars, jar_bytes = float("inf"), float("inf"), 0, 0
    for round_number in range(1, args.rounds + 1):
        home = pathlib.Path(tempfile.mkdtemp(prefix="jjava-maven-home."))
        try:
            cold = min(cold, timed_maven(home, args.coordinates))
            downloaded = sorted((home / ".m2" / "repository").rglob("*.jar"))
            if not downloaded:  # the resolution went somewhere else: the cold time would not be a cold time
                raise SystemExit(f"JJava's %maven put no jar under {home}/.m2/repository; its cache is elsewhere")
            jars, jar_bytes = len(downloaded), sum(f.stat().st_size for f in downloaded)
            warm = min(warm, timed_maven(home, args.coordinates))
        finally:
            shutil.rmtree(home, ignore_errors=True)
        print(f"JJava round {round_number}: %maven cold {cold:.2f} s, warm {warm:.2f} s", flush=True)
    pathlib.Path(args.out).write_text(
        f"jjava_maven_cold_s={cold:.3f}\njjava_maven_warm_s={warm:.3f}\n"
        f"jjava_jars={jars}\njjava_jar_bytes={jar_bytes}\n"
        f"jjava_version={importlib.metadata.version('jjava')}\n")


if __name__ == "__main__":
    main()
