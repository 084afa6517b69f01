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

    /** Parentheses nested deeper than this are refused; bounds the recursion. */
    private static final int MAX_NESTING = 64;

    private int nesting;

    /**
     * @param depth parentheses already open around this expression
     * @return the value
     * @throws DevicetreeException for a malformed expression or division by zero
     */
    long parse(int depth) throws DevicetreeException {
        nesting = depth;
        return ternary();
    }

    private long ternary() throws DevicetreeException {
        long cond = binary(0);
        Token question = in.peek(LexMode.VALUE);
        if (question.isPunct("?")) {
            in.next(LexMode.VALUE);
            if (++nesting > MAX_NESTING) {
                throw new DevicetreeException(question.location(), "expression nested deeper than " + MAX_NESTING
                        + " levels");
            }
            long a = ternary();
            Token colon = in.next(LexMode.VALUE);
            if (!colon.isPunct(":")) {
                throw SourceParser.expected("':' in a ?: expression", colon);
            }
            long b = ternary();
            nesting--;
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
        StringBuilder prefixes = new StringBuilder();
        Token t = in.peek(LexMode.VALUE);
        while (t.isPunct("-") || t.isPunct("~") || t.isPunct("!")) {
            in.next(LexMode.VALUE);
            prefixes.append(t.text());
            t = in.peek(LexMode.VALUE);
        }
        long v = operand(t);
        for (int i = prefixes.length() - 1; i >= 0; i--) {
            char op = prefixes.charAt(i);
            v = op == '-' ? -v : op == '~' ? ~v : (v == 0 ? 1 : 0);
        }
        return v;
    }

    private long operand(Token t) throws DevicetreeException {
        if (t.isPunct("(")) {
            in.next(LexMode.VALUE);
            if (++nesting > MAX_NESTING) {
                throw new DevicetreeException(t.location(), "expression nested deeper than " + MAX_NESTING + " levels");
            }
            long v = ternary();
            nesting--;
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
