package dev.sluice.drivers.uart.internal;

import dev.sluice.drivers.serial.api.LineSettings;
import dev.sluice.models.MmioRegion;

/**
 * The register-level half of the 16550 driver, written from the National PC16550D datasheet: it
 * programs the chip, services its interrupt causes by reading IIR, and moves bytes between the
 * FIFOs and two software rings. It touches nothing but the eight byte registers of its
 * {@link MmioRegion} (at {@code index << regShift}).
 *
 * <p>Threads: not thread-safe. The driver calls every method with its work loop's gate closed
 * (from client threads inside {@code runAction}, or from the interrupt/poll action on the loop).
 */
public final class Uart16550 {

    // Register indexes (PC16550D table II).
    static final int RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5,
            MSR = 6, SCR = 7;
    // IER
    static final int IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04;
    // IIR: bit 0 clear = interrupt pending, bits 3:1 identify it
    static final int IIR_NO_INT = 0x01, IIR_ID = 0x0E, IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_CTI = 0x0C,
            IIR_THRE = 0x02, IIR_MS = 0x00;
    // FCR: FIFO enable, RCVR/XMIT FIFO reset, RCVR trigger 8 bytes (bits 7:6 = 10)
    static final int FCR_ENABLE = 0x01, FCR_RX_RESET = 0x02, FCR_TX_RESET = 0x04, FCR_TRIGGER_8 = 0x80;
    // LCR
    static final int LCR_DLAB = 0x80;
    // MCR: DTR, RTS, OUT2 (the PC's interrupt gate; harmless elsewhere)
    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT2 = 0x08;
    // LSR
    static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    /** Depth of the transmit FIFO: bytes written to THR per THRE. */
    public static final int FIFO_DEPTH = 16;
    /** Bound on causes handled per {@link #service()} call, against a stuck IIR. */
    static final int MAX_CAUSES = 64;

    /** {@link #service()} result bit: bytes were added to the receive ring. */
    public static final int RX_DATA = 1;
    /** {@link #service()} result bit: room was made in the transmit ring. */
    public static final int TX_SPACE = 2;
    /** {@link #service()} result bit: the transmitter may have become idle. */
    public static final int TX_IDLE = 4;

    private final MmioRegion regs;
    private final int stride;
    private final long clockHz;
    private final ByteRing rx;
    private final ByteRing tx;
    private int ier;
    private LineSettings settings;
    private long received;
    private long transmitted;
    private long overruns;
    private long serviced;

    /**
     * @param regs     the UART's register window
     * @param regShift Devicetree {@code reg-shift}: registers are {@code 1 << regShift} bytes apart
     * @param clockHz  the UART's input clock ({@code clock-frequency})
     * @param rxBytes  capacity of the receive ring
     * @param txBytes  capacity of the transmit ring
     */
    public Uart16550(MmioRegion regs, int regShift, long clockHz, int rxBytes, int txBytes) {
        this.regs = regs;
        this.stride = 1 << regShift;
        this.clockHz = clockHz;
        this.rx = new ByteRing(rxBytes);
        this.tx = new ByteRing(txBytes);
    }

    private int read(int reg) {
        return regs.read8((long) reg * stride) & 0xFF;
    }

    private void write(int reg, int value) {
        regs.write8((long) reg * stride, value & 0xFF);
    }

    /**
     * The probe test: a 16450/16550 has a scratch register that holds any byte. Writes two
     * complementary patterns, reads each back, and restores the old value.
     *
     * @return true if both patterns round-trip
     */
    public boolean scratchRoundTrips() {
        int old = read(SCR);
        try {
            write(SCR, 0x5A);
            if (read(SCR) != 0x5A) {
                return false;
            }
            write(SCR, 0xA5);
            return read(SCR) == 0xA5;
        } finally {
            write(SCR, old);
        }
    }

