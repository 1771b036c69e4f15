# Sourced by bin/cairn and bin/test: finds a JDK 21 or newer and exports JAVA_HOME.
# Order: $JAVA_HOME, the java on PATH, then the JDKs in /usr/lib/jvm and
# /opt/java (newest first). A JRE is not enough to build: javac must be present.

cairn_java_major() { # prints the feature version of the java binary $1, or nothing
  # The JDK's release file answers without starting a JVM (a JVM start costs the quick client
  # commands a noticeable part of their time), read with shell builtins only; the JVM is asked
  # only when there is no release file.
  local release="${1%/bin/java}/release" line version=""
  if [ -f "$release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) version=${line#JAVA_VERSION=}; break ;; esac
    done <"$release"
    version=${version//\"/}
    case "$version" in 1.*) version=${version#1.} ;; esac
    version=${version%%[!0-9]*}
    if [ -n "$version" ]; then
      echo "$version"
      return
    fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

cairn_usable_jdk() { # $1 = candidate JAVA_HOME
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  local major
  major=$(cairn_java_major "$1/bin/java")
  [ -n "$major" ] && [ "$major" -ge 21 ]
}

cairn_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && cairn_usable_jdk "$JAVA_HOME"; then
    echo "$JAVA_HOME"; return 0
  fi
  local onpath
  onpath=$(command -v java 2>/dev/null) && onpath=$(readlink -f "$onpath") && onpath=${onpath%/bin/java}
  if [ -n "$onpath" ] && cairn_usable_jdk "$onpath"; then
    echo "$onpath"; return 0
  fi
  local candidate best="" best_major=0 major
  for candidate in /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/*; do
    [ -d "$candidate" ] || continue
    candidate=$(readlink -f "$candidate")
    cairn_usable_jdk "$candidate" || continue
    major=$(cairn_java_major "$candidate/bin/java")
    if [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  return 1
}

if ! CAIRN_JDK=$(cairn_find_jdk); then
  echo "Cairn needs a JDK 21 or newer and found none (looked at JAVA_HOME, the java on PATH and /usr/lib/jvm)." >&2
  echo "Install one, for example: apt-get install openjdk-21-jdk-headless (or a Temurin 21+ JDK), or set JAVA_HOME." >&2
  exit 1
fi
export JAVA_HOME=$CAIRN_JDK
# Maven's own libraries trip JDK 24+ warnings about Unsafe and native access; they are harmless.
if [ "$(cairn_java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
fi
export PATH="$JAVA_HOME/bin:$PATH"
