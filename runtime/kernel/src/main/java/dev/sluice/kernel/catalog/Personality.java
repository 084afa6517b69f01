package dev.sluice.kernel.catalog;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.annotation.bundle.Attribute;
import org.osgi.annotation.bundle.Capability;

/**
 * Declares a driver personality: the matching rules under which the annotated driver class is
 * probed against a nub (I/O Kit's IOKitPersonalities). bnd turns each use into a
 * {@code Provide-Capability: sluice.personality;...} clause of the driver bundle's manifest, so
 * the kernel's catalogue can match nubs without loading the driver class. Elements left out
 * produce no attribute and take the defaults of {@link IOPersonality}.
 *
 * <pre>
 * &#64;Personality(name = "VirtioBlock", providerClass = "IOPlatformDevice",
 *              nameMatch = "virtio,mmio", propertyMatch = "sluice,device-id=2", probeScore = 1000)
 * public final class VirtioBlockDriver extends IOService { ... }
 * </pre>
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@Repeatable(Personalities.class)
@Capability(namespace = IOPersonality.NAMESPACE, attribute = "IOClass=${@class}")
public @interface Personality {

    /** The personality's name (default: the driver class's simple name). */
    @Attribute(IOPersonality.NAMESPACE)
    String name() default "";

    /** Class (simple or fully qualified name) the nub must be, or extend. Required. */
    @Attribute(IOPersonality.IO_PROVIDER_CLASS)
    String providerClass();

    /** Names or compatible strings of the nub; any one matches. */
    @Attribute(IOPersonality.IO_NAME_MATCH)
    String[] nameMatch() default {};

    /**
     * Property tables the nub must contain; any one matches. Each element is one table written
     * {@code key=value&key2=value2}.
     */
    @Attribute(IOPersonality.IO_PROPERTY_MATCH)
    String[] propertyMatch() default {};

    /** Property keys of which the nub must have at least one. */
    @Attribute(IOPersonality.IO_PROPERTY_EXISTS_MATCH)
    String[] propertyExistsMatch() default {};

    /** Registry path the nub must have (IOService or IODeviceTree plane). */
    @Attribute(IOPersonality.IO_PATH_MATCH)
    String pathMatch() default "";

    /** Property table ({@code key=value&...}) that some provider above the nub must contain. */
    @Attribute(IOPersonality.IO_PARENT_MATCH)
    String parentMatch() default "";

    /** Initial probe score: higher is tried first (default 0). */
    @Attribute(IOPersonality.IO_PROBE_SCORE)
    long probeScore() default 0;

    /** Match category: one active driver per category per nub (default IODefaultMatchCategory). */
    @Attribute(IOPersonality.IO_MATCH_CATEGORY)
    String matchCategory() default "";

    /** Debug mask the driver starts with (seed 003's multi-level debug flags; default 0, off). */
    @Attribute(IOPersonality.IO_DEBUG_MASK)
    long debugMask() default 0;
}
