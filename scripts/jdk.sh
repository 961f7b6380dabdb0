# Sourced by ./actrec and ./run-tests: exports JAVA_HOME pointing at a JDK 25 or newer, or exits with a message.
# Order: $JAVA_HOME if it is 25+, then /usr/lib/jvm/temurin-25-jdk-amd64, then any 25+ JDK under /usr/lib/jvm.

act_java_major() { # prints the feature version of the JDK at $1, or nothing
  local rel="$1/release"
  [ -x "$1/bin/javac" ] && [ -f "$rel" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
}

act_find_jdk() {
  local cand major root="${ACTREC_JVM_ROOT:-/usr/lib/jvm}" # the root is overridable to test this message
  for cand in "${JAVA_HOME:-}" "$root"/temurin-25-jdk-amd64 "$root"/*; do
    [ -n "$cand" ] && [ -d "$cand" ] || continue
    major=$(act_java_major "$cand")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME="$cand"
      return 0
    fi
  done
  echo "actrec: no JDK 25 or newer found (looked at \$JAVA_HOME${JAVA_HOME:+=$JAVA_HOME} and $root/*)." >&2
  echo "actrec: install one (for example Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64) or set JAVA_HOME to it." >&2
  exit 3
}

act_find_mvn() {
  # Maven 3.8 bundles a Guava that calls sun.misc.Unsafe; JDK 25 warns about it on every build.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  if ! command -v mvn >/dev/null 2>&1; then
    echo "actrec: Apache Maven (mvn) is not on PATH; install it (Debian: apt-get install maven)." >&2
    exit 3
  fi
}
