#!/usr/bin/env bash
# Builds the test-only Neo4j launcher: target/kg-neo4j-testserver.jar (manifest
# Class-Path -> target/lib/*.jar). Needs java (17+) and mvn; downloads from Maven Central.
# Idempotent: skips when the jar is there and pom.xml / sources / this script are unchanged.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

for tool in java mvn; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "neo4j_server/build.sh: '$tool' not found on PATH (need Java 17+ and Maven)" >&2
        exit 3
    fi
done

java_version="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
if [[ -z "$java_version" || "${java_version%%.*}" -lt 17 ]]; then
    echo "neo4j_server/build.sh: Java 17+ needed, found '${java_version:-unknown}' ($(command -v java))" >&2
    exit 3
fi

# Serialise concurrent builds (e.g. parallel test workers); flock is in util-linux.
if command -v flock >/dev/null 2>&1; then
    exec 9<"$here/build.sh"
    flock 9
fi

jar=target/kg-neo4j-testserver.jar
stamp=target/.build-stamp
inputs_hash() {
    { cat pom.xml build.sh; find src -type f -print0 | LC_ALL=C sort -z | xargs -0 cat; } \
        | sha256sum | cut -d' ' -f1
}
want="$(inputs_hash)"

if [[ -f "$jar" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "target/lib/*.jar" >/dev/null; then
    echo "neo4j_server: up to date ($jar)"
    exit 0
fi

echo "neo4j_server: building (mvn package; first run downloads Neo4j from Maven Central)..."
rm -rf target
start=$SECONDS
# (Maven 3.8's -q still emits bare ANSI reset codes; strip them.)
if ! mvn -q -B -Dstyle.color=never package 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g'; then
    echo "neo4j_server/build.sh: mvn package failed" >&2
    exit 1
fi
if [[ ! -f "$jar" ]] || ! compgen -G "target/lib/*.jar" >/dev/null; then
    echo "neo4j_server/build.sh: build produced no $jar or no target/lib/*.jar" >&2
    exit 1
fi
echo "$want" > "$stamp"
echo "neo4j_server: built $jar in $((SECONDS - start))s"
