"""Start-up and round-trip latency of Jupyter kernels, measured the same way for each through
jupyter_client: start = from KernelManager.start_kernel to the first execute_reply of a trivial cell;
round trip = from sending execute_request of a trivial cell to receiving its reply and idle status."""
import argparse
import platform
import statistics
import subprocess
import time

from jupyter_client.manager import KernelManager

KERNELS = [("dcr-java", "1 + 1"), ("dcr-java-cold", "1 + 1"), ("java", "1 + 1"), ("python3", "1 + 1")]
LABELS = {"dcr-java": "dcr-java (ours)", "dcr-java-cold": "dcr-java, cold (no start-up cache)",
          "java": "JJava 1.0a8 (PyPI jjava)", "python3": "ipykernel 7.4.0"}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_cell(kc, code):
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    while True:  # the cell is done for a user when the kernel is idle again
        msg = kc.get_iopub_msg(timeout=60)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return reply


def measure(name, code, starts, cells):
    start_times, trips = [], []
    for i in range(starts):
        km = KernelManager(kernel_name=name)
        began = time.perf_counter()
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        run_cell(kc, code)
        start_times.append(time.perf_counter() - began)
        if i == starts - 1:
            for _ in range(10):  # warm-up, not counted
                run_cell(kc, code)
            for _ in range(cells):
                t = time.perf_counter()
                assert run_cell(kc, code)["content"]["status"] == "ok"
                trips.append(time.perf_counter() - t)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return start_times, trips


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--cells", type=int, default=200)
    args = parser.parse_args()
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    rows = []
    for name, code in KERNELS:
        starts, trips = measure(name, code, args.starts, args.cells)
        rows.append((LABELS[name], statistics.median(starts), percentile(starts, 95),
                     percentile(trips, 50) * 1000, percentile(trips, 95) * 1000))
        print(f"{name}: start p50 {rows[-1][1]:.2f} s, round trip p50 {rows[-1][3]:.1f} ms p95 {rows[-1][4]:.1f} ms", flush=True)
    with open(args.out, "w") as f:
        f.write("# Kernel latency\n\n")
        f.write(f"`./dcr bench kernel`, {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
                f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, {java}. "
                f"Start: kernel process start to the first `execute_reply` of `1 + 1`, {args.starts} starts. "
                f"Round trip: `execute_request` of `1 + 1` to its reply and `idle`, {args.cells} cells after "
                f"10 warm-up cells, one kernel. All driven by jupyter_client in the same run; JJava runs on the same JDK.\n\n")
        f.write("| kernel | start p50 | start p95 | round trip p50 | round trip p95 |\n|---|---|---|---|---|\n")
        for label, s50, s95, r50, r95 in rows:
            f.write(f"| {label} | {s50:.2f} s | {s95:.2f} s | {r50:.1f} ms | {r95:.1f} ms |\n")


if __name__ == "__main__":
    main()
