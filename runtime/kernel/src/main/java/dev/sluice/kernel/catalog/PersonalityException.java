package dev.sluice.kernel.catalog;

/** A personality that cannot be used; the message names the bundle, the personality and the field. */
public final class PersonalityException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String field;

    public PersonalityException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** @return the capability attribute that was wrong */
    public String field() {
        return field;
    }
}