    /**
     * Initialises the chip: interrupts off, divisor and frame format, FIFOs on and reset with an
     * 8-byte receive trigger, DTR/RTS/OUT2, stale status cleared, then receive-data and
     * line-status interrupts enabled (transmit interrupts only while there is data to send).
     */
    public void init(LineSettings line) {
        write(IER, 0);
        programLine(line);
        write(FCR, FCR_ENABLE | FCR_RX_RESET | FCR_TX_RESET | FCR_TRIGGER_8);
        write(MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
        readLsr();
        read(RBR);
        read(IIR);
        read(MSR);
        rx.clear();
        tx.clear();
        setIer(IER_ERBFI | IER_ELSI);
    }

    /** Turns every interrupt of the chip off (driver stop). */
    public void shutdown() {
        setIer(0);
        write(MCR, 0);
    }

    /**
     * Sets divisor latch and LCR for {@code line}. Bytes in the FIFO still go out, at the new rate.
     *
     * @throws IllegalArgumentException if the divisor for the baud rate is not 1..65535 or misses
     *                                  the rate by more than 3 %
     */
    public void programLine(LineSettings line) {
        int divisor = divisorFor(line.baud());
        int lcr = (line.dataBits() - 5) | (line.stopBits() == 2 ? 0x04 : 0) | switch (line.parity()) {
            case NONE -> 0x00;
            case ODD -> 0x08;
            case EVEN -> 0x18;
            case MARK -> 0x28;
            case SPACE -> 0x38;
        };
        write(LCR, LCR_DLAB);
        write(DLL, divisor & 0xFF);
        write(DLM, divisor >>> 8);
        write(LCR, lcr);
        settings = line;
    }

    /** @return the divisor latch value for {@code baud} at this clock (datasheet: clock / (16 x baud)) */
    public int divisorFor(int baud) {
        long divisor = Math.round(clockHz / (16.0 * baud));
        if (divisor < 1 || divisor > 0xFFFF) {
            throw new IllegalArgumentException(baud + " baud needs divisor " + divisor + " at " + clockHz
                    + " Hz, outside 1..65535");
        }
        double actual = clockHz / (16.0 * divisor);
        if (Math.abs(actual - baud) > baud * 0.03) {
            throw new IllegalArgumentException(baud + " baud is not reachable at " + clockHz + " Hz (nearest "
                    + Math.round(actual) + ")");
        }
        return (int) divisor;
    }

    /** @return the settings last programmed (null before {@link #init}) */
    public LineSettings settings() {
        return settings;
    }

    /**
     * The interrupt handler's body: reads IIR and serves the highest-priority cause until IIR says
     * none is pending (receiver line status: read LSR; received data or character timeout: drain
     * RBR while LSR.DR; THR empty: refill the FIFO; modem status: read MSR). Also the poll when the
     * interrupt line cannot be used: IIR reports the same causes whether or not the line is wired.
     *
     * @return a combination of {@link #RX_DATA}, {@link #TX_SPACE} and {@link #TX_IDLE}; 0 if no
     * cause was pending
     */
    public int service() {
        int result = 0;
        for (int i = 0; i < MAX_CAUSES; i++) {
            int iir = read(IIR);
            if ((iir & IIR_NO_INT) != 0) {
                break;
            }
            if (i == 0) {
                serviced++;
            }
            switch (iir & IIR_ID) {
                case IIR_RLS -> {
                    if ((readLsr() & LSR_DR) != 0) {
                        result |= receive();
                    }
                }
                case IIR_RDA, IIR_CTI -> result |= receive();
                case IIR_THRE -> result |= transmit();
                case IIR_MS -> read(MSR);
                default -> readLsr(); // reserved code: read status to make progress
            }
        }
        return result;
    }

    private int readLsr() {
        int lsr = read(LSR);
        if ((lsr & LSR_OE) != 0) {
            overruns++;
        }
        return lsr;
    }

    /** Drains RBR while LSR.DR into the receive ring; masks ERBFI when the ring is full. */
    private int receive() {
        int result = 0;
        while ((readLsr() & LSR_DR) != 0) {
            if (rx.isFull()) {
                setIer(ier & ~IER_ERBFI); // leave the rest in the FIFO until a reader makes room
                break;
            }
            rx.put(read(RBR));
            received++;
            result = RX_DATA;
        }
        return result;
    }

    /**
     * Refills the transmit FIFO from the ring if THR is empty (up to {@link #FIFO_DEPTH} bytes),
     * and keeps ETBEI enabled exactly while bytes wait in the ring.
     */
    private int transmit() {
        int result = 0;
        if ((readLsr() & LSR_THRE) != 0) {
            int n = Math.min(FIFO_DEPTH, tx.size());
            for (int i = 0; i < n; i++) {
                write(THR, tx.take());
            }
            transmitted += n;
            result = n > 0 ? TX_SPACE : TX_IDLE;
        }
        int wanted = tx.isEmpty() ? ier & ~IER_ETBEI : ier | IER_ETBEI;
        if (wanted != ier) {
            setIer(wanted);
        }
        return result;
    }

    private void setIer(int value) {
        ier = value;
        write(IER, value);
    }

    /**
     * Queues bytes and starts the transmitter if it is idle.
     *
     * @return how many bytes fitted in the transmit ring
     */
    public int send(byte[] src, int off, int len) {
        int n = tx.put(src, off, len);
        if (n > 0) {
            transmit();
        }
        return n;
    }

    /**
     * Takes received bytes; if the receive interrupt was masked because the ring was full, drains
     * the FIFO into the room just made and unmasks it.
     *
     * @return how many bytes were copied (0 if none were received)
     */
    public int take(byte[] dst, int off, int len) {
        int n = rx.take(dst, off, len);
        if (n > 0 && (ier & IER_ERBFI) == 0 && settings != null) {
            receive();
            if (!rx.isFull()) {
                setIer(ier | IER_ERBFI);
            }
        }
        return n;
    }

    /** @return bytes in the receive ring */
    public int available() {
        return rx.size();
    }

    /** @return room in the transmit ring */
    public int txFree() {
        return tx.free();
    }

    /** @return true when the transmit ring, FIFO and shift register are all empty (LSR.TEMT) */
    public boolean txIdle() {
        return tx.isEmpty() && (readLsr() & LSR_TEMT) != 0;
    }

    /** @return the interrupt enable register as last written */
    public int ier() {
        return ier;
    }

    public long received() {
        return received;
    }

    public long transmitted() {
        return transmitted;
    }

    public long overruns() {
        return overruns;
    }

    /** @return how many {@link #service()} calls found at least one cause pending */
    public long serviced() {
        return serviced;
    }
}
