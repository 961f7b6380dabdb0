package dev.actrec.simd.internal;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link KernelProvider} once per JVM, from the system property {@value #PROPERTY}:
 * <ul>
 *   <li>unset or {@code auto}: Panama if the {@code jdk.incubator.vector} module is in the boot layer (the JVM was
 *       started with {@code --add-modules jdk.incubator.vector}) and usable, otherwise scalar with one warning;
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
    Choice choice = choose(System.getProperty(PROPERTY), ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent());
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
    Choice choice = choose(name, ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent());
    if (choice.warning() != null) {
      throw new IllegalStateException(choice.warning());
    }
    return choice.provider();
  }

  /** The decision itself, free of global state so that tests can drive every branch. */
  static Choice choose(String requested, boolean vectorModulePresent) {
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
}
