package dev.sluice.platform.devicetree;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recursive-descent parser for one Devicetree source (and what it includes), building a
 * {@link MutableNode} tree and then resolving references. One instance parses one input.
 *
 * <pre>
 * file      = "/dts-v1/" ";" { top }
 * top       = "/dts-v1/" ";" | "/memreserve/" prim prim ";" | {LABEL} ("/" | REF) body ";"
 *           | "/delete-node/" REF ";"
 * body      = "{" { {LABEL} NAME ( "=" value {"," value} ";" | ";" | body ";" )
 *           | "/delete-node/" NAME ";" | "/delete-property/" NAME ";" } "}"
 * value     = STRING | REF | ["/bits/" prim] "&lt;" { prim | REF } "&gt;" | "[" {hex bytes} "]"
 * prim      = NUMBER | CHAR | "(" expression ")"
 * </pre>
 */
final class SourceParser {

    private record LabelDef(MutableNode node, MutableProperty property, SourceLocation where) {
    }

    /** Deeper nesting than any real board; bounds the parser's recursion. */
    static final int MAX_DEPTH = 64;

    private final TokenStream in;
    private final String rootFile;
    private final MutableNode root;
    private final Map<String, LabelDef> labels = new HashMap<>();
    private final List<MemoryReservation> reservations = new ArrayList<>();

    SourceParser(DtsSource source, IncludeResolver resolver) {
        this.in = new TokenStream(source, resolver);
        this.rootFile = source.name();
        this.root = new MutableNode("", null, new SourceLocation(source.name(), 1, 1));
    }

    DeviceTree parse() throws DevicetreeException {
        Token first = in.peek(LexMode.DEFAULT);
        if (!first.isKeyword("/dts-v1/")) {
            throw new DevicetreeException(first.location(), "expected '/dts-v1/;' at the start of the file but found "
                    + first.describe() + " (sources without the version tag are not supported)");
        }
        boolean rootSeen = false;
        while (true) {
            List<Token> defined = labelsAhead();
            Token t = in.peek(LexMode.DEFAULT);
            if (t.kind() == Token.Kind.EOF) {
                if (!defined.isEmpty()) {
                    throw expected("a node after label '" + defined.get(0).value() + "'", t);
                }
                break;
            }
            if (t.isKeyword("/dts-v1/")) {
                in.next(LexMode.DEFAULT);
                expectSemicolon("after /dts-v1/");
            } else if (t.isKeyword("/plugin/")) {
                throw new DevicetreeException(t.location(), "overlays (/plugin/) are not supported: expected a complete board");
            } else if (t.isKeyword("/memreserve/")) {
                in.next(LexMode.DEFAULT);
                long address = primary();
                long size = primary();
                reservations.add(new MemoryReservation(address, size));
                expectSemicolon("after /memreserve/ address and size");
            } else if (t.isPunct("/")) {
                in.next(LexMode.DEFAULT);
                defineLabels(defined, root);
                nodeBody(root, 0);
                expectSemicolon("after '}' closing node '/'");
                rootSeen = true;
            } else if (t.kind() == Token.Kind.REF) {
                in.next(LexMode.DEFAULT);
                if (!rootSeen) {
                    throw new DevicetreeException(t.location(), "reference " + t.text()
                            + " before the root node: expected '/ { ... };' first");
                }
                MutableNode target = lookup(t);
                defineLabels(defined, target);
                nodeBody(target, 0);
                expectSemicolon("after '}' closing node '" + t.text() + "'");
            } else if (t.isKeyword("/delete-node/")) {
                in.next(LexMode.DEFAULT);
                Token ref = in.next(LexMode.DEFAULT);
                if (ref.kind() != Token.Kind.REF) {
                    throw expected("&label or &{/path} after /delete-node/ at top level", ref);
                }
                MutableNode target = lookup(ref);
                if (target.parent == null) {
                    throw new DevicetreeException(ref.location(), "cannot delete the root node");
                }
                deleteNode(target);
                expectSemicolon("after /delete-node/ " + ref.text());
            } else if (t.isKeyword("/omit-if-no-ref/")) {
                throw new DevicetreeException(t.location(), "/omit-if-no-ref/ is not supported");
            } else if (t.isPunct("}")) {
                throw new DevicetreeException(t.location(), "unbalanced braces: found '}' at top level where no node is open");
            } else {
                throw expected("'/ {', '&label {', '/memreserve/' or '/delete-node/' at top level", t);
            }
        }
        if (!rootSeen) {
            throw new DevicetreeException(new SourceLocation(rootFile, 1, 1), "no root node: expected '/ { ... };'");
        }
        new ReferenceResolver(root, this::labelTarget).resolve();
        return new DeviceTree(root, reservations, 0);
    }

