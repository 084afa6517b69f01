/**
 * jcstress tests of the virtqueue protocol between the virtio drivers and the device models, on
 * little-endian ring fields accessed as {@code GuestMemory} accesses them.
 */
package dev.sluice.kernel.jcstress.virtio;
