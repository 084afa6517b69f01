package dev.sluice.kernel.catalog;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Container for repeated {@link Personality} annotations on one driver class. */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Personalities {
    Personality[] value();
}
