"""Protocol conformance of dcr-java with the pinned jupyter_kernel_test, and the behaviours a
notebook user relies on: interrupt, System.exit in a cell, restart."""
import time
import unittest

import jupyter_kernel_test

# The library waits 15 s for a reply; the first chart of a fresh JVM (AWT and fonts) can take longer on a loaded
# machine.
jupyter_kernel_test.TIMEOUT = 60


class DcrJavaKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "dcr-java"
    language_name = "Java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("oops");'
    code_execute_result = [
        {"code": "6*7", "result": "42"},
        {"code": "Math.max(2, 3)", "result": "3"},
        {"code": "int x = 20;\nx + 1", "result": "21"},
    ]
    code_display_data = [
        {"code": 'display(Table.create("t", IntColumn.create("a", 1, 2)));', "mime": "text/html"},
        {"code": 'display(Charts.bar(Map.of("a", 1, "b", 2), "counts"));', "mime": "image/png"},
    ]
    code_generate_error = 'throw new IllegalStateException("expected");'
    completion_samples = [
        {"text": "System.out.prin", "matches": {"print(", "printf(", "println("}},
        {"text": "%bud", "matches": {"budget"}},
        {"text": "%ti", "matches": {"time"}},
        # Members of the SDK's and tablesaw's objects, as an IDE completes them.
        {"text": "Dcr.data", "matches": {"dataset(", "datasets()"}},
        {"text": 'Table.create("t").rowC', "matches": {"rowCount()"}},
    ]
    complete_code_samples = ["1+1", "int y = 1;", "for (int i = 0; i < 2; i++) { }", "%help"]
    incomplete_code_samples = ["for (int i = 0; i < 2; i++) {", "int twice(int a) {", "String s = \"a\" +"]
    invalid_code_samples = ["int y = 1;)", "}"]
    code_inspect_sample = "System.out.println"
    code_history_pattern = "6*"
    supported_history_operations = ("tail", "range", "search")

    def execute_helper(self, code, timeout=jupyter_kernel_test.TIMEOUT, silent=False, store_history=True,
                       stop_on_error=True):
        """The library's helper, but waiting up to IOPUB_GAP (not 0.1 s) between the iopub messages that
        follow the reply: on a loaded 2-core machine the idle status can trail the reply by more than
        0.1 s. Every message and its order are still checked as the library checks them."""
        msg_id = self.kc.execute(code=code, silent=silent, store_history=store_history,
                                 stop_on_error=stop_on_error)
        reply = self.get_non_kernel_info_reply(timeout=timeout)
        jupyter_kernel_test.validate_message(reply, "execute_reply", msg_id)
        busy = self.kc.get_iopub_msg(timeout=IOPUB_GAP)
        jupyter_kernel_test.validate_message(busy, "status", msg_id)
        self.assertEqual(busy["content"]["execution_state"], "busy")
        outputs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=IOPUB_GAP)
            jupyter_kernel_test.validate_message(msg, msg["msg_type"], msg_id)
            if msg["msg_type"] == "status":
                self.assertEqual(msg["content"]["execution_state"], "idle")
                break
            if msg["msg_type"] == "execute_input":
                self.assertEqual(msg["content"]["code"], code)
                continue
            outputs.append(msg)
        return reply, outputs


IOPUB_GAP = 5


def execute(kc, code, timeout=30):
    """Runs a cell; returns (reply content, list of iopub output messages)."""
    msg_id = kc.execute(code)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        if msg["msg_type"] in ("stream", "execute_result", "display_data", "error"):
            outputs.append(msg)
    return reply_to(kc, msg_id, timeout)["content"], outputs


def reply_to(kc, msg_id, timeout=10):
    """The shell reply to one request (start-up may leave extra kernel_info replies queued)."""
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def wait_until_running(kc, msg_id, timeout=30):
    """Returns once the kernel has taken up the request (its execute_input), and a moment more for the cell to start.

    An interrupt that arrives before the kernel took up a cell finds nothing to stop, as in ipykernel.
    """
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
            time.sleep(0.5)
            return


