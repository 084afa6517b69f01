package dev.sluice.kernel.log;

import java.util.List;

/**
 * The kernel message ring buffer: the most recent messages logged through the OSGi
 * LogService by the kernel and its drivers, oldest first. Shown by the shell's {@code dmesg}.
 * Published as an OSGi service by the kernel bundle; thread-safe.
 */
public interface KernelLog {

    /** @return a snapshot of the buffered messages, oldest first */
    List<KernelMessage> messages();

    /** @return how many messages the ring keeps before dropping the oldest */
    int capacity();

    /** @return how many messages were dropped because the ring was full */
    long dropped();
}
