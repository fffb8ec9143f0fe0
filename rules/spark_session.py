"""The Spark session the spark engine runs on: found or started quietly, with one-line
errors for what the user must fix (no Java, a master that cannot be reached).

``session(master, remote)`` returns the active session when there is one (a program or
test that made its own), else starts one: Spark Connect at ``remote`` (``sc://...``), or
a driver with ``master`` (``local[*]`` unless ``spark-defaults.conf`` names one; Spark
reads it and the ``SPARK_*`` environment itself). A standalone master (``spark://``)
given as ``master`` that accepts no connection is an error at once. The JVM's log lines
go to a file in the temporary folder, not to the terminal; Spark logs at ERROR and shows
no progress bar. Spark's warehouse goes to a temporary folder (removed at exit) unless
configured, never into the current directory.
pyspark is imported only here and in ``rules.spark_engine``, when the engine runs.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from typing import Any

__all__ = ["SparkFailure", "java_missing", "one_line", "session"]

# Settings the engine's SQL relies on: overflow fails the query (ANSI) instead of giving
# NULL, and field names that differ only in case are different columns.
SETTINGS = {"spark.sql.ansi.enabled": "true", "spark.sql.caseSensitive": "true"}
_QUIET_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger", "py4j")
_QUIET = [("spark.ui.showConsoleProgress", "false"), ("spark.ui.enabled", "false")]
_CONNECT_SECONDS = 10
INSTALL_JAVA = ("Spark needs Java 17 or newer: install a JDK or JRE (on Debian or Ubuntu: "
                "apt-get install openjdk-17-jre-headless) or set JAVA_HOME to one")


class SparkFailure(Exception):
    """Spark could not run the job (no Java, no master, a failed job): one line, for the
    user; the command exits 2."""


_JAVA_CLASS = re.compile(r"(?:[\w$]+\.)+[\w$]+(?:Exception|Error): ")


def one_line(error: BaseException) -> str:
    """The first meaningful line of a (Java) error's message, without py4j's wrapper and
    the Java class, and the root cause after it."""
    lines = [line.strip() for line in str(error).splitlines()]
    found = [_JAVA_CLASS.sub("", line.removeprefix(": "), count=1) for line in lines
             if line and not line.startswith(("at ", "JVM stacktrace", "Caused by: ",
                                               "An error occurred while calling "))]
    if not found:
        return type(error).__name__
    causes = [_JAVA_CLASS.sub("", line.removeprefix("Caused by: "), count=1)
              for line in lines if line.startswith("Caused by: ")]
    if causes and causes[-1] != found[0]:
        return f"{found[0]} ({causes[-1]})"[:500]
    return found[0][:500]


def _check_master(master: str) -> None:
    """A standalone master (``spark://host:port,...``) that accepts no connection fails
    at once, not after Spark's minute of retries."""
    if not master.startswith("spark://"):
        return
    why = ""
    for address in master.removeprefix("spark://").split(","):
        host, _, port = address.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=_CONNECT_SECONDS):
                return
        except (OSError, ValueError) as error:
            why = getattr(error, "strerror", None) or str(error)
    raise SparkFailure(f"cannot reach the Spark master at {master}: {why}")


def java_missing() -> bool:
    """Whether no ``java`` can be found where Spark looks (JAVA_HOME, else PATH)."""
    home = os.environ.get("JAVA_HOME")
    if home:
        return not os.access(os.path.join(home, "bin", "java"), os.X_OK)
    return shutil.which("java") is None


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Standard error (the file descriptor, which the JVM inherits) sent to an unnamed
    temporary file while the JVM starts: its log lines then never reach the terminal."""
    saved = os.dup(2)
    with tempfile.TemporaryFile(prefix="ladle-spark-") as log:
        try:
            os.dup2(log.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def session(master: str | None = None, remote: str | None = None) -> Any:
    """The SparkSession to route with (see the module's doc); raises ``SparkFailure``."""
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None and remote is None:
        _configure(active)
        return active
    if remote is None and java_missing():
        raise SparkFailure(INSTALL_JAVA)
    if master is not None:
        _check_master(master)
    builder: Any = SparkSession.builder
    try:
        with _quiet_stderr():
            if remote is not None:
                spark = builder.appName("ladle").remote(remote).getOrCreate()
            else:
                from pyspark import SparkConf, SparkContext

                conf = SparkConf().setAppName("ladle").setAll(_QUIET)
                if master is not None:
                    conf.setMaster(master)
                # the JVM starts here: it reads spark-defaults.conf (local[*] unless that
                # names a master) and the SPARK_* environment
                context = SparkContext.getOrCreate(conf)
                context.setLogLevel("ERROR")
                for key, value in _scratch(context.getConf()).items():
                    builder = builder.config(key, value)
                spark = builder.getOrCreate()
    except SparkFailure:
        raise
    except Exception as error:
        if java_missing():
            raise SparkFailure(INSTALL_JAVA) from None
        where = remote or master or "the master spark-defaults.conf names (else local[*])"
        raise SparkFailure(f"cannot start Spark at {where}: {one_line(error)}") from None
    _configure(spark)
    return spark


def _scratch(configured: Any) -> dict[str, str]:
    """Spark's warehouse (which it makes in the current directory by default, at its
    first SQL) in a temporary folder, unless the user configured one."""
    if configured.contains("spark.sql.warehouse.dir"):
        return {}
    folder = tempfile.mkdtemp(prefix="ladle-spark-")
    atexit.register(shutil.rmtree, folder, True)
    return {"spark.sql.warehouse.dir": os.path.join(folder, "warehouse")}


def _configure(spark: Any) -> None:
    try:
        for key, value in SETTINGS.items():
            spark.conf.set(key, value)
    except Exception as error:
        raise SparkFailure(f"Spark is not reachable: {one_line(error)}") from None
