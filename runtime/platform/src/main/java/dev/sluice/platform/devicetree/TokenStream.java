package dev.sluice.platform.devicetree;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The parser's view of the input: tokens from a stack of lexers, one per open file. An
 * {@code /include/ "file"} anywhere pushes the included file; its end pops back. Peeked
 * tokens are relexed when the parser asks in another {@link LexMode}.
 */
final class TokenStream {

    private record Frame(DtsSource source, DtsLexer lexer) {
    }

    /** A token and the whole lexer stack as it was before it, to relex from. */
    private record Buffered(Token token, List<Frame> frames, List<DtsLexer.State> states) {
    }

    private final IncludeResolver resolver;
    private final Deque<Frame> files = new ArrayDeque<>();
    private final List<Buffered> buffer = new ArrayList<>();
    private LexMode bufferMode = LexMode.DEFAULT;

    TokenStream(DtsSource source, IncludeResolver resolver) {
        this.resolver = resolver;
        files.push(new Frame(source, new DtsLexer(source)));
    }

    Token peek(LexMode mode) throws DevicetreeException {
        return peek(mode, 0);
    }

    Token peek(LexMode mode, int k) throws DevicetreeException {
        if (mode != bufferMode && !buffer.isEmpty()) {
            Buffered first = buffer.get(0);
            files.clear();
            for (int i = 0; i < first.frames().size(); i++) {
                Frame f = first.frames().get(i);
                f.lexer().restore(first.states().get(i));
                files.addLast(f);
            }
            buffer.clear();
        }
        bufferMode = mode;
        while (buffer.size() <= k) {
            buffer.add(lexOne(mode));
        }
        return buffer.get(k).token();
    }

    Token next(LexMode mode) throws DevicetreeException {
        Token t = peek(mode, 0);
        buffer.remove(0);
        return t;
    }

    private Buffered lexOne(LexMode mode) throws DevicetreeException {
        while (true) {
            Frame f = files.peek();
            f.lexer().stateBeforeToken();
            List<Frame> frames = new ArrayList<>(files);
            List<DtsLexer.State> states = new ArrayList<>();
            for (Frame open : frames) {
                states.add(open.lexer().save());
            }
            Token t = f.lexer().next(mode);
            if (t.kind() == Token.Kind.EOF && files.size() > 1) {
                files.pop();
                continue;
            }
            if (t.isKeyword("/include/")) {
                Token name = f.lexer().next(LexMode.DEFAULT);
                if (name.kind() != Token.Kind.STRING) {
                    throw new DevicetreeException(name.location(),
                            "expected a file name in quotes after /include/ but found " + name.describe());
                }
                push(f, name);
                continue;
            }
            return new Buffered(t, frames, states);
        }
    }

    private void push(Frame from, Token name) throws DevicetreeException {
        Optional<DtsSource> found;
        try {
            found = resolver.resolve(from.source(), name.value());
        } catch (IOException e) {
            throw new DevicetreeException(name.location(), "cannot read include file '" + name.value() + "': " + e, e);
        }
        if (found.isEmpty()) {
            throw new DevicetreeException(name.location(), "cannot find include file '" + name.value()
                    + "' (looked relative to " + from.source().name() + ")");
        }
        DtsSource source = found.get();
        for (Frame open : files) {
            if (open.source().name().equals(source.name())) {
                StringBuilder chain = new StringBuilder();
                Iterator<Frame> outerFirst = files.descendingIterator();
                while (outerFirst.hasNext()) {
                    chain.append(outerFirst.next().source().name()).append(" -> ");
                }
                chain.append(source.name());
                throw new DevicetreeException(name.location(), "include cycle: " + chain);
            }
        }
        files.push(new Frame(source, new DtsLexer(source)));
    }
}
