# Shared by the scripts: build the service when the sources are newer than the last build, and put
# its runtime classpath in OMS_CLASSPATH. Sourced, not run.
OMS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$OMS_ROOT"

STAMP=target/.built
needs_build() {
  [ ! -f "$STAMP" ] || [ ! -d target/lib ] && return 0
  [ -n "$(find src/main pom.xml -newer "$STAMP" -print -quit)" ]
}

if needs_build; then
  echo "building OMS (mvn -q -DskipTests package) ..." >&2
  mvn -B -q -DskipTests package >&2
  touch "$STAMP"
fi
OMS_CLASSPATH="$OMS_ROOT/target/classes:$OMS_ROOT/target/lib/*"
export OMS_CLASSPATH
