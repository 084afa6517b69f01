package dev.sluice.platform.devicetree;

/** Which token rules apply: the lexer is told by the parser, as Devicetree source needs. */
enum LexMode {
    /** Structure: keywords, names with node/property characters, labels, strings, punctuation. */
    DEFAULT,
    /** Inside values ({@code <...>}, {@code [...]}, expressions): C integers, identifiers, operators. */
    VALUE
}
