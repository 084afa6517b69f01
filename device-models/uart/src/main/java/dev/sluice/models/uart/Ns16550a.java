package dev.sluice.models.uart;

import dev.sluice.models.BackendSpec;
import dev.sluice.models.DeviceClock;
import dev.sluice.models.DeviceModel;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelException;
import dev.sluice.models.InterruptLine;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.RegRange;
import dev.sluice.models.uart.internal.TcpSerialLine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A National/TI PC16550D-compatible UART ({@code ns16550a}) whose serial line is a TCP socket on
 * 127.0.0.1.
 *
 * <h2>Registers</h2>
 * Eight byte registers at {@code index << reg-shift} (Devicetree {@code reg-shift}, default 0),
 * accessed with loads/stores no wider than {@code reg-io-width} (default 1; the value is in the low
 * byte): RBR/THR/DLL (0), IER/DLM (1), IIR/FCR (2), LCR (3), MCR (4), LSR (5), MSR (6), SCR (7),
 * DLL/DLM while LCR bit 7 (DLAB) is set. Other offsets, misaligned or too wide accesses read 0 and
 * ignore writes (counted in {@link #describe()}). Writes to LSR and MSR (factory test on the chip)
 * are ignored.
 *
 * <h2>Behaviour (PC16550D datasheet)</h2>
 * <ul>
 * <li>16-byte receive and transmit FIFOs (FCR bit 0), FIFO resets (FCR bits 1, 2; changing bit 0
 * clears both), receive trigger levels 1/4/8/14 (FCR bits 7:6). Without FIFOs, RBR and THR hold one
 * byte each.</li>
 * <li>Interrupt identification in IIR by the datasheet's priority: receiver line status (OE) &gt;
 * received data available (trigger level reached) = character timeout (data below the trigger and
 * no FIFO activity for 4 character times) &gt; THR empty &gt; modem status. IIR bits 7:6 are set
 * while the FIFOs are enabled.</li>
 * <li>THRE interrupt: pending when the transmit FIFO (THR) becomes empty, or when IER bit 1 is set
 * while it is empty; cleared by reading IIR while it is the reported source, or by writing
 * THR.</li>
 * <li>LSR: DR, OE (sticky until LSR is read), THRE, TEMT. PE, FE, BI and bit 7 stay 0: the TCP
 * line carries bytes, never framing errors or breaks.</li>
 * <li>Timing: each character takes one character time on the line, computed from the divisor
 * (DLL/DLM), {@code clock-frequency} (default 1.8432 MHz) and LCR's word length, parity and stop
 * bits, on the {@link DeviceClock}. Transmission pulls bytes from the FIFO into the shift register
 * (THRE set when the FIFO empties, TEMT when the shift register also has), and bytes from the
 * client are shifted in at the same rate. Divisor 0 counts as 65536. Power-on divisor: 12. Pacing is
 * measured from when the model observes the line: if its threads were held up for more than a
 * character time, the line is taken to have paused rather than delivering a catch-up burst.</li>
 * <li>Overrun, as on the chip: a character that completes while the receive FIFO is full (16 bytes,
 * or 1 without FIFOs) sets OE; with FIFOs it is lost, without FIFOs it overwrites RBR. The socket
 * itself is read only as fast as the line shifts characters in (TCP backpressure on the client),
 * so a burst from the client is paced, and only a driver that does not empty the FIFO loses
 * bytes.</li>
 * <li>Loopback (MCR bit 4): transmitted characters are received, nothing is sent to the client and
 * bytes arriving from it are lost; CTS, DSR, RI, DCD follow RTS, DTR, OUT1, OUT2. Outside loopback
 * CTS, DSR and DCD are asserted while a client is connected (so connects and disconnects are
 * modem-status events), RI never is.</li>
 * <li>The interrupt output is a level: raised while IIR reports a pending interrupt, lowered when
 * none is. OUT2 does not gate it (that gate is a PC board's, not the chip's).</li>
 * </ul>
 *
 * <h2>Backend</h2>
 * With a {@code tcp:127.0.0.1:PORT} backend (port 0 picks a free one, see {@link #port()}), one
 * client at a time is served; further connections are closed at once while one is connected, and a
 * new client is accepted after it leaves. Transmitted bytes go to the client; with no client they
 * are lost. Without a backend the UART works with its line unplugged.
 *
 * <h2>Threads</h2>
 * Register accesses may come from any thread and are serialised by the model's lock; they never
 * block on the network. Socket I/O runs on one thread {@code model-<name>-io} from the context's
 * thread factory; timed behaviour (character completion, timeouts) runs in
 * {@link DeviceClock#schedule clock callbacks}. The interrupt line is driven with the lock held,
 * from whichever of these threads changed the state.
 */
public final class Ns16550a implements DeviceModel {

    /** Depth of each FIFO. */
    public static final int FIFO_DEPTH = 16;
    /** The usual UART input clock, used when the node has no {@code clock-frequency}. */
    public static final long DEFAULT_CLOCK_HZ = 1_843_200L;
    /** Divisor latch value at power-on (the datasheet leaves it undefined). */
    public static final int POWER_ON_DIVISOR = 12;
    /** Bytes from the client held on the simulated wire, not yet shifted in. */
    static final int WIRE_CAPACITY = 64;

    // register indexes
    static final int REG_RBR_THR = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3, REG_MCR = 4, REG_LSR = 5,
            REG_MSR = 6, REG_SCR = 7;
    // IER
    static final int IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08;
    // IIR
    static final int IIR_NONE = 0x01, IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_CTI = 0x0C, IIR_THRE = 0x02,
            IIR_MS = 0x00, IIR_FIFOS = 0xC0;
    // FCR
    static final int FCR_ENABLE = 0x01, FCR_RX_RESET = 0x02, FCR_TX_RESET = 0x04;
    // LCR
    static final int LCR_DLAB = 0x80;
    // MCR
    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
    // LSR
    static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    // MSR
    static final int MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08, MSR_CTS = 0x10,
            MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;

    private static final long NEVER = Long.MAX_VALUE;

    private final String name;
    private final RegRange reg;
    private final int regShift;
    private final int ioWidth;
    private final long clockHz;
    private final InterruptLine irq;
    private final DeviceClock clock;
    private final TcpSerialLine line;
    private final Region region = new Region();
    private final Object lock = new Object();

    // ---- state, guarded by lock ----
    private int ier;
    private int lcr;
    private int mcr;
    private int scr;
    private int dll = POWER_ON_DIVISOR;
    private int dlm;
    private boolean fifos;
    private int fcrBits; // trigger and DMA-mode bits as last programmed
    private int lsrErrors; // sticky OE
    private int msrDeltas;
    private int modemInputs;
    private boolean clientConnected;
    private final ByteFifo rx = new ByteFifo(FIFO_DEPTH);
    private final ByteFifo tx = new ByteFifo(FIFO_DEPTH);
    private final ByteFifo wire = new ByteFifo(WIRE_CAPACITY);
    private boolean tsrBusy;
    private int tsrByte;
    private long tsrDoneAt;
    private long wireNextAt;
    private long rxActivityAt;
    private boolean threPending;
    private int lastRbr;
    private boolean lineLevel;
    private boolean lineBlocked; // the backend holds bytes we refused
    private DeviceClock.Scheduled wakeup;
    private long wakeupAt = NEVER;
    private boolean closed;
    // counters
    private long txCount;
    private long rxCount;
    private long fromClient;
    private long overruns;
    private long txFifoOverflows;
    private long lostInLoopback;
    private long badAccesses;
    private long linePauses;

    private Ns16550a(DeviceModelContext ctx, RegRange reg, int regShift, int ioWidth, long clockHz) throws DeviceModelException {
        this.name = ctx.nodeName();
        this.reg = reg;
        this.regShift = regShift;
        this.ioWidth = ioWidth;
        this.clockHz = clockHz;
        this.irq = ctx.interrupts().isEmpty() ? new UnconnectedLine() : ctx.interrupt(0);
        this.clock = ctx.clock();
        BackendSpec spec = ctx.backend().orElse(null);
        if (spec == null) {
            this.line = null;
        } else if (spec instanceof BackendSpec.TcpBackend tcp) {
            try {
                this.line = TcpSerialLine.open(tcp.socketAddress(), ctx.threadFactory(), new LineListener());
            } catch (IOException e) {
                throw new DeviceModelException("node " + ctx.nodePath() + ": cannot listen on " + spec.text() + ": "
                        + e.getMessage(), e);
            }
        } else {
            throw new DeviceModelException("node " + ctx.nodePath() + ": ns16550a supports only a tcp:127.0.0.1:PORT "
                    + BackendSpec.PROPERTY + ", not " + spec.text());
        }
        synchronized (lock) {
            resetLocked(clock.nanoTime());
        }
    }

    /**
     * Builds a UART for a Devicetree node: its first {@code reg} range, first interrupt line (none:
     * polled only), {@code reg-shift}, {@code reg-io-width}, {@code clock-frequency} and
     * {@code sluice,backend}. Binds the TCP port and starts the I/O thread.
     *
     * @throws DeviceModelException naming the node if a property is unusable or the port cannot be bound
     */
    public static Ns16550a create(DeviceModelContext ctx) throws DeviceModelException {
        RegRange r = ctx.firstReg(0, "ns16550a"); // its size is checked below, once reg-shift is known
        try {
            int shift = (int) ctx.u32("reg-shift").orElse(0);
            if (shift < 0 || shift > 3) {
                throw new DeviceModelException("node " + ctx.nodePath() + ": reg-shift " + shift + " is not 0..3");
            }
            int width = (int) ctx.u32("reg-io-width").orElse(1);
            if (width != 1 && width != 2 && width != 4) {
                throw new DeviceModelException("node " + ctx.nodePath() + ": reg-io-width " + width + " is not 1, 2 or 4");
            }
            long hz = ctx.u32("clock-frequency").orElse(DEFAULT_CLOCK_HZ);
            if (hz == 0) {
                hz = DEFAULT_CLOCK_HZ; // Linux's 8250 binding also accepts a missing/zero clock for fixed ports
            }
            if (r.size() < (8L << shift)) {
                throw new DeviceModelException("node " + ctx.nodePath() + ": reg size 0x" + Long.toHexString(r.size())
                        + " is smaller than 8 registers at reg-shift " + shift);
            }
            return new Ns16550a(ctx, r, shift, width, hz);
        } catch (IllegalArgumentException e) {
            throw new DeviceModelException(e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ DeviceModel

    @Override
    public MmioRegion mmio(int index) {
        if (index != 0) {
            throw new IndexOutOfBoundsException("ns16550a " + name + " has one reg range, no index " + index);
        }
        return region;
    }

    @Override
    public int mmioCount() {
        return 1;
    }

    @Override
    public void reset() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            resetLocked(clock.nanoTime());
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            cancelWakeup();
            setLine(false);
        }
        if (line != null) {
            line.close(); // outside the lock: the I/O thread may be waiting for it
        }
    }

    @Override
    public List<String> describe() {
        synchronized (lock) {
            long now = clock.nanoTime();
            if (!closed) {
                advance(now);
            }
            List<String> out = new ArrayList<>();
            out.add(String.format("ns16550a %s at 0x%x (reg-shift %d, io-width %d, clock %d Hz)%s", name,
                    reg.address(), regShift, ioWidth, clockHz, closed ? " [closed]" : ""));
            out.add(String.format("line: %d baud %s (divisor %d), FIFOs %s%s%s", baud(), frameFormat(), divisor(),
                    fifos ? "on, trigger " + triggerLevel() : "off", (mcr & MCR_LOOP) != 0 ? ", loopback" : "",
                    lineLevel ? ", irq raised" : ""));
            out.add(String.format("IER 0x%02x IIR 0x%02x LCR 0x%02x MCR 0x%02x LSR 0x%02x MSR 0x%02x", ier,
                    iirValue(now), lcr, mcr, lsrValue(), msrDeltas | modemInputs));
            out.add(String.format("rx fifo %d/%d, tx fifo %d/%d, on the wire %d; rx %d, tx %d, overruns %d,"
                    + " tx fifo overflows %d, lost in loopback %d, bad accesses %d, late-model line pauses %d", rx.size(),
                    FIFO_DEPTH, tx.size(), FIFO_DEPTH, wire.size(), rxCount, txCount, overruns, txFifoOverflows,
                    lostInLoopback, badAccesses, linePauses));
            if (line != null) {
                out.add(String.format("backend tcp:%s, %s, %d connection(s), %d refused, %d byte(s) from client,"
                        + " %d output byte(s) dropped", line.address(), line.isConnected() ? "client connected" : "no client",
                        line.connections(), line.refused(), fromClient, line.dropped()));
            } else {
                out.add("backend: none (line unplugged)");
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ accessors

    /** @return the bound TCP port of the backend, or -1 without a backend */
    public int port() {
        return line == null ? -1 : line.port();
    }

    /** @return true while a TCP client is connected */
    public boolean isClientConnected() {
        return line != null && line.isConnected();
    }

    /** @return bytes taken from the TCP client so far (on the wire or further) */
    public long bytesFromClient() {
        synchronized (lock) {
            return fromClient;
        }
    }

    /** @return transmitted bytes the backend dropped (no client, or a client that does not read) */
    public long bytesDroppedByBackend() {
        return line == null ? 0 : line.dropped();
    }

    /** @return characters lost because they completed while the receive FIFO was full (OE events) */
    public long overruns() {
        synchronized (lock) {
            return overruns;
        }
    }

    /**
     * @return how often the model's own threads observed a character more than one character time
     * late and paused the line instead of delivering a catch-up burst (see {@link #describe()})
     */
    public long linePauses() {
        synchronized (lock) {
            return linePauses;
        }
    }

    /** @return bytes in the receive FIFO now */
    public int rxFifoLevel() {
        synchronized (lock) {
            if (!closed) {
                advance(clock.nanoTime());
            }
            return rx.size();
        }
    }

    /** @return the current character time in nanoseconds (from divisor, clock and LCR) */
    public long characterTimeNanos() {
        synchronized (lock) {
            return charTime();
        }
    }

    @Override
    public String toString() {
        return "ns16550a " + name + (line != null ? " tcp:" + line.address() : "");
    }

    // ------------------------------------------------------------------ register access

    private int readRegister(int index) {
        synchronized (lock) {
            if (closed) {
                return 0;
            }
            long now = clock.nanoTime();
            advance(now);
            int v;
            switch (index) {
                case REG_RBR_THR:
                    v = dlab() ? dll : readRbr(now);
                    break;
                case REG_IER:
                    v = dlab() ? dlm : ier;
                    break;
                case REG_IIR_FCR:
                    v = iirValue(now);
                    if ((v & 0x0F) == IIR_THRE) {
                        threPending = false;
                    }
                    break;
                case REG_LCR:
                    v = lcr;
                    break;
                case REG_MCR:
                    v = mcr;
                    break;
                case REG_LSR:
                    v = lsrValue();
                    lsrErrors = 0;
                    break;
                case REG_MSR:
                    v = msrDeltas | modemInputs;
                    msrDeltas = 0;
                    break;
                default:
                    v = scr;
                    break;
            }
            settle(now);
            return v;
        }
    }

    private void writeRegister(int index, int value) {
        int v = value & 0xFF;
        synchronized (lock) {
            if (closed) {
                return;
            }
            long now = clock.nanoTime();
            advance(now);
            switch (index) {
                case REG_RBR_THR:
                    if (dlab()) {
                        dll = v;
                    } else {
                        writeThr(v, now);
                    }
                    break;
                case REG_IER:
                    if (dlab()) {
                        dlm = v;
                    } else {
                        int old = ier;
                        ier = v & 0x0F;
                        if ((ier & IER_ETBEI) != 0 && (old & IER_ETBEI) == 0 && tx.isEmpty()) {
                            threPending = true;
                        }
                    }
                    break;
                case REG_IIR_FCR:
                    writeFcr(v, now);
                    break;
                case REG_LCR:
                    lcr = v;
                    break;
                case REG_MCR:
                    mcr = v & 0x1F;
                    updateModemInputs();
                    break;
                case REG_LSR:
                case REG_MSR:
                    break; // factory-test writes: ignored
                default:
                    scr = v;
                    break;
            }
            settle(now);
        }
    }

    private boolean dlab() {
        return (lcr & LCR_DLAB) != 0;
    }

    private int readRbr(long now) {
        if (rx.isEmpty()) {
            return lastRbr; // the chip returns the stale holding register
        }
        lastRbr = rx.pop();
        rxActivityAt = now;
        return lastRbr;
    }

    private void writeThr(int b, long now) {
        threPending = false;
        txCount++;
        if (!tsrBusy) {
            startShift(b, now); // THR empties into the shift register at once
            threPending = true;
        } else if (fifos) {
            if (tx.size() < FIFO_DEPTH) {
                tx.push(b);
            } else {
                txFifoOverflows++;
            }
        } else if (tx.isEmpty()) {
            tx.push(b);
        } else {
            tx.clear(); // THR overwritten
            tx.push(b);
            txFifoOverflows++;
        }
    }

    private void writeFcr(int v, long now) {
        boolean enable = (v & FCR_ENABLE) != 0;
        if (enable != fifos) {
            fifos = enable;
            rx.clear();
            rxActivityAt = now;
            clearTx();
        }
        if (!enable) {
            return; // other FCR bits are programmed only with bit 0 set
        }
        if ((v & FCR_RX_RESET) != 0) {
            rx.clear();
            rxActivityAt = now;
        }
        if ((v & FCR_TX_RESET) != 0) {
            clearTx();
        }
        fcrBits = v & 0xC8;
    }

    private void clearTx() {
        if (!tx.isEmpty()) {
            tx.clear();
            threPending = true;
        }
    }

    private int triggerLevel() {
        switch ((fcrBits >> 6) & 3) {
            case 0: return 1;
            case 1: return 4;
            case 2: return 8;
            default: return 14;
        }
    }

    private int lsrValue() {
        int v = lsrErrors;
        if (!rx.isEmpty()) {
            v |= LSR_DR;
        }
        if (tx.isEmpty()) {
            v |= LSR_THRE;
            if (!tsrBusy) {
                v |= LSR_TEMT;
            }
        }
        return v;
    }

    /** IIR as a driver would read it now (without the read's side effect). */
    private int iirValue(long now) {
        return interruptId(now) | (fifos ? IIR_FIFOS : 0);
    }

    private int interruptId(long now) {
        if ((ier & IER_ELSI) != 0 && (lsrErrors & LSR_OE) != 0) {
            return IIR_RLS;
        }
        if ((ier & IER_ERBFI) != 0 && !rx.isEmpty()) {
            if (!fifos || rx.size() >= triggerLevel()) {
                return IIR_RDA;
            }
            if (now - rxActivityAt >= timeoutNanos()) {
                return IIR_CTI;
            }
        }
        if ((ier & IER_ETBEI) != 0 && threPending && tx.isEmpty()) {
            return IIR_THRE;
        }
        if ((ier & IER_EDSSI) != 0 && (msrDeltas & 0x0F) != 0) {
            return IIR_MS;
        }
        return IIR_NONE;
    }

    private void updateModemInputs() {
        int in;
        if ((mcr & MCR_LOOP) != 0) {
            in = ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0) | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                    | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0) | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
        } else {
            in = clientConnected ? MSR_CTS | MSR_DSR | MSR_DCD : 0;
        }
        int changed = in ^ modemInputs;
        if ((changed & MSR_CTS) != 0) {
            msrDeltas |= MSR_DCTS;
        }
        if ((changed & MSR_DSR) != 0) {
            msrDeltas |= MSR_DDSR;
        }
        if ((changed & MSR_DCD) != 0) {
            msrDeltas |= MSR_DDCD;
        }
        if ((modemInputs & MSR_RI) != 0 && (in & MSR_RI) == 0) {
            msrDeltas |= MSR_TERI; // trailing edge of RI
        }
        modemInputs = in;
    }

    // ------------------------------------------------------------------ the line, in time

    private int divisor() {
        int d = dll | (dlm << 8);
        return d == 0 ? 65536 : d;
    }

    private long baud() {
        return clockHz / (16L * divisor());
    }

    private String frameFormat() {
        int bits = 5 + (lcr & 3);
        String parity = (lcr & 0x08) == 0 ? "N" : (lcr & 0x20) != 0 ? ((lcr & 0x10) != 0 ? "S" : "M")
                : (lcr & 0x10) != 0 ? "E" : "O";
        String stop = (lcr & 0x04) == 0 ? "1" : (lcr & 3) == 0 ? "1.5" : "2";
        return bits + parity + stop;
    }

    /** One character on the line: start bit, data bits, parity, stop bit(s), at 16 clocks per bit. */
    private long charTime() {
        int halfBits = 2 + 2 * (5 + (lcr & 3)) + ((lcr & 0x08) != 0 ? 2 : 0)
                + ((lcr & 0x04) == 0 ? 2 : (lcr & 3) == 0 ? 3 : 4);
        return Math.max(1, halfBits * 16L * divisor() * 1_000_000_000L / (2 * clockHz));
    }

    private long timeoutNanos() {
        return 4 * charTime();
    }

    private void startShift(int b, long at) {
        tsrBusy = true;
        tsrByte = b;
        tsrDoneAt = at + charTime();
    }

    /**
     * Plays the line forward to {@code now}: completed transmissions and arrivals, in time order.
     * An event observed more than one character time after it was due means the model's threads
     * did not run meanwhile (a busy host, a paused JVM): the line is taken to have paused, so the
     * event happens now and the next one a character later, rather than a burst of catch-up
     * characters that no driver could have kept up with (a false overrun).
     */
    private void advance(long now) {
        long late = charTime();
        while (true) {
            long txAt = tsrBusy ? tsrDoneAt : NEVER;
            long rxAt = wire.isEmpty() ? NEVER : wireNextAt;
            if (txAt <= now && txAt <= rxAt) {
                if (now - txAt > late) {
                    txAt = now;
                    linePauses++;
                }
                completeTransmit(txAt);
            } else if (rxAt <= now) {
                if (now - rxAt > late) {
                    rxAt = now;
                    linePauses++;
                }
                completeArrival(rxAt);
            } else {
                return;
            }
        }
    }

    private void completeTransmit(long at) {
        int b = tsrByte;
        if ((mcr & MCR_LOOP) != 0) {
            receiveCharacter(b, at);
        } else if (line != null) {
            line.send(b);
        }
        if (!tx.isEmpty()) {
            startShift(tx.pop(), at);
            if (tx.isEmpty()) {
                threPending = true;
            }
        } else {
            tsrBusy = false;
        }
    }

    private void completeArrival(long at) {
        int b = wire.pop();
        if ((mcr & MCR_LOOP) != 0) {
            lostInLoopback++; // the receiver is disconnected from the line in loopback
        } else {
            receiveCharacter(b, at);
        }
        if (!wire.isEmpty()) {
            wireNextAt = at + charTime();
        }
        if (lineBlocked && line != null) {
            lineBlocked = false;
            line.resumeReading();
        }
    }

    private void receiveCharacter(int b, long at) {
        int capacity = fifos ? FIFO_DEPTH : 1;
        if (rx.size() >= capacity) {
            lsrErrors |= LSR_OE;
            overruns++;
            if (fifos) {
                return; // the character in the shift register is lost
            }
            rx.clear(); // without FIFOs the new character overwrites RBR
        }
        rx.push(b);
        rxCount++;
        rxActivityAt = at;
    }

    /** After any change: drive the line to match IIR and make sure the next event will be played. */
    private void settle(long now) {
        setLine(interruptId(now) != IIR_NONE);
        long next = NEVER;
        if (tsrBusy) {
            next = Math.min(next, tsrDoneAt);
        }
        if (!wire.isEmpty()) {
            next = Math.min(next, wireNextAt);
        }
        if (fifos && !rx.isEmpty() && (ier & IER_ERBFI) != 0) {
            long timeoutAt = rxActivityAt + timeoutNanos();
            if (timeoutAt > now) {
                next = Math.min(next, timeoutAt);
            }
        }
        if (next == NEVER || (wakeup != null && wakeupAt <= next)) {
            return;
        }
        cancelWakeup();
        wakeupAt = next;
        DeviceClock.Scheduled[] self = new DeviceClock.Scheduled[1];
        self[0] = clock.schedule(next, () -> onWakeup(self));
        wakeup = self[0];
    }

    private void onWakeup(DeviceClock.Scheduled[] self) {
        synchronized (lock) {
            if (wakeup == self[0]) {
                wakeup = null;
                wakeupAt = NEVER;
            }
            if (closed) {
                return;
            }
            long now = clock.nanoTime();
            advance(now);
            settle(now);
        }
    }

    private void cancelWakeup() {
        if (wakeup != null) {
            wakeup.cancel();
            wakeup = null;
            wakeupAt = NEVER;
        }
    }

    private void setLine(boolean level) {
        if (level != lineLevel) {
            lineLevel = level;
            irq.set(level);
        }
    }

    private void resetLocked(long now) {
        ier = 0;
        lcr = 0;
        mcr = 0;
        fifos = false;
        fcrBits = 0;
        lsrErrors = 0;
        rx.clear();
        tx.clear();
        wire.clear();
        tsrBusy = false;
        threPending = false;
        rxActivityAt = now;
        modemInputs = 0;
        msrDeltas = 0;
        clientConnected = line != null && line.isConnected();
        updateModemInputs();
        msrDeltas = 0; // a reset leaves no pending modem-status change
        cancelWakeup();
        setLine(false);
        if (lineBlocked && line != null) {
            lineBlocked = false;
            line.resumeReading();
        }
    }

    // ------------------------------------------------------------------ backend callbacks (I/O thread)

    private final class LineListener implements TcpSerialLine.Listener {
        @Override
        public int received(byte[] data, int offset, int length) {
            synchronized (lock) {
                if (closed) {
                    return length; // discard
                }
                long now = clock.nanoTime();
                advance(now);
                int n = Math.min(length, WIRE_CAPACITY - wire.size());
                if (n > 0 && wire.isEmpty()) {
                    wireNextAt = now + charTime();
                }
                for (int i = 0; i < n; i++) {
                    wire.push(data[offset + i] & 0xFF);
                }
                fromClient += n;
                if (n < length) {
                    lineBlocked = true;
                }
                settle(now);
                return n;
            }
        }

        @Override
        public void connectionChanged(boolean connected) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                long now = clock.nanoTime();
                advance(now);
                clientConnected = connected;
                updateModemInputs();
                settle(now);
            }
        }
    }

    // ------------------------------------------------------------------ MMIO

    private final class Region implements MmioRegion {
        @Override public String name() { return name; }
        @Override public long base() { return reg.address(); }
        @Override public long size() { return reg.size(); }

        private int index(long offset, int width) {
            MmioRegion.checkAccess(this, offset, width);
            long stride = 1L << regShift;
            if (width > ioWidth || offset % stride != 0 || (offset >> regShift) > 7) {
                synchronized (lock) {
                    badAccesses++;
                }
                return -1;
            }
            return (int) (offset >> regShift);
        }

        private int read(long offset, int width) {
            int i = index(offset, width);
            return i < 0 ? 0 : readRegister(i);
        }

        private void write(long offset, int width, long value) {
            int i = index(offset, width);
            if (i >= 0) {
                writeRegister(i, (int) (value & 0xFF));
            }
        }

        @Override public int read8(long offset) { return read(offset, 1); }
        @Override public int read16(long offset) { return read(offset, 2); }
        @Override public int read32(long offset) { return read(offset, 4); }
        @Override public long read64(long offset) { return read(offset, 8); }
        @Override public void write8(long offset, int value) { write(offset, 1, value); }
        @Override public void write16(long offset, int value) { write(offset, 2, value); }
        @Override public void write32(long offset, int value) { write(offset, 4, value); }
        @Override public void write64(long offset, long value) { write(offset, 8, value); }

        @Override
        public String toString() {
            return MmioRegion.describe(this);
        }
    }

    /** A line for a node without {@code interrupts}: the UART is then polled. */
    private static final class UnconnectedLine implements InterruptLine {
        private volatile boolean raised;
        @Override public void raise() { raised = true; }
        @Override public void lower() { raised = false; }
        @Override public void pulse() { }
        @Override public boolean isRaised() { return raised; }
    }

    /** A small ring of bytes. Not thread-safe (guarded by the model's lock). */
    private static final class ByteFifo {
        private final int[] data;
        private int head;
        private int size;

        ByteFifo(int capacity) {
            data = new int[capacity];
        }

        boolean isEmpty() { return size == 0; }
        int size() { return size; }
        void clear() { head = 0; size = 0; }

        void push(int b) {
            data[(head + size) % data.length] = b & 0xFF;
            size++;
        }

        int pop() {
            int b = data[head];
            head = (head + 1) % data.length;
            size--;
            return b;
        }
    }
}
