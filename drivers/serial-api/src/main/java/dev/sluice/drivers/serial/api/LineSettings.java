package dev.sluice.drivers.serial.api;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serial line settings: baud rate and frame format.
 *
 * @param baud     bits per second, positive
 * @param dataBits 5 to 8
 * @param parity   parity bit
 * @param stopBits 1 or 2
 */
public record LineSettings(int baud, int dataBits, Parity parity, int stopBits) {

    /** The parity bit of each character. */
    public enum Parity { NONE, ODD, EVEN, MARK, SPACE }

    private static final Pattern FORMAT = Pattern.compile("(\\d+)(?:([noems])([5-8])?)?");

    /** Checks the ranges. */
    public LineSettings {
        if (baud <= 0) {
            throw new IllegalArgumentException("baud rate must be positive, not " + baud);
        }
        if (dataBits < 5 || dataBits > 8) {
            throw new IllegalArgumentException("data bits must be 5 to 8, not " + dataBits);
        }
        if (parity == null) {
            throw new IllegalArgumentException("parity is required");
        }
        if (stopBits != 1 && stopBits != 2) {
            throw new IllegalArgumentException("stop bits must be 1 or 2, not " + stopBits);
        }
    }

    /** @return {@code baud} with 8 data bits, no parity, 1 stop bit */
    public static LineSettings of8N1(int baud) {
        return new LineSettings(baud, 8, Parity.NONE, 1);
    }

    /**
     * Parses the Devicetree {@code stdout-path} option syntax {@code <baud>{<parity>{<bits>}}}
     * (for example {@code 115200n8}); missing parts are n and 8, stop bits are 1.
     *
     * @throws IllegalArgumentException naming the text if it does not have that form
     */
    public static LineSettings parse(String text) {
        Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not <baud>{<parity>{<bits>}}, e.g. 115200n8");
        }
        Parity p = switch (m.group(2) == null ? "n" : m.group(2)) {
            case "o" -> Parity.ODD;
            case "e" -> Parity.EVEN;
            case "m" -> Parity.MARK;
            case "s" -> Parity.SPACE;
            default -> Parity.NONE;
        };
        int bits = m.group(3) == null ? 8 : Integer.parseInt(m.group(3));
        return new LineSettings(Integer.parseInt(m.group(1)), bits, p, 1);
    }

    @Override
    public String toString() {
        return baud + " " + dataBits + Character.toUpperCase(parity.name().charAt(0)) + stopBits;
    }
}
