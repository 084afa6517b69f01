package dev.sluice.models.rtc.internal;

import dev.sluice.models.DeviceModel;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelException;
import dev.sluice.models.DeviceModelFactory;
import dev.sluice.models.rtc.Pl031;
import org.osgi.service.component.annotations.Component;

/**
 * Builds {@link Pl031} RTCs for Devicetree nodes compatible with {@code arm,pl031}, counting from
 * the host's wall-clock time at creation. Stateless; {@link #create} runs on the platform's thread.
 */
@Component(service = DeviceModelFactory.class, property = DeviceModelFactory.COMPATIBLE + "=arm,pl031")
public final class Pl031Factory implements DeviceModelFactory {

    @Override
    public DeviceModel create(DeviceModelContext context) throws DeviceModelException {
        return Pl031.create(context);
    }
}
