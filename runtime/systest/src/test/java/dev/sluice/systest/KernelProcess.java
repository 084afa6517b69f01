package dev.sluice.systest;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Boots the exported kernel image ({@code sluice.jar}) in its own JVM, the way {@code ./sluice -c}
 * does: the given Gogo command lines run once the kernel is ready, then the kernel shuts down and
 * writes the batch's exit status to a file. The kernel's home ({@code sluice.home}, whose
 * {@code var/} holds the device models' files, e.g. the default board's {@code var/disk0.img}) is
 * a directory the test owns.
 */
final class KernelProcess {

    /** The JVM flags ./sluice boots with. */
    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xss256k", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-Xms16m", "-Xmx96m", "-XX:ReservedCodeCacheSize=24m", "-XX:MaxMetaspaceSize=96m");

    /** What one boot printed and how its batch ended. */
    record Outcome(int batchStatus, int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "batch status " + batchStatus + ", java exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private final Path image;
    private final Path gosh;
    private final Path home;

    /**
     * @param home the kernel's home directory (created if missing); its var/ keeps the disk image
     */
    KernelProcess(Path home) {
        this.image = Path.of(System.getProperty("sluice.image", "../launcher/target/sluice.jar")).toAbsolutePath().normalize();
        this.gosh = Path.of(System.getProperty("sluice.gosh", "../launcher/gosh")).toAbsolutePath().normalize();
        this.home = home;
        if (!Files.isRegularFile(image)) {
            throw new IllegalStateException("the kernel image " + image + " is missing: build runtime/launcher first");
        }
    }

    /**
     * Boots the kernel, runs {@code commands} (one Gogo command line per entry) and waits for it to
     * exit, at most {@code timeoutSeconds}.
     */
    Outcome run(List<String> commands, long timeoutSeconds) throws IOException, InterruptedException {
        Files.createDirectories(home);
        Path deploy = Files.createDirectories(home.resolve("deploy"));
        Path status = home.resolve("batch-status");
        Path out = home.resolve("stdout.txt");
        Path err = home.resolve("stderr.txt");
        Files.deleteIfExists(status);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-Dgosh.home=" + gosh);
        cmd.add("-Dgosh.args=--nointeractive --noshutdown");
        cmd.add("-Dorg.jline.terminal.dumb=true");
        cmd.add("-Dfelix.fileinstall.dir=" + deploy);
        cmd.add("-Dsluice.home=" + home);
        cmd.add("-Dsluice.commands=" + String.join("\n", commands));
        cmd.add("-Dsluice.exit.file=" + status);
        cmd.add("-jar");
        cmd.add(image.toString());
        Process p = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("the kernel did not exit within " + timeoutSeconds + " s; stdout:\n"
                    + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
        }
        String text = Files.exists(status) ? Files.readString(status, StandardCharsets.US_ASCII).strip() : "";
        return new Outcome(text.isEmpty() ? -1 : Integer.parseInt(text), p.exitValue(),
                Files.readString(out), Files.readString(err));
    }
}
