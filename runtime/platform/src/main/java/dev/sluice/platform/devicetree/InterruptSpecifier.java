package dev.sluice.platform.devicetree;

import java.util.List;
import java.util.Objects;

/**
 * One interrupt of a device: the controller it is wired to and the specifier cells, decoded
 * with that controller's {@code #interrupt-cells}.
 *
 * <p>{@link #line()} is the first cell. When the controller uses two or more cells the last
 * one is the flags cell and {@link #trigger()} is its trigger type (for {@code sluice,intc}
 * with {@code #interrupt-cells = <2>}: {@code <line type>}); with one cell it is
 * {@link IrqTrigger#NONE}.
 *
 * @param controller the interrupt controller node
 * @param line       the first specifier cell, the line number for {@code sluice,intc}
 * @param trigger    the trigger type from the flags cell
 * @param cells      every specifier cell (unsigned values in {@code int}s)
 */
public record InterruptSpecifier(DeviceTreeNode controller, int line, IrqTrigger trigger, List<Integer> cells) {

    /** Copies the cells. */
    public InterruptSpecifier {
        Objects.requireNonNull(controller, "controller");
        Objects.requireNonNull(trigger, "trigger");
        cells = List.copyOf(cells);
    }

    /** @return {@code <line> <trigger> on <controller path>} */
    @Override
    public String toString() {
        return line + " " + trigger + " on " + controller.path();
    }
}
