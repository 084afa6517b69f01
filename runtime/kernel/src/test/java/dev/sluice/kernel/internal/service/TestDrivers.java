package dev.sluice.kernel.internal.service;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IOProbeScore;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOWorkLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Real driver classes the engine instantiates in unit tests; each records into its nub's journal. */
final class TestDrivers {

    private TestDrivers() {
    }

    /** A nub class with its own work loop, like a platform device. */
    static class TestNub extends IOService {
        private final IOWorkLoop loop;

        TestNub(String name, Journal journal, IOWorkLoop loop) {
            super(name, null);
            this.loop = loop;
            setProperty("journal", journal);
        }

        @Override
        public IOWorkLoop getWorkLoop() {
            return loop;
        }
    }

    /** Records every lifecycle call; probe adds the nub's "probe.bonus.<name>" property to the score. */
    public static class Recorder extends IOService {
        Journal journal(IOService provider) {
            return (Journal) provider.getProperty("journal");
        }

        String me() {
            return String.valueOf(getProperty(IO_PERSONALITY_NAME));
        }

        @Override
        public IOService probe(IOService provider, IOProbeScore score) {
            Object bonus = provider.getProperty("probe.bonus." + me());
            if (bonus instanceof Integer) {
                score.set(score.get() + (Integer) bonus);
            }
            journal(provider).add("probe " + me() + " " + score.get());
            return Boolean.TRUE.equals(provider.getProperty("decline." + me())) ? null : this;
        }

        @Override
        public boolean start(IOService provider) {
            journal(provider).add("start " + me());
            manage(() -> journal(provider).add("release-1 " + me()));
            manage(() -> journal(provider).add("release-2 " + me()));
            return !Boolean.TRUE.equals(provider.getProperty("fail-start." + me()));
        }

        @Override
        public void stop(IOService provider) {
            IOWorkLoop loop = provider.getWorkLoop();
            journal(provider).add("stop " + me() + " gate-held=" + (loop != null && loop.inGate()));
        }

        @Override
        public boolean willTerminate(IOService provider) {
            journal(provider).add("will " + me());
            return true;
        }

        @Override
        public boolean didTerminate(IOService provider) {
            journal(provider).add("did " + me());
            return true;
        }
    }

    /** A driver that registers itself so clients can match against it. */
    public static class Publisher extends Recorder {
        @Override
        public boolean start(IOService provider) {
            boolean ok = super.start(provider);
            setProperty("journal", provider.getProperty("journal"));
            registerService();
            return ok;
        }
    }

    /** A driver whose probe waits on a latch the nub carries, to hold matching busy. */
    public static class SlowProber extends Recorder {
        @Override
        public IOService probe(IOService provider, IOProbeScore score) {
            CountDownLatch gate = (CountDownLatch) provider.getProperty("probe.gate");
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.probe(provider, score);
        }
    }

    /** A driver that throws in start. */
    public static class Thrower extends Recorder {
        @Override
        public boolean start(IOService provider) {
            journal(provider).add("start " + me());
            throw new IllegalStateException("driver bug in start");
        }
    }

    static IOReturn ok() {
        return IOReturn.SUCCESS;
    }
}
