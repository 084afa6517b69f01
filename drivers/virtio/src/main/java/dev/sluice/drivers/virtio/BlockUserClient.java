package dev.sluice.drivers.virtio;

import static dev.sluice.kernel.userclient.IOExternalMethodDispatch.VARIABLE;

import dev.sluice.drivers.storage.api.BlockStorage;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.userclient.IOExternalMethodArguments;
import dev.sluice.kernel.userclient.IOExternalMethodDispatch;
import dev.sluice.kernel.userclient.IOExternalMethodTable;
import dev.sluice.kernel.userclient.IOUserClient;
import dev.sluice.kernel.workloop.IOReturnException;

import java.util.Arrays;

/**
 * One application connection to the virtio-blk driver (owner {@value #OWNER}, type 0): raw sector
 * access for tools and the shell ({@code ioclient VirtioBlock read 2048 1024}). Opening it needs
 * the entitlement {@value #ENTITLEMENT} (the shell holds {@code sluice.admin}). Methods:
 * <ul>
 * <li>0 {@code info}() -> capacity in sectors, block size, read-only (0/1);</li>
 * <li>1 {@code read}(sector, bytes) -> struct: {@code bytes} (a multiple of 512, at most
 * {@value #MAX_TRANSFER}) read from {@code sector};</li>
 * <li>2 {@code write}(sector; struct data) -> bytes written: {@code data} (1 to
 * {@value #MAX_TRANSFER} bytes) zero-padded to whole sectors and written from {@code sector};</li>
 * <li>3 {@code flush}(): everything written before is on stable storage when it returns.</li>
 * </ul>
 * Each method runs on the caller's thread and blocks only it (the driver waits outside its gate)
 * until the device has completed the request. Bad arguments fail with BAD_ARGUMENT and a reason
 * naming the value; device errors with the driver's status and message.
 */
final class BlockUserClient extends IOUserClient {

    /** The name calls are reported under: the driver's personality. */
    static final String OWNER = "VirtioBlock";
    /** The entitlement a bundle needs to open this user client. */
    static final String ENTITLEMENT = "dev.sluice.virtio.block.raw";
    /** Largest transfer of one read or write call. */
    static final int MAX_TRANSFER = 64 * 1024;

    /** @param disk the driver's block service */
    BlockUserClient(BlockStorage disk) {
        super(IOExternalMethodTable.of(OWNER,
                IOExternalMethodDispatch.sync(0, "info", 0, 3, 0, 0, a -> info(disk, a)),
                IOExternalMethodDispatch.sync(1, "read", 2, 0, 0, VARIABLE, a -> read(disk, a)),
                IOExternalMethodDispatch.sync(2, "write", 1, 1, VARIABLE, 0, a -> write(disk, a)),
                IOExternalMethodDispatch.sync(3, "flush", 0, 0, 0, 0, a -> flush(disk, a))), ENTITLEMENT);
    }

    private static IOReturn info(BlockStorage disk, IOExternalMethodArguments a) {
        a.setScalarOutput(0, disk.capacitySectors());
        a.setScalarOutput(1, disk.blockSize());
        a.setScalarOutput(2, disk.readOnly() ? 1 : 0);
        return IOReturn.SUCCESS;
    }

    private static IOReturn read(BlockStorage disk, IOExternalMethodArguments a) {
        long sector = a.scalarInput(0);
        long bytes = a.scalarInput(1);
        if (bytes <= 0 || bytes > MAX_TRANSFER || bytes % BlockStorage.SECTOR_SIZE != 0) {
            return a.fail(IOReturn.BAD_ARGUMENT, "bytes must be a multiple of " + BlockStorage.SECTOR_SIZE + " in "
                    + BlockStorage.SECTOR_SIZE + ".." + MAX_TRANSFER + ", got " + bytes);
        }
        String outside = outside(disk, sector, bytes);
        if (outside != null) {
            return a.fail(IOReturn.BAD_ARGUMENT, outside);
        }
        byte[] data = new byte[(int) bytes];
        try {
            disk.read(sector, data);
        } catch (IOReturnException e) {
            return failed(a, e);
        }
        a.setStructOutput(data);
        return IOReturn.SUCCESS;
    }

    private static IOReturn write(BlockStorage disk, IOExternalMethodArguments a) {
        long sector = a.scalarInput(0);
        byte[] in = a.structInput();
        if (in.length == 0 || in.length > MAX_TRANSFER) {
            return a.fail(IOReturn.BAD_ARGUMENT, "data must be 1.." + MAX_TRANSFER + " bytes (s:TEXT or x:HEX), got "
                    + in.length);
        }
        int padded = (in.length + BlockStorage.SECTOR_SIZE - 1) / BlockStorage.SECTOR_SIZE * BlockStorage.SECTOR_SIZE;
        String outside = outside(disk, sector, padded);
        if (outside != null) {
            return a.fail(IOReturn.BAD_ARGUMENT, outside);
        }
        if (disk.readOnly()) {
            return a.fail(IOReturn.NOT_PERMITTED, "the device is read-only");
        }
        try {
            disk.write(sector, Arrays.copyOf(in, padded));
        } catch (IOReturnException e) {
            return failed(a, e);
        }
        a.setScalarOutput(0, padded);
        return IOReturn.SUCCESS;
    }

    private static IOReturn flush(BlockStorage disk, IOExternalMethodArguments a) {
        try {
            disk.flush();
        } catch (IOReturnException e) {
            return failed(a, e);
        }
        return IOReturn.SUCCESS;
    }

    /** @return why {@code bytes} from {@code sector} do not fit the device, or null if they do */
    private static String outside(BlockStorage disk, long sector, long bytes) {
        long capacity = disk.capacitySectors();
        long sectors = bytes / BlockStorage.SECTOR_SIZE;
        if (sector < 0 || sector > capacity - sectors) {
            return String.format("sectors [%d, +%d) are beyond the capacity of %d sectors", sector, sectors, capacity);
        }
        return null;
    }

    private static IOReturn failed(IOExternalMethodArguments a, IOReturnException e) {
        String m = String.valueOf(e.getMessage());
        String code = " (" + e.result() + ")";
        return a.fail(e.result(), m.endsWith(code) ? m.substring(0, m.length() - code.length()) : m);
    }
}
