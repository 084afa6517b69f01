package dev.sluice.platform.devicetree;

/**
 * A lexical token of Devicetree source.
 *
 * @param kind     what sort of token
 * @param text     the source text, for messages
 * @param value    the decoded value: label or reference name, character code, or a string's
 *                 bytes (UTF-8 text and escaped bytes) carried one per char as ISO-8859-1
 * @param location where the token starts
 */
record Token(Kind kind, String text, String value, SourceLocation location) {

    enum Kind {
        /** {@code /dts-v1/}, {@code /memreserve/}, {@code /bits/}, {@code /delete-node/} ... */
        KEYWORD,
        /** a property or node name in default mode; a number or identifier in value mode */
        NAME,
        /** a label definition {@code name:} (value is the name) */
        LABEL,
        /** a quoted string (value is the decoded text) */
        STRING,
        /** a character literal {@code 'a'} (value is the decimal code) */
        CHAR,
        /** {@code &label} or <code>&amp;{/path}</code> (value is {@code label} or <code>{/path}</code>) */
        REF,
        /** punctuation or an operator */
        PUNCT,
        /** end of the input */
        EOF
    }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isPunct(String t) {
        return is(Kind.PUNCT, t);
    }

    boolean isKeyword(String t) {
        return is(Kind.KEYWORD, t);
    }

    /** @return the token as a message shows it: {@code '}'}, {@code end of file}, {@code string "x"} */
    String describe() {
        switch (kind) {
            case EOF:
                return "end of file";
            case STRING:
                return "string " + text;
            default:
                return "'" + text + "'";
        }
    }
}
