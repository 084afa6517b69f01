/**
 * User clients (I/O Kit's IOUserClient, DriverKit's IOUserClient / IOConnectCallMethod): how
 * applications and the shell call into drivers. A driver implements {@link
 * dev.sluice.kernel.userclient.IOUserClientProvider} and creates one {@link
 * dev.sluice.kernel.userclient.IOUserClient} per connection; applications open connections
 * through the {@link dev.sluice.kernel.userclient.IOKitLib} OSGi service and call external
 * methods by selector or name, synchronously or asynchronously. The kernel checks every call
 * against the user client's {@link dev.sluice.kernel.userclient.IOExternalMethodTable} before
 * the driver sees it, and checks {@link dev.sluice.kernel.userclient.Entitlement entitlements}
 * when a connection opens.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.sluice.kernel.userclient;
