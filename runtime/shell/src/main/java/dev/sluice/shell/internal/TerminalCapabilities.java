package dev.sluice.shell.internal;

import org.jline.utils.InfoCmp;
import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * The shell bundle's activator: gives jline the capabilities of the {@code dumb} terminal type
 * from the copy jline bundles, before any console builds a terminal. Without it jline asks the
 * system first, starting an {@code infocmp -x dumb} process during boot (Gogo's own console
 * builds a dumb terminal while the framework starts), which costs a process spawn and a reaper
 * thread. Terminals of other types (a real terminal on {@code ./sluice}) still consult the
 * system's terminfo. Runs on the framework's start-level thread; the shell bundle starts before
 * Gogo's bundles in the kernel image, so the preload is in place in time; if it is not, jline
 * simply asks the system as before.
 */
@Header(name = Constants.BUNDLE_ACTIVATOR, value = "${@class}")
public final class TerminalCapabilities implements BundleActivator {

    static final String DUMB = "dumb";

    @Override
    public void start(BundleContext context) {
        if (InfoCmp.getLoadedInfoCmp(DUMB) == null) {
            String caps = InfoCmp.getDefaultInfoCmp(DUMB);
            if (caps != null) {
                InfoCmp.setLoadedInfoCmp(DUMB, caps);
            }
        }
    }

    @Override
    public void stop(BundleContext context) {
        // the capabilities stay with jline: they are jline's own
    }
}
