package dev.sluice.kernel.jcstress;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.GradingResult;
import org.openjdk.jcstress.infra.grading.ReportUtils;
import org.openjdk.jcstress.infra.grading.TestGrading;

/**
 * Runs the jcstress suite in-process, then reads the result blob back, prints a one-line-per-test
 * summary and exits non-zero when the run must fail the build.
 *
 * <p>jcstress 0.16's own {@code Main} always exits 0, even with FAILED tests, so it cannot guard a
 * build on its own. This runner fails (exit 1) when:
 * <ul>
 *   <li>any test has a FORBIDDEN outcome, an error, a timeout or a VM crash;</li>
 *   <li>a selected test produced no result at all (it was not scheduled or not run);</li>
 *   <li>no test ran;</li>
 *   <li>a <em>negative control</em> (a test class whose simple name ends in {@code NegativeControl})
 *       whose name matches {@code --must-detect REGEX} did not show its bug, i.e. none of its
 *       ACCEPTABLE_INTERESTING outcomes was observed. A negative control that does not match is
 *       only reported, never asserted.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp jcstress.jar dev.sluice.kernel.jcstress.SuiteRunner [--must-detect REGEX]
 * [jcstress options...]}. Every other argument goes to jcstress unchanged ({@code -m quick},
 * {@code -t REGEX}, {@code -jvmArgs ...}, {@code -r DIR}).
 */
public final class SuiteRunner {

    /** Suffix of the simple class name that marks a negative control. */
    public static final String NEGATIVE_CONTROL_SUFFIX = "NegativeControl";

    private SuiteRunner() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    /**
     * @return the process exit code: 0 all good, 1 a check failed, 2 bad usage or nothing ran
     */
    static int run(String[] args, PrintStream out) throws Exception {
        Pattern mustDetect = null;
        List<String> jcstressArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if ("--must-detect".equals(args[i]) && i + 1 < args.length) {
                mustDetect = Pattern.compile(args[++i]);
            } else {
                jcstressArgs.add(args[i]);
            }
        }
        Options opts = new Options(jcstressArgs.toArray(new String[0]));
        if (!opts.parse()) {
            return 2;
        }
        JCStress jcstress = new JCStress(opts);
        SortedSet<String> selected = jcstress.getTests();
        if (selected.isEmpty()) {
            out.println("SLUICE-JCSTRESS: no test matches " + opts.getTestFilter());
            return 2;
        }
        if (opts.shouldList() || opts.shouldParse()) {
            selected.forEach(out::println);
            return 0;
        }
        long start = System.nanoTime();
        jcstress.run();
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        InProcessCollector collector = new InProcessCollector();
        DiskReadCollector reader = new DiskReadCollector(opts.getResultFile(), collector);
        try {
            reader.dump();
        } finally {
            reader.close();
        }
        // The blob is written in the working directory; the HTML report keeps the detail.
        new File(opts.getResultFile()).delete();

        Map<String, TestResult> byName = new TreeMap<>();
        for (TestResult r : ReportUtils.mergedByName(collector.getTestResults())) {
            byName.put(r.getName(), r);
        }
        return summarize(selected, byName, mustDetect, seconds, out);
    }

    static int summarize(Collection<String> selected, Map<String, TestResult> byName, Pattern mustDetect,
                         long seconds, PrintStream out) {
        int passed = 0;
        int failed = 0;
        List<String> failures = new ArrayList<>();
        out.println();
        out.println("SLUICE-JCSTRESS SUMMARY (" + seconds + " s)");
        out.printf("%-8s %-13s %-64s %s%n", "VERDICT", "KIND", "TEST", "OUTCOMES (count)");
        for (String name : selected) {
            String shortName = name.substring(name.lastIndexOf('.') + 1);
            boolean negative = shortName.endsWith(NEGATIVE_CONTROL_SUFFIX);
            String kind = negative ? "neg-control" : "contract";
            TestResult r = byName.get(name);
            if (r == null) {
                failed++;
                failures.add(name + ": no result (not scheduled or not run)");
                out.printf("%-8s %-13s %-64s %s%n", "FAIL", kind, shortName, "no result");
                continue;
            }
            TestGrading g = r.grading();
            String outcomes = outcomes(r, g);
            boolean ok = ReportUtils.statusToPassed(r);
            String verdict;
            if (!ok) {
                verdict = "FAIL";
                failures.add(name + ": " + ReportUtils.statusToLabel(r) + " " + String.join("; ", g.failureMessages)
                        + messages(r));
            } else if (negative) {
                boolean detected = g.hasInteresting;
                boolean required = mustDetect != null && mustDetect.matcher(name).find();
                if (detected) {
                    verdict = "DETECTED";
                } else if (required) {
                    verdict = "FAIL";
                    ok = false;
                    failures.add(name + ": negative control did not show its bug in " + r.getTotalCount()
                            + " samples, so this run could not have caught the bug it guards against");
                } else {
                    verdict = "MISSED";
                }
                kind = required ? "neg-required" : "neg-control";
            } else {
                verdict = "PASS";
            }
            if (ok) {
                passed++;
            } else {
                failed++;
            }
            out.printf("%-8s %-13s %-64s %s%n", verdict, kind, shortName, outcomes);
        }
        out.println();
        for (String f : failures) {
            out.println("SLUICE-JCSTRESS FAILED: " + f);
        }
        if (byName.isEmpty()) {
            out.println("SLUICE-JCSTRESS: no test produced a result");
            return 2;
        }
        out.println("jcstress: " + passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    private static String outcomes(TestResult r, TestGrading g) {
        StringBuilder sb = new StringBuilder();
        for (GradingResult gr : g.gradingResults.values()) {
            if (gr.count == 0 && gr.expect != Expect.FORBIDDEN && gr.expect != Expect.ACCEPTABLE_INTERESTING) {
                continue;
            }
            if (gr.count == 0 && gr.expect == Expect.FORBIDDEN) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append('[').append(gr.id).append("] ").append(gr.count);
            if (gr.expect == Expect.FORBIDDEN) {
                sb.append(" FORBIDDEN");
            } else if (gr.expect == Expect.ACCEPTABLE_INTERESTING) {
                sb.append(" interesting");
            }
        }
        if (sb.length() == 0) {
            sb.append(r.getTotalCount()).append(" samples");
        }
        return sb.toString();
    }

    private static String messages(TestResult r) {
        List<String> m = new ArrayList<>();
        for (String s : r.getMessages()) {
            if (!ReportUtils.skipMessage(s)) {
                m.add(s);
            }
            if (m.size() >= 8) {
                break;
            }
        }
        return m.isEmpty() ? "" : "\n    " + String.join("\n    ", m);
    }
}
