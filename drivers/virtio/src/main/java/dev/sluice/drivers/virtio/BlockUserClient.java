package dev.sluice.drivers.virtio;

import static dev.sluice.kernel.userclient.IOExternalMethodDispatch.VARIABLE;

import dev.sluice.drivers.storage.api.BlockStorage;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.userclient.IOExternalMethodArguments;
import dev.sluice.kernel.userclient.IOExternalMethodDispatch;
import dev.sluice.kernel.userclient.IOExternalMethodTable;
import dev.sluice.kernel.userclient.IOUserClient;

import java.util.Arrays;

/**
 * The virtio-blk driver's user client (type 0): raw sector access for tools and the shell
 * ({@code ioclient VirtioBlock read 2048 1024}). Opening it requires the entitlement
 * {@value #ENTITLEMENT} (the shell holds {@code sluice.admin}). Methods:
 * <ul>
 * <li>0 {@code info}() -> capacity in sectors, block size, read-only (0/1);</li>
 * <li>1 {@code read}(sector, bytes) -> struct: {@code bytes} (a multiple of 512, at most
 * {@value #MAX_TRANSFER}) read from {@code sector};</li>
 * <li>2 {@code write}(sector; struct data) -> bytes written: {@code data} (1 to {@value #MAX_TRANSFER}
 * bytes) zero-padded to whole sectors and written from {@code sector};</li>
 * <li>3 {@code flush}(): everything written before is on stable storage when it returns.</li>
 * </ul>
 * Each method is synchronous and blocks the caller (not the driver's gate) until the device has
 * completed it. Bad arguments fail with a one-line message naming the value; device errors carry
 * the driver's message.
 */
final class BlockUserClient {

    /** The entitlement a bundle needs to open this user client. */
    static final String ENTITLEMENT = "dev.sluice.virtio.block.raw";
    /** Largest transfer of one read or write call. */
    static final int MAX_TRANSFER = 64 * 1024;

    private final BlockStorage disk;

    private BlockUserClient(BlockStorage disk) {
        this.disk = disk;
    }

    /** @return a new user client over {@code disk} (one per connection) */
    static IOUserClient create(BlockStorage disk) {
        BlockUserClient m = new BlockUserClient(disk);
        return new IOUserClient(IOExternalMethodTable.of("VirtioBlock",
                IOExternalMethodDispatch.sync(0, "info", 0, 3, 0, 0, m::info),
                IOExternalMethodDispatch.sync(1, "read", 2, 0, 0, VARIABLE, m::read),
                IOExternalMethodDispatch.sync(2, "write", 1, 1, VARIABLE, 0, m::write),
                IOExternalMethodDispatch.sync(3, "flush", 0, 0, 0, 0, m::flush)), ENTITLEMENT);
    }

    private IOReturn info(IOExternalMethodArguments a) {
        a.setScalarOutput(0, disk.capacitySectors());
        a.setScalarOutput(1, disk.blockSize());
        a.setScalarOutput(2, disk.readOnly() ? 1 : 0);
        return IOReturn.SUCCESS;
    }

    private IOReturn read(IOExternalMethodArguments a) {
        long sector = a.scalarInput(0);
        long bytes = a.scalarInput(1);
        if (bytes <= 0 || bytes > MAX_TRANSFER || bytes % BlockStorage.SECTOR_SIZE != 0) {
            throw new IllegalArgumentException("VirtioBlock.read: byte count " + bytes + " is not a multiple of "
                    + BlockStorage.SECTOR_SIZE + " in 512.." + MAX_TRANSFER);
        }
        checkRange("read", sector, bytes);
        byte[] data = new byte[(int) bytes];
        disk.read(sector, data);
        a.setStructOutput(data);
        return IOReturn.SUCCESS;
    }

    private IOReturn write(IOExternalMethodArguments a) {
        long sector = a.scalarInput(0);
        byte[] in = a.structInput();
        if (in.length == 0 || in.length > MAX_TRANSFER) {
            throw new IllegalArgumentException("VirtioBlock.write: " + in.length + " bytes of data; give 1.." + MAX_TRANSFER
                    + " (s:TEXT or x:HEX)");
        }
        int padded = (in.length + BlockStorage.SECTOR_SIZE - 1) / BlockStorage.SECTOR_SIZE * BlockStorage.SECTOR_SIZE;
        checkRange("write", sector, padded);
        if (disk.readOnly()) {
            throw new IllegalArgumentException("VirtioBlock.write: the device is read-only");
        }
        disk.write(sector, Arrays.copyOf(in, padded));
        a.setScalarOutput(0, padded);
        return IOReturn.SUCCESS;
    }

    private IOReturn flush(IOExternalMethodArguments a) {
        disk.flush();
        return IOReturn.SUCCESS;
    }

    private void checkRange(String method, long sector, long bytes) {
        long capacity = disk.capacitySectors();
        long sectors = bytes / BlockStorage.SECTOR_SIZE;
        if (sector < 0 || sector > capacity - sectors) {
            throw new IllegalArgumentException(String.format("VirtioBlock.%s: sectors [%d, +%d) are beyond the capacity of %d sectors",
                    method, sector, sectors, capacity));
        }
    }
}
