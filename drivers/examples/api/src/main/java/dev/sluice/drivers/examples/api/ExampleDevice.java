package dev.sluice.drivers.examples.api;

/**
 * What the example drivers offer applications. Applications find it as an OSGi service
 * (e.g. {@code (IOName=example)}); the object they get is a stable front that keeps working while
 * the driver behind it is updated or replaced. Calls may come from any thread.
 */
public interface ExampleDevice {

    /** @return which driver answered ("generic" or "specific") and its bundle version */
    String driver();

    /**
     * Answers a request: returns {@code request} unchanged, counted by the driver.
     *
     * @param request any number; the example just echoes it
     * @return the same number
     */
    long echo(long request);

    /** @return how many requests this driver instance has answered */
    long answered();
}
