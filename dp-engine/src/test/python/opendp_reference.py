"""Answers questions about OpenDP mechanisms with OpenDP's own Python package, for PythonCrossCheckTest.

Each line on stdin is one request; each gets exactly one line on stdout, numbers separated by spaces
and written with repr() so that Java's Double.parseDouble reads back the very same double:

    map <mechanism> d_in=<distance> <key>=<value> ...   the privacy loss: ε, ρ, or "ε δ"
    sample <noise> n=<count> value=<v> scale=<s>          n independent noisy releases of v

Each mechanism is built exactly as PythonCrossCheckTest builds it through our JNI binding, step for
step, under the same name. A sample is drawn in one call, by the noise measurement on a vector of n
copies of v. That is the same sampler: OpenDP builds noise on a single value as make_vec >> (noise on
a vector) >> index 0 (rust/src/measurements/noise/nature/{float,integer}/mod.rs). One call avoids
Python's per-call overhead (about 0.2 ms a call: 10 s for 50,000 single draws).
Anything wrong ends the script with a message on stderr and a non-zero exit, which the test shows.
"""

import sys
from importlib.metadata import PackageNotFoundError, version

PINNED = "0.16.0"

try:
    found = version("opendp")
except PackageNotFoundError:
    found = None
if found != PINNED:
    has = f"opendp {found}" if found else "no opendp"
    sys.exit(f"{sys.executable} has {has}, but the cross-check needs opendp {PINNED} "
             "(pinned in .ci/requirements-test.txt): run ./dcr test, which installs it")

import opendp.prelude as dp  # noqa: E402 (only once the version is known to be the pinned one)

dp.enable_features("contrib")


def floats(text):
    return [float(v) for v in text.split(",")]


def clamped_sum(p):
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.symmetric_distance()
    return space >> dp.t.then_clamp((float(p["lower"]), float(p["upper"]))) >> dp.t.then_sum()


def laplace_sum(p):
    return clamped_sum(p) >> dp.m.then_laplace(float(p["scale"]), MO="MaxDivergence")


def laplace_count(p):
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.symmetric_distance()
    count = space >> dp.t.then_count(TO="i64")
    return count >> dp.m.then_laplace(float(p["scale"]), MO="MaxDivergence")


def gaussian_sum(p):
    return clamped_sum(p) >> dp.m.then_gaussian(float(p["scale"]), MO="ZeroConcentratedDivergence")


def gaussian_sum_approx(p):
    profile = dp.c.make_zCDP_to_approxDP(gaussian_sum(p))
    return dp.c.make_fix_delta(profile, float(p["delta"]))


def histogram_laplace(p):
    space = dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance()
    counts = space >> dp.t.then_count_by_categories(
        p["categories"].split(","), null_category=True, MO="L1Distance<i64>", TOA="i64")
    return counts >> dp.m.then_laplace(float(p["scale"]), MO="MaxDivergence")


def private_quantile(p):
    atom = dp.atom_domain(T=float, nan=False)
    domain = dp.vector_domain(atom, size=int(p["size"])) if "size" in p else dp.vector_domain(atom)
    return dp.m.make_private_quantile(
        domain, dp.symmetric_distance(), dp.max_divergence(),
        floats(p["candidates"]), float(p["alpha"]), float(p["scale"]))


MECHANISMS = {f.__name__: f for f in (
    laplace_sum, laplace_count, gaussian_sum, gaussian_sum_approx, histogram_laplace, private_quantile)}


def vector_space(T, metric):
    nan = {"nan": False} if T is float else {}
    return dp.vector_domain(dp.atom_domain(T=T, **nan)), metric(T=T)


NOISE = {
    "laplace_f64": (float, lambda s: dp.m.make_laplace(*vector_space(float, dp.l1_distance), s)),
    "laplace_i64": (int, lambda s: dp.m.make_laplace(*vector_space("i64", dp.l1_distance), s)),
    "gaussian_f64": (float, lambda s: dp.m.make_gaussian(*vector_space(float, dp.l2_distance), s)),
}


def numbers(value):
    values = value if isinstance(value, (tuple, list)) else (value,)
    return " ".join(repr(float(v)) for v in values)


def lookup(table, name):
    if name not in table:
        raise ValueError(f"unknown name {name!r}; known: {', '.join(table)}")
    return table[name]


def answer(line):
    verb, name, *pairs = line.split()
    params = dict(pair.split("=", 1) for pair in pairs)
    if verb == "map":
        return numbers(lookup(MECHANISMS, name)(params).map(int(params["d_in"])))
    if verb == "sample":
        T, noise = lookup(NOISE, name)
        value = T(float(params["value"]))
        return numbers(noise(float(params["scale"]))([value] * int(params["n"])))
    raise ValueError(f"unknown verb {verb!r}; use map or sample")


def main():
    for line in sys.stdin:
        if line.strip():
            print(answer(line), flush=True)


if __name__ == "__main__":
    main()
