package dev.sluice.platform.devicetree;

import java.util.Set;

/**
 * Hand-written lexer for one Devicetree source file. It skips whitespace, C and C++ comments
 * and C preprocessor line markers ({@code # 12 "board.dts"}, which move the reported
 * position), refuses other preprocessor directives, and produces {@link Token}s under the
 * {@link LexMode} the parser asks for.
 */
final class DtsLexer {

    private static final Set<String> KEYWORDS = Set.of("/dts-v1/", "/plugin/", "/memreserve/", "/bits/",
            "/delete-node/", "/delete-property/", "/include/", "/omit-if-no-ref/");
    private static final Set<String> DIRECTIVES = Set.of("include", "define", "undef", "if", "ifdef", "ifndef",
            "elif", "else", "endif", "pragma", "error", "warning", "import", "include_next");
    private static final String CPP_ADVICE = "run 'cpp -nostdinc -undef -x assembler-with-cpp' on the board first";
    private static final String[] OPERATORS = {"<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
        "+", "-", "*", "/", "%", "&", "|", "^", "~", "!", "<", ">", "?", ":", "(", ")", ",", ";", "[", "]", "=",
        "{", "}"};

    /** A position to come back to when the parser relexes in another mode. */
    record State(int pos, int line, int column, String file) {
    }

    private final String text;
    private int pos;
    private int line = 1;
    private int column = 1;
    private String file;

    DtsLexer(DtsSource source) {
        this.text = source.text();
        this.file = source.name();
    }

    State save() {
        return new State(pos, line, column, file);
    }

    void restore(State s) {
        pos = s.pos();
        line = s.line();
        column = s.column();
        file = s.file();
    }

    SourceLocation here() {
        return new SourceLocation(file, line, column);
    }

    /** Skips trivia and returns the state at the start of the next token. */
    State stateBeforeToken() throws DevicetreeException {
        skipTrivia();
        return save();
    }

    Token next(LexMode mode) throws DevicetreeException {
        skipTrivia();
        SourceLocation at = here();
        if (pos >= text.length()) {
            return new Token(Token.Kind.EOF, "", "", at);
        }
        char c = text.charAt(pos);
        if (c == '"') {
            return string(at);
        }
        if (c == '\'') {
            return charLiteral(at);
        }
        if (c == '&' && pos + 1 < text.length()) {
            char n = text.charAt(pos + 1);
            if (n == '{') {
                return pathReference(at);
            }
            if (isLabelStart(n)) {
                int start = pos;
                advance(1);
                while (pos < text.length() && isLabelChar(text.charAt(pos))) {
                    advance(1);
                }
                String name = text.substring(start + 1, pos);
                return new Token(Token.Kind.REF, "&" + name, name, at);
            }
        }
        if (mode == LexMode.DEFAULT) {
            if (c == '/') {
                Token k = keyword(at);
                if (k != null) {
                    return k;
                }
            }
            if (isNameChar(c)) {
                int start = pos;
                while (pos < text.length() && isNameChar(text.charAt(pos))) {
                    advance(1);
                }
                String name = text.substring(start, pos);
                if (pos < text.length() && text.charAt(pos) == ':' && isLabel(name)) {
                    advance(1);
                    return new Token(Token.Kind.LABEL, name + ":", name, at);
                }
                return new Token(Token.Kind.NAME, name, name, at);
            }
        } else if (isValueNameChar(c)) {
            int start = pos;
            while (pos < text.length() && isValueNameChar(text.charAt(pos))) {
                advance(1);
            }
            String name = text.substring(start, pos);
            return new Token(Token.Kind.NAME, name, name, at);
        }
        for (String op : OPERATORS) {
            if (text.startsWith(op, pos) && (mode == LexMode.VALUE || op.length() == 1)) {
                advance(op.length());
                return new Token(Token.Kind.PUNCT, op, op, at);
            }
        }
        throw new DevicetreeException(at, "unexpected character '" + printable(c) + "'");
    }

