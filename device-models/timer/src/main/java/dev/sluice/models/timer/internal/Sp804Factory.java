package dev.sluice.models.timer.internal;

import dev.sluice.models.DeviceModel;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelException;
import dev.sluice.models.DeviceModelFactory;
import dev.sluice.models.timer.Sp804;
import org.osgi.service.component.annotations.Component;

/**
 * Builds {@link Sp804} dual timers for Devicetree nodes compatible with {@code arm,sp804}.
 * Stateless; {@link #create} runs on the platform's thread.
 */
@Component(service = DeviceModelFactory.class, property = DeviceModelFactory.COMPATIBLE + "=arm,sp804")
public final class Sp804Factory implements DeviceModelFactory {

    @Override
    public DeviceModel create(DeviceModelContext context) throws DeviceModelException {
        return Sp804.create(context);
    }
}
