package dev.sluice.kernel.userclient;

/**
 * What an application wants done when an asynchronous call completes. It runs on the
 * connection's completion context (the dispatch queue given at open, or the kernel's completion
 * thread for the calling bundle), never on the thread that called
 * {@link IOConnect#callAsync} while that call is in progress (SEMANTICS S56), and exactly once
 * per accepted call.
 */
@FunctionalInterface
public interface IOAsyncCompletion {

    /** @param result the driver's result, or ABORTED / OFFLINE if the connection closed first */
    void completed(IOCallResult result);
}
