package dev.sluice.platform.devicetree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parser and the blob writer agree with dtc 1.6.1. The .dtb fixtures were made once with
 * {@code dtc -I dts -O dtb} and are committed, so the build needs no dtc.
 */
class DtcConformanceTest {

    @ParameterizedTest(name = "embedded board {0} describes the tree dtc compiled into dtc/{0}.dtb")
    @ValueSource(strings = {"microvm", "stress"})
    void embeddedBoardMatchesDtc(String board) throws DevicetreeException {
        DeviceTree parsed = Boards.load(board);
        DeviceTree fromDtc = DtbReader.read(board + ".dtb", Fixtures.bytes("dtc/" + board + ".dtb"));
        assertEquals(DtsPrinter.print(fromDtc), DtsPrinter.print(strip(parsed)), "printed forms (for diagnosis)");
        assertEquals(fromDtc, parsed);
    }

    @ParameterizedTest(name = "DtbWriter output for board {0} is byte-identical to dtc's")
    @ValueSource(strings = {"microvm", "stress"})
    void embeddedBoardBlobIsByteIdentical(String board) throws DevicetreeException {
        assertArrayEquals(Fixtures.bytes("dtc/" + board + ".dtb"), DtbWriter.write(Boards.load(board)));
    }

    @Test
    void everySourceFeatureBuildsTheTreeDtcBuilds() throws DevicetreeException {
        DeviceTree parsed = DtsParser.parse(Fixtures.path("syntax/features.dts"));
        DeviceTree fromDtc = DtbReader.read("features.dtb", Fixtures.bytes("syntax/features.dtb"));
        assertEquals(DtsPrinter.print(fromDtc), DtsPrinter.print(strip(parsed)), "printed forms (for diagnosis)");
        assertEquals(fromDtc, parsed);
    }

    @Test
    void featureBlobIsByteIdenticalIncludingSharedStringSuffixes() throws DevicetreeException {
        DeviceTree parsed = DtsParser.parse(Fixtures.path("syntax/features.dts"));
        assertArrayEquals(Fixtures.bytes("syntax/features.dtb"), DtbWriter.write(parsed));
    }

    /** The same tree without labels and source forms, so both sides print alike. */
    private static DeviceTree strip(DeviceTree t) throws DevicetreeException {
        return DtbReader.read("stripped", DtbWriter.write(t));
    }
}
