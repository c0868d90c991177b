"""A real Neo4j Community server on this machine, without Docker.

``graphgen-neo4j neo4j start`` does what the Neo4j tarball's launcher would do,
from jars fetched off Maven Central:

1. ``fetch``: ``mvn dependency:copy-dependencies`` on ``local_neo4j_pom.xml`` puts
   Neo4j 5.26, APOC core and Neo4j Browser under ``~/.cache/graphgen-neo4j/``
   (``GRAPHGEN_NEO4J_JARS`` to change it). APOC jars go to ``plugins/``.
2. ``configure``: writes ``conf/neo4j.conf`` in the instance folder (``./.neo4j`` by
   default): loopback only, fixed ports, explicit memory, auth on, the HTTP API answering
   cross-origin requests only from the Browser's own origin. Before the very first start
   it sets the initial password of user ``neo4j`` from ``NEO4J_PASSWORD`` (12 characters
   or more, not the example one), handed to ``neo4j-admin`` in a private file, never as a
   process argument.
3. ``start``: launches ``org.neo4j.server.CommunityEntryPoint`` in the background
   (its own process group) and returns once Bolt accepts the credentials.
4. ``stop``: SIGTERM to the process group (Neo4j shuts down cleanly on it), SIGKILL
   after a timeout.

What was verified to work here is written down in docs/local-neo4j.md.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from graphgen_neo4j.db.local_java import JVM_FLAGS, check_java, java_executable
from graphgen_neo4j.db.local_password import check_new_password, set_initial_password
from graphgen_neo4j.errors import LocalServerError
from graphgen_neo4j.processes import alive, signal_group

NEO4J_VERSION = "5.26.30"
POM = Path(__file__).with_name("local_neo4j_pom.xml")
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_ENTRY_POINT = "org.neo4j.server.startup.Neo4jAdminCommand"


def default_jars_dir() -> Path:
    env = os.environ.get("GRAPHGEN_NEO4J_JARS")
    base = Path(env) if env else Path.home() / ".cache" / "graphgen-neo4j"
    return base / f"neo4j-{NEO4J_VERSION}"


def default_instance_dir() -> Path:
    return Path(os.environ.get("GRAPHGEN_NEO4J_DIR", ".neo4j")).resolve()


@dataclass
class LocalNeo4j:
    """One local server instance: where its jars are, where its data lives, its ports."""

    instance_dir: Path
    jars_dir: Path
    bolt_port: int = 7687
    http_port: int = 7474
    # Sized for a 2-core / 24 GiB machine shared with the Python pipeline: a 2 GiB heap
    # holds large UNWIND batches; a 1 GiB page cache holds graphs of a few million
    # elements. The rest of the memory stays with Python and the LLM work.
    heap: str = "2g"
    pagecache: str = "1g"

    @classmethod
    def from_env(cls, **overrides: object) -> LocalNeo4j:
        values: dict[str, object] = {
            "instance_dir": default_instance_dir(),
            "jars_dir": default_jars_dir(),
            "bolt_port": int(os.environ.get("GRAPHGEN_NEO4J_BOLT_PORT", 7687)),
            "http_port": int(os.environ.get("GRAPHGEN_NEO4J_HTTP_PORT", 7474)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["instance_dir"] = Path(values["instance_dir"]).resolve()  # type: ignore[arg-type]
        values["jars_dir"] = Path(values["jars_dir"]).resolve()  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]

    # -- paths ---------------------------------------------------------------------------

    @property
    def lib_dir(self) -> Path:
        return self.jars_dir / "lib"

    @property
    def plugins_dir(self) -> Path:
        return self.jars_dir / "plugins"

    @property
    def conf_dir(self) -> Path:
        return self.instance_dir / "conf"

    @property
    def data_dir(self) -> Path:
        return self.instance_dir / "data"

    @property
    def logs_dir(self) -> Path:
        return self.instance_dir / "logs"

    @property
    def pid_file(self) -> Path:
        return self.instance_dir / "run" / "graphgen-neo4j.json"

    @property
    def console_log(self) -> Path:
        return self.logs_dir / "console.log"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    # -- fetch ---------------------------------------------------------------------------

    def jars_present(self) -> bool:
        marker = self.jars_dir / "VERSION"
        return marker.is_file() and marker.read_text().strip() == NEO4J_VERSION

    def fetch(self) -> bool:
        """Download the jars with Maven unless they are there; True if it downloaded."""
        if self.jars_present():
            return False
        mvn = shutil.which("mvn")
        if mvn is None:
            raise LocalServerError(
                "Maven (mvn) not found: install it (Debian: apt-get install maven) to fetch Neo4j from Maven Central"
            )
        staging = self.jars_dir.with_name(self.jars_dir.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        cmd = [
            mvn, "-B", "-q", "-f", str(POM), DEPENDENCY_PLUGIN,
            "-DincludeScope=runtime", f"-DoutputDirectory={staging / 'lib'}",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            errors = [ln for ln in result.stdout.splitlines() if "ERROR" in ln][:3]
            detail = " | ".join(errors) or result.stderr.strip()[-500:]
            raise LocalServerError(f"downloading Neo4j {NEO4J_VERSION} from Maven Central failed: {detail}")
        # APOC is registered only from the plugins folder; its own dependencies stay on lib/.
        (staging / "plugins").mkdir(parents=True, exist_ok=True)
        for jar in (staging / "lib").glob("apoc-*.jar"):
            jar.rename(staging / "plugins" / jar.name)
        (staging / "VERSION").write_text(NEO4J_VERSION + "\n")
        shutil.rmtree(self.jars_dir, ignore_errors=True)
        self.jars_dir.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(self.jars_dir)
        return True

    # -- configure -----------------------------------------------------------------------

    def config_text(self) -> str:
        d = self.instance_dir
        return "\n".join([
            "# Written by `graphgen-neo4j neo4j start`; rewritten at every start.",
            f"server.directories.data={d / 'data'}",
            f"server.directories.logs={d / 'logs'}",
            f"server.directories.run={d / 'run'}",
            f"server.directories.import={d / 'import'}",
            f"server.directories.plugins={self.plugins_dir}",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{self.bolt_port}",
            "server.http.enabled=true",
            f"server.http.listen_address=127.0.0.1:{self.http_port}",
            f"server.http.advertised_address=127.0.0.1:{self.http_port}",
            "server.https.enabled=false",
            # the HTTP API runs Cypher: no other web page may call it from a visitor's browser
            f"dbms.security.http_access_control_allow_origin={self.http_url}",
            "dbms.routing.enabled=false",
            "dbms.security.auth_enabled=true",
            # a typo or a wrong-password test should not lock user neo4j for the next caller
            "dbms.security.auth_max_failed_attempts=10",
            "dbms.security.procedures.unrestricted=apoc.*",
            f"server.memory.heap.initial_size={self.heap}",
            f"server.memory.heap.max_size={self.heap}",
            f"server.memory.pagecache.size={self.pagecache}",
            "dbms.memory.transaction.total.max=1g",
            "dbms.usage_report.enabled=false",
            "db.tx_log.rotation.retention_policy=1 days 1G",
            "",
        ])

    def _java_env(self) -> dict[str, str]:
        return {**os.environ, "NEO4J_HOME": str(self.instance_dir), "NEO4J_CONF": str(self.conf_dir)}

    def configure(self, password: str) -> None:
        """Write neo4j.conf; set the initial password if the store has never been started."""
        for sub in ("conf", "data", "logs", "run", "import"):
            (self.instance_dir / sub).mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "neo4j.conf").write_text(self.config_text())
        if not self.fresh:
            return  # the password was set at the first start; it lives in the system database
        set_initial_password(
            [java_executable(), "-Dfile.encoding=UTF-8", "-cp", f"{self.lib_dir}/*", f"-Dbasedir={self.instance_dir}",
             ADMIN_ENTRY_POINT, "dbms", "set-initial-password"],
            password, env=self._java_env(),
        )

    # -- start / stop / status -------------------------------------------------------------

    @property
    def fresh(self) -> bool:
        """Never started: the initial password is still to be set."""
        return not (self.data_dir / "databases" / "system").exists()

    def command(self) -> list[str]:
        classpath = os.pathsep.join([f"{self.plugins_dir}/*", str(self.conf_dir), f"{self.lib_dir}/*"])
        return [
            java_executable(), f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS,
            "-cp", classpath, ENTRY_POINT,
            f"--home-dir={self.instance_dir}", f"--config-dir={self.conf_dir}", "--console-mode",
        ]

    def running_pid(self) -> int | None:
        """Pid of this instance's server if it is alive."""
        try:
            info = json.loads(self.pid_file.read_text())
        except (OSError, ValueError):
            return None
        pid = int(info.get("pid", 0))
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return None
        return pid

    def start(self, password: str, timeout: float = 180.0) -> int:
        """Start the server in the background; returns its pid once Bolt answers."""
        if pid := self.running_pid():
            wait_for_bolt(self.bolt_uri, password, timeout=timeout)
            return pid
        if self.fresh:
            check_new_password(password)  # before fetching anything
        check_java(NEO4J_VERSION)
        for port, what in ((self.bolt_port, "Bolt"), (self.http_port, "HTTP")):
            if port_in_use(port):
                raise LocalServerError(
                    f"port {port} ({what}) on 127.0.0.1 is already in use: stop what holds it, "
                    f"or choose another port (--bolt-port / --http-port)"
                )
        self.fetch()
        self.configure(password)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        with open(self.console_log, "ab") as log:
            proc = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=self._java_env(), cwd=self.instance_dir, start_new_session=True,
            )
        self.pid_file.write_text(json.dumps({
            "pid": proc.pid, "bolt_port": self.bolt_port, "http_port": self.http_port,
            "version": NEO4J_VERSION, "started_at": time.time(),
        }))
        try:
            wait_for_bolt(self.bolt_uri, password, timeout=timeout, process=proc)
        except LocalServerError as exc:
            if proc.poll() is None:
                self.stop()
            self.pid_file.unlink(missing_ok=True)  # no stale pid for `status` to trust
            raise LocalServerError(f"{exc}\n--- last lines of {self.console_log} ---\n{self.log_tail()}") from None
        return proc.pid

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``); False if it was not running."""
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not alive(pid):
                break
            time.sleep(0.25)
        else:
            signal_group(pid, signal.SIGKILL)
            while alive(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> dict[str, object]:
        pid = self.running_pid()
        return {
            "running": pid is not None,
            "pid": pid,
            "bolt": self.bolt_uri,
            "browser": f"{self.http_url}/browser/",
            "instance_dir": str(self.instance_dir),
            "jars_dir": str(self.jars_dir),
            "jars_present": self.jars_present(),
            "version": NEO4J_VERSION,
        }

    def log_tail(self, lines: int = 25) -> str:
        tail: list[str] = []
        if self.console_log.exists():
            tail = self.console_log.read_text(errors="replace").splitlines()[-lines:]
        debug = self.logs_dir / "debug.log"
        if debug.exists():
            tail += [ln for ln in debug.read_text(errors="replace").splitlines() if " ERROR " in ln][-5:]
        return "\n".join(tail)


# -- helpers -----------------------------------------------------------------------------


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_for_bolt(uri: str, password: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Poll until Bolt accepts the credentials; fail early if the process exits."""
    from neo4j import GraphDatabase
    from neo4j import exceptions as neo4j_errors

    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise LocalServerError(f"Neo4j exited during start-up (exit code {process.returncode})")
        try:
            with GraphDatabase.driver(uri, auth=("neo4j", password)) as driver:
                driver.verify_connectivity()
            return
        except neo4j_errors.AuthError as exc:
            raise LocalServerError(
                "Neo4j is up but rejected NEO4J_PASSWORD: the store was created with another "
                "password (use that one, or delete the instance's data folder to start afresh)"
            ) from exc
        except Exception as exc:  # not listening yet
            last_error = exc
            time.sleep(1.0)
    raise LocalServerError(f"Neo4j did not answer on {uri} within {timeout:.0f}s ({last_error})")


