package dev.sluice.benchmarks.blk;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Executor;
import java.util.jar.JarFile;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The virtio-blk driver as applications see it: the {@code BlockStorage} OSGi service registered
 * by the real driver bundle, in a real Felix framework running the kernel image's own bundles
 * (those listed in {@code sluice.jar}'s launcher properties, less bnd's launcher and the deploy
 * folder watcher; Gogo runs without a console), booted on a one-device board: the virtio-blk node of the default microvm board (same
 * registers, line 16, 128 MiB of guest RAM, two interrupt CPUs) with the requested capacity. So
 * every request goes through the client front, the driver's gate or hand-off, the work loop, the
 * platform's interrupt controller and, for asynchronous requests, an {@code IOCompletion} whose
 * promise callback runs on an application thread. The service is called by reflection (its
 * classes live in the framework's bundles); the call is a bound method handle.
 */
final class OsgiTarget implements BlockTarget {

    private static final String API = "dev.sluice.drivers.storage.api.BlockStorage";
    /** The deploy-folder watcher and bnd's launcher; every other bundle of the image runs. */
    private static final List<String> LEFT_OUT = List.of("org.apache.felix.fileinstall", "biz.aQute.launcher");

    private final Framework framework;
    private final Object service;
    private final MethodHandle read;
    private final MethodHandle write;
    private final MethodHandle flush;
    private final MethodHandle readAsync;
    private final MethodHandle writeAsync;
    private final MethodHandle completionOn;
    private final Method promise;
    private final Method onResolve;
    private final Method getFailure;
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> new Thread(r, "app-callbacks"));

    /**
     * @param kernelImage the exported kernel image (runtime/launcher/target/sluice.jar)
     * @param home        the kernel's home; the image file is {@code home/var/<image>}
     * @param image       the image file name
     * @param sectors     the capacity
     */
    OsgiTarget(Path kernelImage, Path home, String image, long sectors) throws Exception {
        Path board = home.resolve("blk-bench.dts");
        Files.writeString(board, board(image, sectors));
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, home.resolve("felix-cache").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("sluice.home", home.toString());
        config.put("sluice.board", board.toString());
        // Gogo without a console and with the image's profile, as ./sluice -c runs it
        config.put("gosh.args", "--nointeractive --noshutdown");
        config.put("gosh.home", Path.of(System.getProperty("sluice.gosh", "runtime/launcher/gosh")).toAbsolutePath().toString());
        System.setProperty("org.jline.terminal.dumb", "true");
        framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path")).newFramework(config);
        framework.init();
        BundleContext ctx = framework.getBundleContext();
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : bundles(kernelImage, home.resolve("bundles"))) {
            installed.add(ctx.installBundle(jar.toUri().toString(), Files.newInputStream(jar)));
        }
        framework.start();
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(ctx, ctx.createFilter("(objectClass=" + API + ")"), null);
        tracker.open(true);
        service = tracker.waitForService(60_000);
        if (service == null) {
            throw new IllegalStateException("no " + API + " service within 60 s: the driver did not start on " + board);
        }
        Class<?> api = bundle(ctx, "dev.sluice.drivers.storage.api").loadClass(API);
        Class<?> completion = bundle(ctx, "dev.sluice.kernel").loadClass("dev.sluice.kernel.dispatch.IOCompletion");
        Class<?> promiseClass = bundle(ctx, "dev.sluice.kernel").loadClass("org.osgi.util.promise.Promise");
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodType rw = MethodType.methodType(void.class, long.class, byte[].class);
        MethodType rwAsync = MethodType.methodType(void.class, long.class, byte[].class, completion);
        read = lookup.findVirtual(api, "read", rw).bindTo(service);
        write = lookup.findVirtual(api, "write", rw).bindTo(service);
        flush = lookup.findVirtual(api, "flush", MethodType.methodType(void.class)).bindTo(service);
        readAsync = lookup.findVirtual(api, "readAsync", rwAsync).bindTo(service);
        writeAsync = lookup.findVirtual(api, "writeAsync", rwAsync).bindTo(service);
        completionOn = lookup.findStatic(completion, "on", MethodType.methodType(completion, Executor.class));
        promise = completion.getMethod("promise");
        onResolve = promiseClass.getMethod("onResolve", Runnable.class);
        getFailure = promiseClass.getMethod("getFailure");
    }

    private static Bundle bundle(BundleContext ctx, String bsn) {
        for (Bundle b : ctx.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new IllegalStateException("bundle " + bsn + " is not installed");
    }

    /** Extracts the image's bundles (launch.bundles of its launcher.properties) except those left out. */
    private static List<Path> bundles(Path kernelImage, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        try (JarFile jar = new JarFile(kernelImage.toFile())) {
            Properties launch = new Properties();
            try (InputStream in = jar.getInputStream(jar.getEntry("launcher.properties"))) {
                launch.load(in);
            }
            for (String entry : launch.getProperty("launch.bundles", "").split(",")) {
                String name = entry.substring(entry.lastIndexOf('/') + 1);
                if (entry.isBlank() || LEFT_OUT.stream().anyMatch(x -> name.startsWith(x + "-"))) {
                    continue;
                }
                Path target = dir.resolve(name);
                try (InputStream in = jar.getInputStream(jar.getEntry(entry))) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                out.add(target);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException(kernelImage + " lists no bundles in launcher.properties");
        }
        return out;
    }

    private static String board(String image, long sectors) {
        return """
                /dts-v1/;
                / {
                	#address-cells = <2>;
                	#size-cells = <2>;
                	compatible = "sluice,microvm";
                	model = "Sluice virtio-blk benchmark";
                	interrupt-parent = <&intc>;
                	cpus {
                		#address-cells = <1>;
                		#size-cells = <0>;
                		cpu@0 { device_type = "cpu"; compatible = "sluice,vcpu"; reg = <0>; };
                		cpu@1 { device_type = "cpu"; compatible = "sluice,vcpu"; reg = <1>; };
                	};
                	memory@80000000 {
                		device_type = "memory";
                		reg = <0x0 0x80000000 0x0 0x08000000>;
                	};
                	intc: interrupt-controller@8000000 {
                		compatible = "sluice,intc";
                		reg = <0x0 0x08000000 0x0 0x10000>;
                		interrupt-controller;
                		#interrupt-cells = <2>;
                		#address-cells = <0>;
                		sluice,num-lines = <64>;
                	};
                	virtio@a000000 {
                		compatible = "virtio,mmio";
                		reg = <0x0 0x0a000000 0x0 0x200>;
                		interrupts = <16 4>;
                		sluice,device-id = <2>;
                		sluice,backend = "file:%s";
                		sluice,capacity-sectors = /bits/ 64 <%d>;
                	};
                };
                """.formatted(image, sectors);
    }

    @Override
    public String name() {
        return "BlockStorage service";
    }

    @Override
    public boolean async() {
        return true;
    }

    @Override
    public void read(long sector, byte[] into) throws Exception {
        try {
            read.invokeExact(sector, into);
        } catch (Throwable t) {
            throw asException(t);
        }
    }

    @Override
    public void write(long sector, byte[] from) throws Exception {
        try {
            write.invokeExact(sector, from);
        } catch (Throwable t) {
            throw asException(t);
        }
    }

    @Override
    public void flush() throws Exception {
        try {
            flush.invokeExact();
        } catch (Throwable t) {
            throw asException(t);
        }
    }

    @Override
    public void readAsync(long sector, byte[] into, Done done) throws Exception {
        try {
            readAsync.invoke(sector, into, completion(done));
        } catch (Throwable t) {
            throw asException(t);
        }
    }

    @Override
    public void writeAsync(long sector, byte[] from, Done done) throws Exception {
        try {
            writeAsync.invoke(sector, from, completion(done));
        } catch (Throwable t) {
            throw asException(t);
        }
    }

    /** An IOCompletion whose promise callback (on the application's callback thread) reports to {@code done}. */
    private Object completion(Done done) throws Throwable {
        Object c = completionOn.invoke((Executor) callbacks);
        Object p = promise.invoke(c);
        onResolve.invoke(p, (Runnable) () -> {
            try {
                done.finished((Throwable) getFailure.invoke(p));
            } catch (ReflectiveOperationException e) {
                done.finished(e);
            }
        });
        return c;
    }

    private static Exception asException(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof Exception e ? e : new Exception(t);
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(30_000);
        callbacks.shutdown();
    }
}
