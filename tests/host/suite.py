"""The result-line protocol of the host test scripts (docs/testing.md):
each script registers its tests with `@suite.test`, fails them with
`suite.Failure` (or any exception: a crash of the code under test is a
failure too), and hands argv to `suite.main`, which runs them -- all, or
the one `test=NAME` names -- printing TEST PASS / TEST FAIL lines and TEST
DONE. Exit status 1 when a test failed.
"""

_TESTS = {}  # module name -> its tests, in order


def test(fn):
    """Register fn as a test of its module (a script imported by another,
    for its helpers, does not add its tests to the importer's run)."""
    _TESTS.setdefault(fn.__module__, []).append(fn)
    return fn


class Failure(Exception):
    pass


def expect_eq(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}: got {actual!r}, want {expected!r}")


def receive_exactly(sock, n):
    """n bytes from the socket, or Failure if the peer ends first."""
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise Failure(f"the connection ended after {len(data)} of {n} bytes")
        data += chunk
    return bytes(data)


def only_test(argv):
    """The NAME of a `test=NAME` argument, or None."""
    return next((a[5:] for a in argv if a.startswith("test=")), None)


def positional(argv, default):
    """The first argument that is not `test=NAME`, or `default`."""
    return next((a for a in argv if not a.startswith("test=")), default)


def main(argv):
    """Run the tests of the script being run (module __main__)."""
    only = only_test(argv)
    failed = False
    for fn in _TESTS.get("__main__", []):
        if only and fn.__name__ != only:
            continue
        try:
            fn()
            print(f"TEST PASS {fn.__name__}", flush=True)
        except Failure as e:
            failed = True
            print(f"TEST FAIL {fn.__name__}: {e}", flush=True)
        except Exception as e:  # the code under test crashed, timed out or failed to start
            failed = True
            print(f"TEST FAIL {fn.__name__}: unexpected {type(e).__name__}: {e}", flush=True)
    print("TEST DONE", flush=True)
    return 1 if failed else 0
