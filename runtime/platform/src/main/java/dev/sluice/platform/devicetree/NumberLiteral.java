package dev.sluice.platform.devicetree;

/** C integer literals as Devicetree source writes them: decimal, {@code 0x} hex, {@code 0} octal. */
final class NumberLiteral {

    private NumberLiteral() {
    }

    /** @return true if the token looks like it was meant as a number (starts with a digit) */
    static boolean looksNumeric(String text) {
        return !text.isEmpty() && Character.isDigit(text.charAt(0));
    }

    /**
     * @param text  the literal, with optional {@code U}/{@code L} suffixes
     * @param where the literal's location, for errors
     * @return the value as an unsigned 64-bit number
     * @throws DevicetreeException for a malformed literal or one beyond 64 bits
     */
    static long parse(String text, SourceLocation where) throws DevicetreeException {
        String s = text;
        while (!s.isEmpty() && "uUlL".indexOf(s.charAt(s.length() - 1)) >= 0) {
            s = s.substring(0, s.length() - 1);
        }
        int radix = 10;
        String digits = s;
        if (s.startsWith("0x") || s.startsWith("0X")) {
            radix = 16;
            digits = s.substring(2);
        } else if (s.length() > 1 && s.startsWith("0")) {
            radix = 8;
            digits = s.substring(1);
        }
        boolean ok = !digits.isEmpty() && text.length() - s.length() <= 3;
        for (int i = 0; ok && i < digits.length(); i++) {
            ok = Character.digit(digits.charAt(i), radix) >= 0;
        }
        if (!ok) {
            String kind = radix == 16 ? "hex" : radix == 8 ? "octal" : "decimal";
            throw new DevicetreeException(where, "bad number '" + text + "': expected " + kind + " digits");
        }
        try {
            return Long.parseUnsignedLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new DevicetreeException(where, "number '" + text + "' does not fit in 64 bits");
        }
    }
}
