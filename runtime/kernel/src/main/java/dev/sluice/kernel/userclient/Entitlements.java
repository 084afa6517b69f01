package dev.sluice.kernel.userclient;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Container for repeated {@link Entitlement} annotations on one class. */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Entitlements {
    Entitlement[] value();
}
