package dev.sluice.platform.devicetree;

import static dev.sluice.platform.devicetree.Fixtures.dts;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Printing a tree as source: parse, print, parse gives an equal tree with the same labels. */
class DtsPrinterTest {

    @ParameterizedTest(name = "board {0}")
    @ValueSource(strings = {"microvm", "stress"})
    void embeddedBoardsSurviveParsePrintParse(String board) throws DevicetreeException {
        DeviceTree tree = Boards.load(board);
        DeviceTree again = DtsParser.parse("printed.dts", DtsPrinter.print(tree));
        assertEquals(tree, again);
        assertEquals(tree.labels().keySet(), again.labels().keySet());
        assertEquals(DtsPrinter.print(tree), DtsPrinter.print(again), "printing is stable");
    }

    @Test
    void everySourceFeatureSurvivesParsePrintParse() throws DevicetreeException {
        DeviceTree tree = DtsParser.parse(Fixtures.path("syntax/features.dts"));
        assertEquals(tree, DtsParser.parse("printed.dts", DtsPrinter.print(tree)));
    }

    @Test
    void aTreeReadFromABlobPrintsAsSourceThatParsesToTheSameTree() throws DevicetreeException {
        DeviceTree fromDtc = DtbReader.read("features.dtb", Fixtures.bytes("syntax/features.dtb"));
        assertEquals(fromDtc, DtsParser.parse("printed.dts", DtsPrinter.print(fromDtc)));
    }

    @Test
    void valuesPrintAsTheyWereWritten() throws DevicetreeException {
        DeviceTree t = dts("/dts-v1/;\n/memreserve/ 0x1000 0x100;\n/ { intc: intc { };\n"
                + "  dev { a = <&intc 1 0x10>; b = \"x\", \"y\\\"z\"; c = [01 ab]; d = /bits/ 16 <2>; e = &intc; f; l: g = <1>; }; };");
        assertEquals("/dts-v1/;\n\n/memreserve/ 0x1000 0x100;\n\n"
                + "/ {\n\n"
                + "\tintc: intc {\n\t\tphandle = <0x1>;\n\t};\n\n"
                + "\tdev {\n"
                + "\t\ta = <&intc 0x1 0x10>;\n"
                + "\t\tb = \"x\", \"y\\\"z\";\n"
                + "\t\tc = [01 ab];\n"
                + "\t\td = /bits/ 16 <0x2>;\n"
                + "\t\te = &intc;\n"
                + "\t\tf;\n"
                + "\t\tl: g = <0x1>;\n"
                + "\t};\n"
                + "};\n", DtsPrinter.print(t));
    }

    @Test
    void blobValuesAreShownAsStringsCellsOrBytesByTheirShape() throws DevicetreeException {
        DeviceTree t = DtbReader.read("x.dtb", DtbWriter.write(dts(
                "/dts-v1/;\n/ { s = \"a\", \"b\"; c = <1 2>; b = [01 02 03]; e = \"\", \"x\"; };")));
        assertEquals(List.of("s = \"a\", \"b\";", "c = <0x1 0x2>;", "b = [01 02 03];", "e = [00 78 00];"),
                t.root().properties().stream().map(DtsPrinter::propertyText).toList());
    }
}