    private Token keyword(SourceLocation at) throws DevicetreeException {
        int end = pos + 1;
        while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '-'
                || text.charAt(end) == '_')) {
            end++;
        }
        if (end == pos + 1 || end >= text.length() || text.charAt(end) != '/') {
            return null;
        }
        String word = text.substring(pos, end + 1);
        if (!KEYWORDS.contains(word)) {
            throw new DevicetreeException(at, "unknown directive '" + word + "': expected one of "
                    + "/dts-v1/, /memreserve/, /bits/, /include/, /delete-node/, /delete-property/");
        }
        advance(word.length());
        return new Token(Token.Kind.KEYWORD, word, word, at);
    }

    private Token string(SourceLocation at) throws DevicetreeException {
        int start = pos;
        advance(1);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n') {
                throw new DevicetreeException(at, "unterminated string: expected '\"' before the end of the "
                        + (pos >= text.length() ? "file" : "line"));
            }
            char c = text.charAt(pos);
            if (c == '"') {
                advance(1);
                return new Token(Token.Kind.STRING, text.substring(start, pos),
                        new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1), at);
            }
            if (c == '\\') {
                bytes.write(escape(at));
            } else {
                int cp = text.codePointAt(pos);
                bytes.writeBytes(new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                advance(Character.charCount(cp));
            }
        }
    }

    private Token charLiteral(SourceLocation at) throws DevicetreeException {
        int start = pos;
        advance(1);
        if (pos >= text.length() || text.charAt(pos) == '\n' || text.charAt(pos) == '\'') {
            throw new DevicetreeException(at, "bad character literal: expected one character between quotes");
        }
        int code;
        if (text.charAt(pos) == '\\') {
            code = escape(at);
        } else {
            code = text.charAt(pos);
            advance(1);
        }
        if (pos >= text.length() || text.charAt(pos) != '\'') {
            throw new DevicetreeException(at, "bad character literal: expected a closing \"'\" after one character");
        }
        advance(1);
        return new Token(Token.Kind.CHAR, text.substring(start, pos), Integer.toString(code), at);
    }

    /** Decodes an escape at {@code pos} (which is the backslash). */
    private int escape(SourceLocation at) throws DevicetreeException {
        advance(1);
        if (pos >= text.length() || text.charAt(pos) == '\n') {
            throw new DevicetreeException(at, "unterminated string: backslash at the end of the line");
        }
        char e = text.charAt(pos);
        advance(1);
        switch (e) {
            case 'a': return 7;
            case 'b': return 8;
            case 't': return 9;
            case 'n': return 10;
            case 'v': return 11;
            case 'f': return 12;
            case 'r': return 13;
            case 'x': {
                int v = 0;
                int n = 0;
                while (n < 2 && pos < text.length() && Character.digit(text.charAt(pos), 16) >= 0) {
                    v = v * 16 + Character.digit(text.charAt(pos), 16);
                    advance(1);
                    n++;
                }
                if (n == 0) {
                    throw new DevicetreeException(at, "bad escape '\\x': expected hex digits after it");
                }
                return v;
            }
            default:
                if (e >= '0' && e <= '7') {
                    int v = e - '0';
                    int n = 1;
                    while (n < 3 && pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '7') {
                        v = v * 8 + (text.charAt(pos) - '0');
                        advance(1);
                        n++;
                    }
                    return v & 0xff;
                }
                return e;
        }
    }

    private Token pathReference(SourceLocation at) throws DevicetreeException {
        int start = pos;
        int close = text.indexOf('}', pos);
        int eol = text.indexOf('\n', pos);
        if (close < 0 || (eol >= 0 && eol < close)) {
            throw new DevicetreeException(at, "unterminated path reference: expected '}' after '&{'");
        }
        advance(close + 1 - pos);
        String inner = text.substring(start + 1, pos);
        if (inner.length() < 3 || inner.charAt(1) != '/') {
            throw new DevicetreeException(at, "bad path reference '&" + inner + "': expected &{/path/to/node}");
        }
        return new Token(Token.Kind.REF, "&" + inner, inner, at);
    }

    private void skipTrivia() throws DevicetreeException {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
                advance(1);
            } else if (text.startsWith("/*", pos)) {
                SourceLocation at = here();
                int end = text.indexOf("*/", pos + 2);
                if (end < 0) {
                    throw new DevicetreeException(at, "unterminated comment: expected '*/' to close the '/*'");
                }
                advance(end + 2 - pos);
            } else if (text.startsWith("//", pos)) {
                int end = text.indexOf('\n', pos);
                advance((end < 0 ? text.length() : end) - pos);
            } else if (c == '#' && onlyBlanksBefore(pos)) {
                if (!preprocessorLine()) {
                    return;
                }
            } else {
                return;
            }
        }
    }

    /**
     * Handles a {@code #} at the start of a line: a line marker from cpp is consumed (and moves
     * the position); a directive is refused; anything else ({@code #address-cells}) is left.
     */
    private boolean preprocessorLine() throws DevicetreeException {
        SourceLocation at = here();
        int p = pos + 1;
        while (p < text.length() && (text.charAt(p) == ' ' || text.charAt(p) == '\t')) {
            p++;
        }
        int wordStart = p;
        while (p < text.length() && Character.isLetterOrDigit(text.charAt(p))) {
            p++;
        }
        String word = text.substring(wordStart, p);
        boolean wordEnds = p >= text.length() || !isNameChar(text.charAt(p));
        if (!wordEnds || word.isEmpty()) {
            return false;
        }
        int eol = text.indexOf('\n', pos);
        String rest = text.substring(p, eol < 0 ? text.length() : eol).trim();
        if (word.equals("line") || word.chars().allMatch(Character::isDigit)) {
            String number = word.equals("line") ? rest.split("\\s+")[0] : word;
            String after = word.equals("line") ? rest.substring(number.length()).trim() : rest;
            if (number.isEmpty() || !number.chars().allMatch(Character::isDigit)) {
                throw new DevicetreeException(at, "bad line marker: expected '# <line> \"<file>\"'");
            }
            advance((eol < 0 ? text.length() : eol + 1) - pos);
            line = Integer.parseInt(number);
            column = 1;
            if (after.startsWith("\"")) {
                int q = after.indexOf('"', 1);
                if (q > 0) {
                    file = after.substring(1, q);
                }
            }
            return true;
        }
        if (DIRECTIVES.contains(word)) {
            String hint = word.equals("include") || word.equals("include_next")
                    ? "'#" + word + "' is a C preprocessor directive and this parser does not run cpp: " + CPP_ADVICE
                        + " (or use /include/ \"file\")"
                    : "'#" + word + "' is a C preprocessor directive and this parser does not run cpp: " + CPP_ADVICE;
            throw new DevicetreeException(at, hint);
        }
        return false;
    }

    private boolean onlyBlanksBefore(int p) {
        for (int i = p - 1; i >= 0; i--) {
            char c = text.charAt(i);
            if (c == '\n') {
                return true;
            }
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return true;
    }

    private void advance(int n) {
        for (int i = 0; i < n; i++) {
            if (text.charAt(pos) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
            pos++;
        }
    }

    static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || ",._+*#?@-".indexOf(c) >= 0;
    }

    private static boolean isValueNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    static boolean isLabelStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    static boolean isLabelChar(char c) {
        return isLabelStart(c) || c >= '0' && c <= '9';
    }

    static boolean isLabel(String s) {
        if (s.isEmpty() || !isLabelStart(s.charAt(0))) {
            return false;
        }
        return s.chars().allMatch(ch -> isLabelChar((char) ch));
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
