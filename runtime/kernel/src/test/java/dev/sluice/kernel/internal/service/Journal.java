package dev.sluice.kernel.internal.service;

import java.util.ArrayList;
import java.util.List;

/** What test drivers did, in order; a nub carries it as property "journal" so drivers hold no static state. */
final class Journal {
    private final List<String> lines = new ArrayList<>();

    synchronized void add(String line) {
        lines.add(line);
        notifyAll();
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized List<String> matching(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }
}