    private void nodeBody(MutableNode node, int depth) throws DevicetreeException {
        Token open = in.next(LexMode.DEFAULT);
        if (!open.isPunct("{")) {
            throw expected("'{' to open node '" + display(node) + "'", open);
        }
        if (depth >= MAX_DEPTH) {
            throw new DevicetreeException(open.location(), "nodes nested deeper than " + MAX_DEPTH + " levels");
        }
        Map<String, SourceLocation> propertiesHere = new HashMap<>();
        Map<String, SourceLocation> childrenHere = new HashMap<>();
        while (true) {
            List<Token> defined = labelsAhead();
            Token t = in.peek(LexMode.DEFAULT);
            if (t.isPunct("}") && defined.isEmpty()) {
                in.next(LexMode.DEFAULT);
                return;
            }
            if (t.kind() == Token.Kind.EOF) {
                throw new DevicetreeException(t.location(), "unbalanced braces: expected '}' to close node '"
                        + display(node) + "' opened at " + open.location() + " but found end of file");
            }
            if (t.isKeyword("/delete-property/") || t.isKeyword("/delete-node/")) {
                in.next(LexMode.DEFAULT);
                Token name = in.next(LexMode.DEFAULT);
                if (name.kind() != Token.Kind.NAME) {
                    throw expected("a name after " + t.text(), name);
                }
                if (t.isKeyword("/delete-property/")) {
                    if (node.properties.remove(name.value()) == null) {
                        throw new DevicetreeException(name.location(), "/delete-property/: node '" + display(node)
                                + "' has no property '" + name.value() + "'");
                    }
                    propertiesHere.remove(name.value());
                } else {
                    MutableNode child = node.children.get(name.value());
                    if (child == null) {
                        throw new DevicetreeException(name.location(), "/delete-node/: node '" + display(node)
                                + "' has no child '" + name.value() + "'");
                    }
                    deleteNode(child);
                    childrenHere.remove(name.value());
                }
                expectSemicolon("after " + t.text() + " " + name.value());
                continue;
            }
            if (t.kind() != Token.Kind.NAME) {
                throw expected("a property, a child node or '}' in node '" + display(node) + "'", t);
            }
            Token after = in.peek(LexMode.DEFAULT, 1);
            if (after.isPunct("{")) {
                in.next(LexMode.DEFAULT);
                checkNodeName(t);
                SourceLocation earlier = childrenHere.putIfAbsent(t.value(), t.location());
                if (earlier != null) {
                    throw new DevicetreeException(t.location(), "duplicate node '" + t.value() + "' in node '"
                            + display(node) + "' (first defined at " + earlier + ")");
                }
                MutableNode child = node.childFor(t.value(), t.location());
                defineLabels(defined, child);
                nodeBody(child, depth + 1);
                expectSemicolon("after '}' closing node '" + t.value() + "'");
            } else if (after.isPunct("=") || after.isPunct(";")) {
                in.next(LexMode.DEFAULT);
                checkPropertyName(t);
                SourceLocation earlier = propertiesHere.putIfAbsent(t.value(), t.location());
                if (earlier != null) {
                    throw new DevicetreeException(t.location(), "duplicate property '" + t.value() + "' in node '"
                            + display(node) + "' (first defined at " + earlier + ")");
                }
                MutableProperty p = new MutableProperty(t.value(), t.location());
                for (Token label : defined) {
                    defineLabel(label, null, p);
                    p.labels.add(label.value());
                }
                if (in.next(LexMode.DEFAULT).isPunct("=")) {
                    value(p);
                    // value mode: in default mode ',' would start a name
                    while (in.peek(LexMode.VALUE).isPunct(",")) {
                        in.next(LexMode.VALUE);
                        value(p);
                    }
                    expectSemicolon("after property '" + p.name + "'");
                }
                node.put(p);
            } else {
                throw expected("'=', ';' or '{' after '" + t.value() + "'", after);
            }
        }
    }

