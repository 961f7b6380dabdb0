package dev.actrec.simd.internal;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link KernelProvider} once per JVM, from the system property {@value #PROPERTY}:
 * <ul>
 *   <li>unset or {@code auto}: Panama if the {@code jdk.incubator.vector} module is in the boot layer (the JVM was
 *       started with {@code --add-modules jdk.incubator.vector}), the optimising compiler C2 is on, and the
 *       kernels load; otherwise scalar with one warning. Without C2 every vector is a heap object and the
 *       "fast" kernels run many times slower than the scalar loops, hence the compiler check;
 *   <li>{@code scalar}: always scalar, silently;
 *   <li>{@code panama}: as {@code auto}, for explicitness;
 *   <li>anything else: scalar, with one warning naming the bad value.
 * </ul>
 * {@link PanamaKernels} is loaded by name only after the module check, so that this class and the scalar path
 * never link against the incubator API.
 */
public final class KernelProviderLookup {

  /** The system property that selects the implementation. */
  public static final String PROPERTY = "actrec.simd";

  static final String VECTOR_MODULE = "jdk.incubator.vector";
  private static final String PANAMA_CLASS = "dev.actrec.simd.internal.PanamaKernels";

  private KernelProviderLookup() {}

  /** The outcome of a choice: the provider, and the warning to log, or {@code null} when there is nothing to say. */
  record Choice(KernelProvider provider, String warning) {}

  /** Chooses from the system property and the running JVM, logging at most one warning. */
  public static KernelProvider lookup() {
    Choice choice = choose(System.getProperty(PROPERTY), vectorModulePresent(), KernelProviderLookup::c2Missing);
    if (choice.warning() != null) {
      Logger log = LoggerFactory.getLogger(KernelProviderLookup.class);
      log.warn(choice.warning());
    }
    return choice.provider();
  }

  /**
   * The named implementation, {@code "scalar"} or {@code "panama"}, regardless of the system property; for
   * benchmarks and tests that compare the two in one JVM.
   *
   * @throws IllegalStateException if that implementation cannot run in this JVM, with the reason
   */
  public static KernelProvider forName(String name) {
    Choice choice = choose(name, vectorModulePresent(), KernelProviderLookup::c2Missing);
    if (choice.warning() != null) {
      throw new IllegalStateException(choice.warning());
    }
    return choice.provider();
  }

  /** The decision itself, free of global state so that tests can drive every branch. */
  static Choice choose(String requested, boolean vectorModulePresent, Supplier<String> c2Missing) {
    String mode = requested == null ? "auto" : requested.trim().toLowerCase(Locale.ROOT);
    switch (mode) {
      case "scalar":
        return new Choice(new ScalarKernels(), null);
      case "auto", "panama":
        break;
      default:
        return new Choice(new ScalarKernels(),
            "Unknown -D" + PROPERTY + "=" + requested + " (expected auto, panama or scalar); using scalar kernels");
    }
    if (!vectorModulePresent) {
      return new Choice(new ScalarKernels(), "Module " + VECTOR_MODULE + " is not available; using scalar kernels"
          + " (start the JVM with --add-modules " + VECTOR_MODULE + " to vectorise them)");
    }
    String noC2 = c2Missing.get();
    if (noC2 != null) {
      return new Choice(new ScalarKernels(), "The C2 compiler is off (" + noC2 + "), so vector kernels would be"
          + " slower than scalar ones; using scalar kernels");
    }
    try {
      KernelProvider panama =
          (KernelProvider) Class.forName(PANAMA_CLASS).getDeclaredConstructor().newInstance();
      return new Choice(panama, null);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return new Choice(new ScalarKernels(),
          "Vector kernels could not be loaded (" + cause + "); using scalar kernels");
    }
  }

  private static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  /**
   * Why this JVM runs without C2 ({@code "-Xint"}, {@code "-XX:TieredStopAtLevel=1"}), or {@code null} if C2 is on
   * or the JVM does not say (not HotSpot): then we assume it optimises.
   */
  static String c2Missing() {
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (vm == null) {
        return null;
      }
      if (!Boolean.parseBoolean(vm.getVMOption("UseCompiler").getValue())) {
        return "-Xint";
      }
      boolean tiered = Boolean.parseBoolean(vm.getVMOption("TieredCompilation").getValue());
      int stopAt = Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue());
      return tiered && stopAt < 4 ? "-XX:TieredStopAtLevel=" + stopAt : null;
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }
}
