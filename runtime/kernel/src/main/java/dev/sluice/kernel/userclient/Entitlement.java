package dev.sluice.kernel.userclient;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.annotation.bundle.Attribute;
import org.osgi.annotation.bundle.Capability;

/**
 * Declares that the annotated application bundle holds an entitlement a driver's user client
 * may require. bnd turns each use into a
 * {@code Provide-Capability: sluice.entitlement;sluice.entitlement=NAME} clause of the bundle's
 * manifest; the kernel reads it when the bundle opens a connection. Put it on any class of the
 * bundle:
 *
 * <pre>
 * &#64;Entitlement("dev.sluice.virtio.block.raw")
 * public final class DiskTool { ... }
 * </pre>
 *
 * Entitlements are declarations, not a security boundary: every bundle runs in one JVM.
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@Repeatable(Entitlements.class)
@Capability(namespace = Entitlement.NAMESPACE)
public @interface Entitlement {

    /** The capability namespace (and attribute) that carries entitlement names. */
    String NAMESPACE = "sluice.entitlement";

    /** The administrator entitlement: grants every entitlement (the shell holds it). */
    String ADMIN = "sluice.admin";

    /** The entitlement's name. */
    @Attribute(NAMESPACE)
    String value();
}
