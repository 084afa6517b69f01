package dev.sluice.platform.devicetree;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decodes interrupt specifiers ({@code interrupts}, {@code interrupts-extended}) against the
 * interrupt parent's {@code #interrupt-cells}; the logic behind
 * {@link DeviceTreeNode#interrupts()} and {@link DeviceTreeNode#interruptParent()}.
 */
final class InterruptDecoder {

    private InterruptDecoder() {
    }

    /** Linux's walk (of_irq_find_parent); see {@link DeviceTreeNode#interruptParent()}. */
    static Optional<DeviceTreeNode> interruptParent(DeviceTreeNode node) throws DevicetreeException {
        Set<DeviceTreeNode> seen = new HashSet<>();
        DeviceTreeNode child = node;
        while (true) {
            Optional<DeviceTreeProperty> ip = child.property("interrupt-parent");
            DeviceTreeNode next;
            if (ip.isPresent()) {
                long ph = ip.get().asU32();
                next = node.tree().findByPhandle((int) ph).orElseThrow(() -> ip.get().error(
                        "phandle 0x" + Long.toHexString(ph) + " refers to no node"));
            } else {
                next = child.parent().orElse(null);
            }
            if (next == null) {
                return Optional.empty();
            }
            if (next.hasProperty("#interrupt-cells")) {
                return Optional.of(next);
            }
            if (!seen.add(next)) {
                throw new DevicetreeException(node.location(), "interrupt-parent chain of " + node.path()
                        + " loops at " + next.path());
            }
            child = next;
        }
    }

    /** See {@link DeviceTreeNode#interrupts()}. */
    static List<InterruptSpecifier> interrupts(DeviceTreeNode node) throws DevicetreeException {
        Optional<DeviceTreeProperty> ext = node.property("interrupts-extended");
        if (ext.isPresent()) {
            return extendedInterrupts(node, ext.get());
        }
        Optional<DeviceTreeProperty> irqs = node.property("interrupts");
        if (irqs.isEmpty()) {
            return List.of();
        }
        DeviceTreeProperty p = irqs.get();
        DeviceTreeNode controller = interruptParent(node).orElseThrow(() -> p.error(
                "no interrupt parent: neither this node nor an ancestor has an 'interrupt-parent' leading to a node with '#interrupt-cells'"));
        int n = interruptCells(controller);
        int[] cells = p.asCells();
        if (cells.length == 0 || cells.length % n != 0) {
            throw p.error("expected a multiple of " + n + " cells (#interrupt-cells of " + controller.path()
                    + ") but found " + cells.length);
        }
        List<InterruptSpecifier> out = new ArrayList<>();
        for (int i = 0; i < cells.length; i += n) {
            out.add(specifier(p, controller, cells, i, n));
        }
        return List.copyOf(out);
    }

    private static List<InterruptSpecifier> extendedInterrupts(DeviceTreeNode node, DeviceTreeProperty p)
            throws DevicetreeException {
        int[] cells = p.asCells();
        List<InterruptSpecifier> out = new ArrayList<>();
        int i = 0;
        while (i < cells.length) {
            int ph = cells[i];
            DeviceTreeNode controller = node.tree().findByPhandle(ph).orElseThrow(() -> p.error(
                    "phandle 0x" + Integer.toHexString(ph) + " refers to no node"));
            int n = interruptCells(controller);
            if (i + 1 + n > cells.length) {
                throw p.error("entry for " + controller.path() + " needs " + n + " cells after the phandle but only "
                        + (cells.length - i - 1) + " remain");
            }
            out.add(specifier(p, controller, cells, i + 1, n));
            i += 1 + n;
        }
        return List.copyOf(out);
    }

    private static int interruptCells(DeviceTreeNode controller) throws DevicetreeException {
        DeviceTreeProperty p = controller.property("#interrupt-cells").orElse(null);
        if (p == null) {
            throw new DevicetreeException(controller.location(), controller.path()
                    + " is used as an interrupt parent but has no '#interrupt-cells'");
        }
        long n = p.asU32();
        if (n < 1 || n > 4) {
            throw p.error("expected 1..4 interrupt cells but found " + n);
        }
        return (int) n;
    }

    private static InterruptSpecifier specifier(DeviceTreeProperty p, DeviceTreeNode controller, int[] cells,
            int from, int n) throws DevicetreeException {
        List<Integer> spec = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            spec.add(cells[from + k]);
        }
        IrqTrigger trigger = IrqTrigger.NONE;
        if (n >= 2) {
            int flags = cells[from + n - 1] & 0xf;
            trigger = IrqTrigger.fromFlags(flags);
            if (trigger == null) {
                throw p.error("interrupt " + Integer.toUnsignedString(cells[from]) + " has trigger type " + flags
                        + ", expected 1 (edge rising), 2 (edge falling), 3 (both edges), 4 (level high) or 8 (level low)");
            }
        }
        return new InterruptSpecifier(controller, cells[from], trigger, spec);
    }
}
