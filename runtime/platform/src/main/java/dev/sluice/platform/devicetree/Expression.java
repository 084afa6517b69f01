package dev.sluice.platform.devicetree;

/**
 * Integer expressions inside parentheses in cells, with C's operators and precedence on
 * unsigned 64-bit values: {@code ?:}, {@code || &&}, {@code | ^ &}, {@code == !=},
 * {@code < > <= >=}, {@code << >>}, {@code + -}, {@code * / %}, unary {@code - ~ !}.
 */
final class Expression {

    private static final String[][] LEVELS = {
        {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="}, {"<<", ">>"}, {"+", "-"},
        {"*", "/", "%"},
    };

    private final TokenStream in;

    Expression(TokenStream in) {
        this.in = in;
    }

    long parse() throws DevicetreeException {
        long cond = binary(0);
        if (in.peek(LexMode.VALUE).isPunct("?")) {
            in.next(LexMode.VALUE);
            long a = parse();
            Token colon = in.next(LexMode.VALUE);
            if (!colon.isPunct(":")) {
                throw SourceParser.expected("':' in a ?: expression", colon);
            }
            long b = parse();
            return cond != 0 ? a : b;
        }
        return cond;
    }

    private long binary(int level) throws DevicetreeException {
        if (level == LEVELS.length) {
            return unary();
        }
        long left = binary(level + 1);
        while (true) {
            Token op = in.peek(LexMode.VALUE);
            String found = null;
            for (String candidate : LEVELS[level]) {
                if (op.isPunct(candidate)) {
                    found = candidate;
                }
            }
            if (found == null) {
                return left;
            }
            in.next(LexMode.VALUE);
            long right = binary(level + 1);
            left = apply(found, left, right, op);
        }
    }

    private long unary() throws DevicetreeException {
        Token t = in.peek(LexMode.VALUE);
        if (t.isPunct("-") || t.isPunct("~") || t.isPunct("!")) {
            in.next(LexMode.VALUE);
            long v = unary();
            return t.isPunct("-") ? -v : t.isPunct("~") ? ~v : (v == 0 ? 1 : 0);
        }
        if (t.isPunct("(")) {
            in.next(LexMode.VALUE);
            long v = parse();
            Token close = in.next(LexMode.VALUE);
            if (!close.isPunct(")")) {
                throw SourceParser.expected("')' to close the expression opened at " + t.location(), close);
            }
            return v;
        }
        in.next(LexMode.VALUE);
        if (t.kind() == Token.Kind.CHAR) {
            return Long.parseLong(t.value());
        }
        return SourceParser.number(t);
    }

    private static long apply(String op, long a, long b, Token at) throws DevicetreeException {
        switch (op) {
            case "||": return (a != 0 || b != 0) ? 1 : 0;
            case "&&": return (a != 0 && b != 0) ? 1 : 0;
            case "|": return a | b;
            case "^": return a ^ b;
            case "&": return a & b;
            case "==": return a == b ? 1 : 0;
            case "!=": return a != b ? 1 : 0;
            case "<": return Long.compareUnsigned(a, b) < 0 ? 1 : 0;
            case ">": return Long.compareUnsigned(a, b) > 0 ? 1 : 0;
            case "<=": return Long.compareUnsigned(a, b) <= 0 ? 1 : 0;
            case ">=": return Long.compareUnsigned(a, b) >= 0 ? 1 : 0;
            case "<<": return b >= 64 ? 0 : a << b;
            case ">>": return b >= 64 ? 0 : a >>> b;
            case "+": return a + b;
            case "-": return a - b;
            case "*": return a * b;
            default:
                if (b == 0) {
                    throw new DevicetreeException(at.location(), "division by zero in expression");
                }
                return op.equals("/") ? Long.divideUnsigned(a, b) : Long.remainderUnsigned(a, b);
        }
    }
}
