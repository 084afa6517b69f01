/**
 * Board descriptions in Devicetree form (Devicetree Specification v0.4): a hand-written
 * parser for {@code .dts} source ({@link dev.sluice.platform.devicetree.DtsParser}), a reader
 * and writer for flattened blobs ({@link dev.sluice.platform.devicetree.DtbReader},
 * {@link dev.sluice.platform.devicetree.DtbWriter}), a printer back to source
 * ({@link dev.sluice.platform.devicetree.DtsPrinter}), the immutable tree they share
 * ({@link dev.sluice.platform.devicetree.DeviceTree}) and the boards embedded in this bundle
 * ({@link dev.sluice.platform.devicetree.Boards}).
 *
 * <p>Every problem in a board is reported as a checked
 * {@link dev.sluice.platform.devicetree.DevicetreeException} naming file, line and column.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.platform.devicetree;
