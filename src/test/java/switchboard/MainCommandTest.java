package switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import switchboard.auth.PasswordHasher;

/** Runs Main in a child JVM, as a host would, to check exit codes and what reaches the terminal. */
class MainCommandTest {

  record Run(int exitCode, String stdout, String stderr) {}

  @Test
  void hashPasswordPrintsAHashThatVerifies() throws Exception {
    Run run = run("pässword with spaces\n", "hash-password");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    String hash = run.stdout().strip();
    assertThat(hash).startsWith("pbkdf2-sha256$");
    assertThat(PasswordHasher.verify("pässword with spaces".toCharArray(), hash)).isTrue();
    assertThat(PasswordHasher.verify("other".toCharArray(), hash)).isFalse();
  }

  @Test
  void hashPasswordRefusesAnEmptyPassword() throws Exception {
    Run run = run("\n", "hash-password");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr()).contains("empty");
  }

  @Test
  void aBadConfigExitsTwoNamingFileAndField(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken-config.json");
    Files.writeString(file, """
        {"queues": [{"name": "ill", "title": "ILL", "backups": ["genral"]}]}
        """);

    Run run = run("", "-conf", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .startsWith("Configuration error: ")
        .contains("broken-config.json")
        .contains("queues[0].backups[0]")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void aCyclePathPrintsInUtf8EvenWithoutALocale(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cycle.json");
    Files.writeString(file, """
        {"queues": [{"name": "ill", "title": "ILL", "backups": ["general"]},
                    {"name": "general", "title": "Ask", "backups": ["ill"]}]}
        """);

    Run run = run("", List.of("LANG", "LC_ALL", "LC_CTYPE"), "-conf", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("cycle.json: queues[0].backups: ").contains("ill → general → ill");
  }

  @Test
  void aMissingConfigExitsTwoNamingTheFile(@TempDir Path dir) throws Exception {
    Run run = run("", "-conf", dir.resolve("no-such-config.json").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("no-such-config.json").doesNotContain("Exception");
  }

  @Test
  void unknownArgumentsPrintUsage() throws Exception {
    Run run = run("", "--frobnicate");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("Usage").contains("hash-password").contains("-conf");
  }

  @Test
  void versionPrintsTheBuildsVersion() throws Exception {
    Run run = run("", "version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.stdout().strip()).isEqualTo("switchboard " + switchboard.Version.current());
  }

  @Test
  void theOneTimePasswordBannerSaysWhatToDo() {
    String banner = Main.banner(Path.of("conf/config.json"), "Abc23defGhj45kmnPqr6");

    assertThat(banner).contains("username: admin").contains("password: Abc23defGhj45kmnPqr6")
        .contains("shown once").contains("passwordHash").contains("hash-password");
  }

  private static Run run(String stdin, String... args) throws IOException, InterruptedException {
    return run(stdin, List.of(), args);
  }

  private static Run run(String stdin, List<String> unsetEnv, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "switchboard.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    // The child must not pick up a host's overrides, which would change what these tests see.
    builder.environment().keySet().removeIf(name -> name.startsWith("SWITCHBOARD_") || unsetEnv.contains(name));
    Process process = builder.start();
    CompletableFuture<String> out = readAsync(process.getInputStream());
    CompletableFuture<String> err = readAsync(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("switchboard.Main " + String.join(" ", args) + " did not exit within 60 s");
    }
    return new Run(process.exitValue(), out.join(), err.join());
  }

  private static CompletableFuture<String> readAsync(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }
}
