package dev.actrec.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs in its own surefire execution, a JVM started with {@code -Dactrec.simd=scalar} and the vector module
 * present (see simd/pom.xml): the switch must win over the available module. Skipped in the default execution.
 */
@EnabledIfSystemProperty(named = "actrec.simd", matches = "scalar")
class ForcedScalarSwitchTest {

  @Test
  void scalarSwitchIsHonoured() {
    assertEquals("scalar", VectorKernels.implementationName());
    assertEquals(32f, VectorKernels.dot(new float[] {1, 2, 3}, new float[] {4, 5, 6}));
  }
}
