package dev.sluice.platform.devicetree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The error type: a location, a problem, and the message that joins them. */
class DevicetreeExceptionTest {

    @Test
    void theMessageIsFileLineColumnThenTheProblem() {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> DtsParser.parse("board.dts",
                "/dts-v1/;\n/ {\n\tuart@1000 {\n\t\treg = <0x0 0x1000 0x0 0x100>\n\t};\n};\n"));
        assertEquals("board.dts:5:2: expected ';' after property 'reg' but found '}'", e.getMessage());
        assertEquals("board.dts", e.file());
        assertEquals(5, e.line());
        assertEquals(2, e.column());
        assertEquals("expected ';' after property 'reg' but found '}'", e.problem());
        assertEquals(new SourceLocation("board.dts", 5, 2), e.location());
    }

    @Test
    void columnsCountCharactersWithATabAsOne() {
        DevicetreeException e = assertThrows(DevicetreeException.class,
                () -> DtsParser.parse("b.dts", "/dts-v1/;\n/ {\n\t\tx = <0x1g>;\n};"));
        assertEquals(3, e.line());
        assertEquals(8, e.column());
    }

    @Test
    void aLocationWithoutLineNamesTheFileAlone() {
        DevicetreeException e = new DevicetreeException(SourceLocation.of("board.dtb"), "bad dtb magic", new IOException("x"));
        assertEquals("board.dtb: bad dtb magic", e.getMessage());
        assertFalse(e.location().hasLine());
        assertTrue(e.getCause() instanceof IOException);
        assertSame(e.location(), e.location());
    }

    @Test
    void locationsRefuseNegativeNumbers() {
        assertThrows(IllegalArgumentException.class, () -> new SourceLocation("f", -1, 0));
    }

    @Test
    void anUnreadableFileIsAnErrorNamingIt() {
        DevicetreeException e = assertThrows(DevicetreeException.class,
                () -> DtsParser.parse(java.nio.file.Path.of("no/such/board.dts")));
        assertTrue(e.getMessage().startsWith("no/such/board.dts: cannot read board: "), e.getMessage());
    }
}
