"""``python3 -m lutmlir ARGS``: the lutc driver with ARGS (``--help`` for its
options). The process becomes the ``lutc`` installed with the package, so
the exit codes are lutc's (0, 1 for errors, 3 for unsupported models)."""
import os
import sys

from ._ext import tool


def main():
    lutc = tool("lutc")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(lutc, ["lutc"] + sys.argv[1:])


if __name__ == "__main__":
    main()
