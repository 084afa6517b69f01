package dev.sluice.models.uart.internal;

import dev.sluice.models.DeviceModel;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelException;
import dev.sluice.models.DeviceModelFactory;
import dev.sluice.models.uart.Ns16550a;
import org.osgi.service.component.annotations.Component;

/**
 * Builds {@link Ns16550a} UARTs for Devicetree nodes compatible with {@code ns16550a} or
 * {@code ns16550}. Stateless; {@link #create} runs on the platform's thread and returns once the
 * model's TCP port is bound and its I/O thread started.
 */
@Component(service = DeviceModelFactory.class,
        property = {DeviceModelFactory.COMPATIBLE + "=ns16550a", DeviceModelFactory.COMPATIBLE + "=ns16550"})
public final class Ns16550aFactory implements DeviceModelFactory {

    @Override
    public DeviceModel create(DeviceModelContext context) throws DeviceModelException {
        return Ns16550a.create(context);
    }
}