    private void value(MutableProperty p) throws DevicetreeException {
        Token t = in.peek(LexMode.DEFAULT);
        if (t.kind() == Token.Kind.STRING) {
            in.next(LexMode.DEFAULT);
            p.chunks.add(new ValueChunk.Text(t.value().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        } else if (t.kind() == Token.Kind.REF) {
            in.next(LexMode.DEFAULT);
            p.references.add(new MutableProperty.Reference(p.chunks.size(), -1, t.value(), t.location()));
            p.chunks.add(new ValueChunk.PathRef(t.value(), ""));
        } else if (t.isPunct("<")) {
            cells(p, 32);
        } else if (t.isKeyword("/bits/")) {
            in.next(LexMode.DEFAULT);
            Token widthToken = in.peek(LexMode.VALUE);
            long bits = primary();
            if (bits != 8 && bits != 16 && bits != 32 && bits != 64) {
                throw new DevicetreeException(widthToken.location(), "/bits/ " + Long.toUnsignedString(bits)
                        + " is not a cell width: expected 8, 16, 32 or 64");
            }
            Token open = in.peek(LexMode.DEFAULT);
            if (!open.isPunct("<")) {
                throw expected("'<' after /bits/ " + bits, open);
            }
            cells(p, (int) bits);
        } else if (t.isPunct("[")) {
            bytes(p);
        } else {
            throw expected("a value (\"string\", <cells>, [bytes] or &label) for property '" + p.name + "'", t);
        }
    }

    private void cells(MutableProperty p, int bits) throws DevicetreeException {
        Token open = in.next(LexMode.DEFAULT);
        List<Long> values = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        int chunk = p.chunks.size();
        while (true) {
            Token t = in.peek(LexMode.VALUE);
            if (t.isPunct(">")) {
                in.next(LexMode.VALUE);
                break;
            }
            if (t.kind() == Token.Kind.EOF || t.isPunct(";") || t.isPunct("}")) {
                throw expected("'>' to close the cells of property '" + p.name + "' opened at " + open.location(), t);
            }
            if (t.kind() == Token.Kind.REF) {
                in.next(LexMode.VALUE);
                if (bits != 32) {
                    throw new DevicetreeException(t.location(), "reference " + t.text()
                            + " in /bits/ " + bits + " cells: phandle references need 32-bit cells");
                }
                p.references.add(new MutableProperty.Reference(chunk, values.size(), t.value(), t.location()));
                values.add(0L);
                refs.add(t.value());
                continue;
            }
            long v = primary();
            if (bits < 64) {
                long mask = (1L << bits) - 1;
                boolean fits = (v & ~mask) == 0 || (v | mask) == -1L;
                if (!fits) {
                    throw new DevicetreeException(t.location(), "cell value 0x" + Long.toHexString(v)
                            + " is too big for " + bits + " bits");
                }
                v &= mask;
            }
            values.add(v);
            refs.add(null);
        }
        long[] vs = values.stream().mapToLong(Long::longValue).toArray();
        p.chunks.add(new ValueChunk.Cells(bits, vs, refs.toArray(new String[0])));
    }

    private void bytes(MutableProperty p) throws DevicetreeException {
        Token open = in.next(LexMode.DEFAULT);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (true) {
            Token t = in.next(LexMode.VALUE);
            if (t.isPunct("]")) {
                break;
            }
            if (t.kind() != Token.Kind.NAME) {
                throw expected("hex bytes or ']' to close the bytes of property '" + p.name + "' opened at "
                        + open.location(), t);
            }
            String hex = t.value();
            if (hex.length() % 2 != 0 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new DevicetreeException(t.location(), "bad bytes '" + hex
                        + "': expected pairs of hex digits such as 0a 1b or 0a1b");
            }
            for (int i = 0; i < hex.length(); i += 2) {
                out.write(Integer.parseInt(hex.substring(i, i + 2), 16));
            }
        }
        p.chunks.add(new ValueChunk.Bytes(out.toByteArray()));
    }

    /** {@code NUMBER | CHAR | "(" expression ")"}, in value mode. */
    private long primary() throws DevicetreeException {
        Token t = in.next(LexMode.VALUE);
        if (t.kind() == Token.Kind.CHAR) {
            return Long.parseLong(t.value());
        }
        if (t.isPunct("(")) {
            long v = new Expression(in).parse(0);
            Token close = in.next(LexMode.VALUE);
            if (!close.isPunct(")")) {
                throw expected("')' to close the expression opened at " + t.location(), close);
            }
            return v;
        }
        return number(t);
    }

    static long number(Token t) throws DevicetreeException {
        if (t.kind() == Token.Kind.NAME && NumberLiteral.looksNumeric(t.value())) {
            return NumberLiteral.parse(t.value(), t.location());
        }
        if (t.kind() == Token.Kind.NAME) {
            throw new DevicetreeException(t.location(), "'" + t.value() + "' is not a number; if it is a C"
                    + " preprocessor macro, run 'cpp -nostdinc -undef -x assembler-with-cpp' on the board first");
        }
        throw expected("a number, a 'c'haracter or '(' expression ')'", t);
    }

    private List<Token> labelsAhead() throws DevicetreeException {
        List<Token> out = new ArrayList<>();
        while (in.peek(LexMode.DEFAULT).kind() == Token.Kind.LABEL) {
            out.add(in.next(LexMode.DEFAULT));
        }
        return out;
    }

    private void defineLabels(List<Token> defined, MutableNode node) throws DevicetreeException {
        for (Token label : defined) {
            defineLabel(label, node, null);
            node.addLabel(label.value());
        }
    }

    private void defineLabel(Token label, MutableNode node, MutableProperty property) throws DevicetreeException {
        LabelDef existing = labels.get(label.value());
        if (existing != null && !(node != null && existing.node() == node)) {
            throw new DevicetreeException(label.location(), "duplicate label '" + label.value()
                    + "': already defined at " + existing.where());
        }
        if (existing == null) {
            labels.put(label.value(), new LabelDef(node, property, label.location()));
        }
    }

    private MutableNode lookup(Token ref) throws DevicetreeException {
        return labelTarget(ref.value(), ref.location());
    }

    /** Resolves a reference name ({@code label} or <code>{/path}</code>) to a node of the tree. */
    private MutableNode labelTarget(String ref, SourceLocation where) throws DevicetreeException {
        if (ref.startsWith("{")) {
            String path = ref.substring(1, ref.length() - 1);
            MutableNode n = byPath(path);
            if (n == null) {
                throw new DevicetreeException(where, "reference &" + ref + " names no node: no node has path '"
                        + path + "'");
            }
            return n;
        }
        LabelDef def = labels.get(ref);
        if (def == null) {
            throw new DevicetreeException(where, "unknown label '" + ref + "' in reference '&" + ref + "'"
                    + Suggestions.didYouMean(ref, labels.keySet()));
        }
        if (def.node() == null) {
            throw new DevicetreeException(where, "label '" + ref + "' names a property, not a node (defined at "
                    + def.where() + ")");
        }
        return def.node();
    }

    private MutableNode byPath(String path) {
        MutableNode at = root;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            MutableNode next = at.children.get(part);
            if (next == null && part.indexOf('@') < 0) {
                for (MutableNode c : at.children.values()) {
                    String base = c.name.indexOf('@') < 0 ? c.name : c.name.substring(0, c.name.indexOf('@'));
                    if (base.equals(part)) {
                        if (next != null) {
                            return null;
                        }
                        next = c;
                    }
                }
            }
            if (next == null) {
                return null;
            }
            at = next;
        }
        return at;
    }

    private void deleteNode(MutableNode node) {
        node.parent.children.remove(node.name);
        Set<MutableNode> gone = new HashSet<>();
        collect(node, gone);
        labels.values().removeIf(d -> gone.contains(d.node()));
        Set<MutableProperty> goneProps = new HashSet<>();
        for (MutableNode n : gone) {
            goneProps.addAll(n.properties.values());
        }
        labels.values().removeIf(d -> d.property() != null && goneProps.contains(d.property()));
    }

    private static void collect(MutableNode n, Set<MutableNode> into) {
        into.add(n);
        for (MutableNode c : n.children.values()) {
            collect(c, into);
        }
    }

    private void expectSemicolon(String context) throws DevicetreeException {
        Token t = in.next(LexMode.DEFAULT);
        if (!t.isPunct(";")) {
            throw expected("';' " + context, t);
        }
    }

    private static void checkNodeName(Token t) throws DevicetreeException {
        String name = t.value();
        int at = name.indexOf('@');
        String base = at < 0 ? name : name.substring(0, at);
        boolean ok = !base.isEmpty() && base.length() <= 31 && name.indexOf('@', at + 1) < 0
                && base.chars().allMatch(c -> Character.isLetterOrDigit(c) || ",._+-".indexOf(c) >= 0)
                && (at < 0 || (at < name.length() - 1 && name.substring(at + 1).chars()
                        .allMatch(c -> Character.isLetterOrDigit(c) || ",._+-".indexOf(c) >= 0)));
        if (!ok) {
            throw new DevicetreeException(t.location(), "bad node name '" + name
                    + "': expected name[@unit-address] with letters, digits and , . _ + - (name at most 31 characters)");
        }
    }

    private static void checkPropertyName(Token t) throws DevicetreeException {
        if (t.value().indexOf('@') >= 0) {
            throw new DevicetreeException(t.location(), "bad property name '" + t.value()
                    + "': '@' is only allowed in node names");
        }
    }

    private static String display(MutableNode n) {
        return n.parent == null ? "/" : n.name;
    }

    static DevicetreeException expected(String what, Token found) {
        return new DevicetreeException(found.location(), "expected " + what + " but found " + found.describe());
    }
}
