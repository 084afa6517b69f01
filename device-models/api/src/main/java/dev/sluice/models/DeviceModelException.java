package dev.sluice.models;

/** A device model could not be built for a node; the message names the node and the reason. */
public class DeviceModelException extends Exception {

    private static final long serialVersionUID = 1L;

    public DeviceModelException(String message) {
        super(message);
    }

    public DeviceModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