def test_interrupt_ends_a_busy_loop(kernel):
    km, kc = kernel
    execute(kc, "int kept = 7;")
    msg_id = kc.execute("while (true) { }")
    wait_until_running(kc, msg_id)
    started = time.monotonic()
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id)
    elapsed = time.monotonic() - started
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "Interrupted"
    # Under 2 s in every run so far; the bound leaves room for a loaded machine.
    assert elapsed < 8.0, f"interrupt took {elapsed:.2f} s"
    content, outputs = execute(kc, "kept")
    assert content["status"] == "ok"
    assert outputs[-1]["content"]["data"]["text/plain"] == "7"


def test_interrupt_ends_a_sleeping_cell(kernel):
    km, kc = kernel
    execute(kc, "int warm = 1;")
    msg_id = kc.execute("Thread.sleep(60_000);")
    wait_until_running(kc, msg_id)
    started = time.monotonic()
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id)
    assert reply["content"]["status"] == "error"
    assert time.monotonic() - started < 8.0, "the interrupt, not the 60 s sleep, ended the cell"


def test_system_exit_in_a_cell_is_refused_with_a_message_and_the_kernel_lives_on(kernel):
    km, kc = kernel
    execute(kc, "int kept = 3;")
    content, outputs = execute(kc, "System.exit(0);")
    assert content["status"] == "error"
    assert content["ename"] == "SystemExit"
    assert "System.exit(0)" in content["evalue"] and "Restart" in content["evalue"]
    assert km.is_alive()
    content, outputs = execute(kc, "kept * 2")
    assert outputs[-1]["content"]["data"]["text/plain"] == "6"


def test_restart_gives_a_fresh_session(kernel):
    km, kc = kernel
    execute(kc, "int before = 1;")
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=60)
    content, _ = execute(kc, "before")
    assert content["status"] == "error"
    content, outputs = execute(kc, "1 + 1")
    assert outputs[-1]["content"]["data"]["text/plain"] == "2"


def test_error_traceback_names_the_cell_and_line_without_jshell_frames(kernel):
    _, kc = kernel
    content, outputs = execute(kc, "int depth(int d) {\n  if (d == 0) throw new ArithmeticException(\"bottom\");\n  return depth(d - 1);\n}")
    content, outputs = execute(kc, "int z = 1;\ndepth(2);")
    assert content["status"] == "error"
    traceback = "\n".join(content["traceback"])
    assert content["ename"] == "java.lang.ArithmeticException"
    assert "at depth (cell [" in traceback and "line 2)" in traceback
    assert "jdk.jshell" not in traceback and "jdk.internal" not in traceback


def test_unknown_magic_says_which_magics_exist(kernel):
    _, kc = kernel
    content, _ = execute(kc, "%frobnicate")
    assert content["status"] == "error"
    assert "Unknown magic %frobnicate" in content["evalue"] and "%datasets" in content["evalue"]


def test_submit_without_a_job_bridge_says_so(kernel):
    _, kc = kernel
    content, _ = execute(kc, "%submit")
    assert content["status"] == "error"
    assert "No job bridge configured" in content["evalue"]


def test_progress_bar_updates_in_place(kernel):
    _, kc = kernel
    code = ('var progress = Dcr.progress("steps", 3);\n'
            'for (int i = 0; i < 3; i++) { Thread.sleep(150); progress.step(); }\n'
            'progress.done();')
    msg_id = kc.execute(code)
    shown = []
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        if msg["msg_type"] in ("display_data", "update_display_data"):
            jupyter_kernel_test.validate_message(msg, msg["msg_type"], msg_id)
            shown.append(msg)
    assert reply_to(kc, msg_id)["content"]["status"] == "ok"
    first, updates = shown[0], shown[1:]
    assert first["msg_type"] == "display_data", [m["msg_type"] for m in shown]
    display_id = first["content"]["transient"]["display_id"]
    assert first["content"]["data"]["text/plain"].startswith("steps [......"), first["content"]["data"]
    assert "<progress" in first["content"]["data"]["text/html"]
    # One output, updated: every later message replaces it (update_display_data with its display id).
    assert len(updates) >= 2, [m["msg_type"] for m in shown]
    for update in updates:
        assert update["msg_type"] == "update_display_data", update
        assert update["content"]["transient"]["display_id"] == display_id
    texts = [u["content"]["data"]["text/plain"] for u in updates]
    assert texts[-1] == "steps [" + "#" * 30 + "] 3/3 (100%) done", texts
    assert any("1/3" in t or "2/3" in t for t in texts[:-1]), texts


if __name__ == "__main__":
    unittest.main()
