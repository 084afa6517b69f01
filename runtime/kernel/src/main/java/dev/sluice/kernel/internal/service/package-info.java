/**
 * The kernel's registry, matching engine and client fronts wired to OSGi. KernelServices
 * registers the {@link dev.sluice.kernel.registry.IORegistry} and the
 * {@link dev.sluice.kernel.internal.service.MatchingEngine} programmatically; they are declared
 * here as {@code osgi.service} capabilities so that DS references to them (the shell's commands,
 * the kernel's debug-mask component) resolve.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=dev.sluice.kernel.registry.IORegistry",
        uses = dev.sluice.kernel.registry.IORegistry.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=dev.sluice.kernel.internal.service.MatchingEngine")
package dev.sluice.kernel.internal.service;

import org.osgi.annotation.bundle.Capability;
