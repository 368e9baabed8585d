"""Run a Python script (argv[2:]) in this process, then write its peak memory to argv[1] as JSON.

    python bench/measure.py report.json manage.py edition publish 7 --user approver

`self_mb` is this process's peak resident memory, `children_mb` that of its largest child
process (the PDF is rendered in one): getrusage's ru_maxrss, which the kernel keeps per process.
"""

import json
import resource
import runpy
import sys


def main() -> None:
    report, script, *args = sys.argv[1:]
    sys.argv = [script, *args]
    sys.path.insert(0, ".")
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with open(report, "w") as out:
            json.dump({"self_mb": own, "children_mb": children}, out)


if __name__ == "__main__":
    main()
