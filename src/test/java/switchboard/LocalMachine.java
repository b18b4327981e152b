package switchboard;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What tests that start real servers (Redis, sentinels, PostgreSQL, nginx, nodes) ask of this machine. */
public final class LocalMachine {
  private LocalMachine() {}

  /** A port free now (another process may take it before it is bound: callers retry a failed start). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** The executable {@code name} on the PATH, else in one of {@code moreDirs}. */
  public static Optional<String> executable(String name, String... moreDirs) {
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(File.pathSeparator)));
    dirs.addAll(List.of(moreDirs));
    for (String dir : dirs) {
      File f = new File(dir, name);
      if (!dir.isEmpty() && f.isFile() && f.canExecute()) {
        return Optional.of(f.getAbsolutePath());
      }
    }
    return Optional.empty();
  }

  /** As {@link #executable}, failing with how to install it (Debian package {@code debianPackage}). */
  public static String requireExecutable(String name, String debianPackage, String... moreDirs) {
    return executable(name, moreDirs).orElseThrow(() -> new IllegalStateException(name + " not found: install it with"
        + " `apt-get install " + debianPackage + "` (CI's .ci/run does this)"));
  }
}
