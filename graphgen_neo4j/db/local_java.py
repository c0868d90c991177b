"""The Java that runs the local Neo4j: found through JAVA_HOME or PATH, its major version
checked (Neo4j 5.26 runs on Java 17 and 21), and the JVM flags the server starts with.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from graphgen_neo4j.errors import LocalServerError

SUPPORTED_JAVA = (17, 21)  # Neo4j 5.26 LTS runs on Java 17 and 21


# The shipped 5.x `server.jvm.additional` flags, minus -XX:+AlwaysPreTouch (it commits
# the whole heap at start) and the JFR/diagnostic ones.
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "-XX:+ExitOnOutOfMemoryError",
]


def java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise LocalServerError("Java not found: Neo4j 5.26 needs Java 17 or 21 (Debian: apt-get install openjdk-17-jre-headless)")
    return java


def java_major_version(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise LocalServerError(f"could not read the Java version from `{java} -version`")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def check_java(neo4j_version: str) -> None:
    java = java_executable()
    major = java_major_version(java)
    if major not in SUPPORTED_JAVA:
        raise LocalServerError(
            f"{java} is Java {major}; Neo4j {neo4j_version} needs Java 17 or 21 (set JAVA_HOME to one)"
        )
