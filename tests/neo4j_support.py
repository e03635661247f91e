"""A real Neo4j server for the tests: Neo4j Community 5.26 embedded, with Bolt on 127.0.0.1.

The server is a small Java launcher (tests/neo4j_server/) built from Maven Central by
``build.sh``; this module builds it and runs it as a child process::

    build()                                   # raises Neo4jUnavailable if java/mvn missing
    server = Neo4jServer(tmp_path / "neo4j", password="s3cret")
    server.start()                            # waits until the driver can RETURN 1
    ... neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", "s3cret")) ...
    server.kill(); server.restart()           # crash and recover, same home and port
    server.stop()

The password goes to the child through its environment only (never argv, never logged).
The child's output goes to ``<home>/launcher.log``; Neo4j's own log is
``<home>/logs/debug.log``. The child also stops when its stdin closes, so a test process
that dies does not leave a server running.

Stdlib plus the ``neo4j`` driver only; no pytest import.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Self

SERVER_DIR = Path(__file__).resolve().parent / "neo4j_server"
BUILD_SCRIPT = SERVER_DIR / "build.sh"
JAR = SERVER_DIR / "target" / "kg-neo4j-testserver.jar"

# Small heap: the machine has 2 cores and tests run beside the server. Page cache is set
# to 256 MiB inside the launcher (off-heap). The --add-opens and -D flags are the ones
# Neo4j's own start script uses on Java 17; without java.nio Neo4j logs a warning and
# uses a slower page cache fallback. C1 only (TieredStopAtLevel=1): ~2 s faster start and
# faster on short test workloads than waiting for C2 to warm up.
JVM_OPTS = [
    "-Xms256m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:TieredStopAtLevel=1",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dlog4j2.disable.jmx=true",
]

USER = "neo4j"


class Neo4jUnavailable(RuntimeError):
    """A Neo4j server cannot be built or started here; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def build() -> None:
    """Build the launcher (fast no-op when already built and unchanged)."""
    for tool in ("java", "mvn", "bash"):
        if shutil.which(tool) is None:
            raise Neo4jUnavailable(
                f"'{tool}' not found on PATH; needed to build {SERVER_DIR}"
            )
    try:
        proc = subprocess.run(
            ["bash", str(BUILD_SCRIPT)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=1800,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise Neo4jUnavailable(f"{BUILD_SCRIPT} timed out after 1800 s") from None
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-40:])
        raise Neo4jUnavailable(
            f"{BUILD_SCRIPT} failed (exit {proc.returncode}):\n{tail}"
        )
    if not JAR.is_file():
        raise Neo4jUnavailable(f"{BUILD_SCRIPT} succeeded but {JAR} is missing")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Neo4jServer:
    """One Neo4j server process on 127.0.0.1, its data kept in ``home`` across restarts."""

    def __init__(
        self, home: Path, port: int | None = None, password: str | None = None
    ) -> None:
        self.home = Path(home).resolve()
        self._port = port
        self._password = password or None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._ready = threading.Event()

    def __repr__(self) -> str:  # no password here
        return f"Neo4jServer(home={str(self.home)!r}, port={self._port}, auth={self._password is not None})"

    # --- properties -------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("port not chosen yet; call start() first")
        return self._port

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def auth(self) -> tuple[str, str] | None:
        """What to pass as ``auth=`` to ``neo4j.GraphDatabase.driver``."""
        return (USER, self._password) if self._password is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int:
        """The server's process id (the JVM), while it runs."""
        if self._proc is None:
            raise RuntimeError("the server is not running")
        return self._proc.pid

    @property
    def log_path(self) -> Path:
        return self.home / "launcher.log"

    @property
    def debug_log_path(self) -> Path:
        return self.home / "logs" / "debug.log"

    # --- lifecycle ----------------------------------------------------------------------

    def start(self, timeout: float = 120) -> None:
        """Launch the server and wait until ``RETURN 1`` works through the driver."""
        if self.running:
            raise RuntimeError(f"{self!r} is already running")
        self._cleanup()
        if not JAR.is_file():
            raise Neo4jUnavailable(f"{JAR} not built; call neo4j_support.build() first")
        java = shutil.which("java")
        if java is None:
            raise Neo4jUnavailable("'java' not found on PATH")
        self.home.mkdir(parents=True, exist_ok=True)
        if self._port is None:
            self._port = free_port()

        env = dict(os.environ)
        env.pop("NEO4J_PASSWORD", None)
        if self._password is not None:
            env["NEO4J_PASSWORD"] = self._password
        cmd = [
            java,
            *JVM_OPTS,
            "-jar",
            str(JAR),
            "--home",
            str(self.home),
            "--port",
            str(self._port),
        ]

        deadline = time.monotonic() + timeout
        self._log = open(self.log_path, "ab", buffering=0)  # noqa: SIM115 - lives as long as the child
        self._log.write(
            f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting on port {self._port}\n".encode()
        )
        self._ready.clear()
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,  # the launcher exits when this closes
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=self.home,
            env=env,
        )
        self._reader = threading.Thread(
            target=self._pump_stdout, name=f"neo4j-{self._port}-stdout", daemon=True
        )
        self._reader.start()

        try:
            while not self._ready.wait(0.1):
                if self._proc.poll() is not None:
                    raise Neo4jUnavailable(
                        self._failure(
                            f"exited with code {self._proc.returncode} during start"
                        )
                    )
                if time.monotonic() > deadline:
                    raise Neo4jUnavailable(
                        self._failure(f"did not print READY within {timeout} s")
                    )
            self._await_driver(deadline)
        except BaseException:
            self.kill()
            raise

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM and wait for a clean shutdown (SIGKILL if it takes longer than timeout)."""
        if self.running:
            assert self._proc is not None
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._cleanup()

    def kill(self) -> None:
        """SIGKILL, as a crash would: no checkpoint, recovery runs on the next start."""
        if self.running:
            assert self._proc is not None
            self._proc.kill()
            self._proc.wait()
        self._cleanup()

    def restart(self, timeout: float = 120) -> None:
        """Stop if running, then start again on the same home and port."""
        self.stop()
        self.start(timeout)

    def __enter__(self) -> Self:
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- internals ----------------------------------------------------------------------

    def _pump_stdout(self) -> None:
        proc, log = self._proc, self._log
        assert proc is not None and proc.stdout is not None and log is not None
        expected = f"READY {self._port}".encode()
        for line in proc.stdout:
            if line.strip() == expected:
                self._ready.set()
            try:
                log.write(line)
            except ValueError:  # log closed under us
                pass

    def _await_driver(self, deadline: float) -> None:
        import neo4j  # imported here so build()/free_port() work without the driver

        last: Exception | None = None
        while time.monotonic() < deadline:
            if not self.running:
                raise Neo4jUnavailable(self._failure("exited after READY"))
            try:
                with neo4j.GraphDatabase.driver(
                    self.uri, auth=self.auth, connection_timeout=5
                ) as driver:
                    records, _, _ = driver.execute_query("RETURN 1 AS x")
                    if records and records[0]["x"] == 1:
                        return
            except Exception as e:  # noqa: BLE001 - retried until the deadline
                last = e
            time.sleep(0.2)
        raise Neo4jUnavailable(
            self._failure(f"driver could not RETURN 1 before the deadline: {last!r}")
        )

    def _failure(self, what: str) -> str:
        tail = ""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
            tail = "\n".join(lines[-30:])
        except OSError:
            pass
        return (
            f"Neo4j launcher on port {self._port} {what}; see {self.log_path} "
            f"and {self.debug_log_path}\n--- last lines of {self.log_path.name}:\n{tail}"
        )

    def _cleanup(self) -> None:
        proc = self._proc
        if proc is not None and proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        self._proc = None
