package dev.actrec.simd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every branch of the provider choice; the JVM under test has the vector module, so "present" is real. */
class KernelProviderLookupTest {

  private static final Supplier<String> C2_ON = () -> null;

  @Test
  void thisJvmHasC2() {
    assertNull(KernelProviderLookup.c2Missing(), "surefire's JVM runs with the default compilers");
  }

  @Test
  void noC2FallsBackToScalarWithOneWarning() {
    KernelProviderLookup.Choice choice = KernelProviderLookup.choose(null, true, () -> "-XX:TieredStopAtLevel=1");
    assertEquals("scalar", choice.provider().name());
    assertTrue(choice.warning().contains("TieredStopAtLevel=1"), choice.warning());
  }

  @Test
  void autoPicksPanamaWhenTheModuleIsPresent() {
    for (String requested : new String[] {null, "auto", "panama", " Panama "}) {
      KernelProviderLookup.Choice choice = KernelProviderLookup.choose(requested, true, C2_ON);
      assertEquals("panama", choice.provider().name(), "requested=" + requested);
      assertNull(choice.warning(), "requested=" + requested);
    }
  }

  @Test
  void scalarIsForcedSilently() {
    for (String requested : new String[] {"scalar", "SCALAR", " scalar"}) {
      KernelProviderLookup.Choice choice = KernelProviderLookup.choose(requested, true, C2_ON);
      assertEquals("scalar", choice.provider().name(), "requested=" + requested);
      assertNull(choice.warning(), "requested=" + requested);
    }
  }

  @Test
  void missingModuleFallsBackToScalarWithOneWarning() {
    for (String requested : new String[] {null, "auto", "panama"}) {
      KernelProviderLookup.Choice choice = KernelProviderLookup.choose(requested, false, C2_ON);
      assertEquals("scalar", choice.provider().name(), "requested=" + requested);
      assertTrue(choice.warning().contains("jdk.incubator.vector"), choice.warning());
    }
  }

  @Test
  void unknownValueFallsBackToScalarAndNamesTheValue() {
    KernelProviderLookup.Choice choice = KernelProviderLookup.choose("avx9000", true, C2_ON);
    assertEquals("scalar", choice.provider().name());
    assertTrue(choice.warning().contains("actrec.simd=avx9000"), choice.warning());
  }

  @Test
  void forNameGivesEitherImplementationOrSaysWhyNot() {
    assertEquals("scalar", KernelProviderLookup.forName("scalar").name());
    assertEquals("panama", KernelProviderLookup.forName("panama").name());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> KernelProviderLookup.forName("sse"));
    assertTrue(e.getMessage().contains("actrec.simd=sse"), e.getMessage());
  }
}
